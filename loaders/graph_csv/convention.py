"""neo4j-admin import's CSV header convention (``name:type``, ``:ID``, ``:LABEL``,
``:START_ID`` …) and the escaping of cells a spreadsheet would run as formulas, both
ways.

>>> header_field("since:date"), header_field(":START_ID(Person)"), header_field("name")
(('since', 'date'), ('', 'START_ID'), ('name', 'string'))
"""

from __future__ import annotations

__all__ = ["BASE_LABEL", "FORMULA_START", "SPECIAL", "TYPE_OUT", "header_field", "neutralise",
           "restore"]

BASE_LABEL = "GovNode"  # the Neo4j backend's label on every node
#: schema type -> the header's type suffix on export
TYPE_OUT = {"string": "", "geojson": "", "integer": ":long", "float": ":double",
            "boolean": ":boolean", "date": ":date"}
#: header keywords that are not properties
SPECIAL = {"ID", "LABEL", "START_ID", "END_ID", "TYPE", "IGNORE"}

#: what a spreadsheet takes for the start of a formula (CSV injection)
FORMULA_START = frozenset("=+-@\t\r")


def neutralise(text: str) -> str:
    """A text cell a spreadsheet would run as a formula, behind a ``'`` (so are texts
    already starting with ``'`` before one): :func:`restore` undoes it exactly.

    >>> neutralise("=1+2"), neutralise("'=1"), neutralise("-"), neutralise("张三")
    ("'=1+2", "''=1", "'-", '张三')
    """
    return "'" + text if text.lstrip("'")[:1] in FORMULA_START else text


def restore(text: str) -> str:
    """The text :func:`neutralise` was given (a cell that was never neutralised is
    unchanged)."""
    if text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_START:
        return text[1:]
    return text


def header_field(text: str) -> tuple[str, str]:
    """(property name, type) of a header field; special fields have an empty name and
    their keyword as type (``ID``, ``LABEL``, ``START_ID`` ...)."""
    name, _, typ = text.strip().partition(":")
    typ = typ.split("(", 1)[0].strip()
    if typ.upper() in SPECIAL:
        return ("" if typ.upper() != "ID" else name), typ.upper()
    return name, (typ.lower() or "string")
