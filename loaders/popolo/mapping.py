"""The Popolo mapping (``loaders/popolo.yaml``: classifications to labels, identifier
schemes and contact types to properties) and Popolo's ways of writing dates and
identifiers.

>>> popolo_date("2006-08-03"), popolo_date("1960"), popolo_date(None)
(('2006-08-03', None), ('1960-01-01', 'year'), (None, None))
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from graph.errors import GraphError
from graph.schema import Schema
from graph.values import ValueProblem, parse_date

__all__ = ["EXT", "ID_SEP", "MAPPING", "classification_map", "identifiers_text",
           "parse_identifiers", "popolo_date", "popolo_mapping", "popolo_text", "schema_check"]

#: the mapping file (data, beside the package)
MAPPING = Path(__file__).parent.parent / "popolo.yaml"
EXT = "govgraph"  # the key of what Popolo has no field for, in each exported object
ID_SEP = "; "


@cache
def popolo_mapping() -> dict[str, Any]:
    """The mapping file, read once."""
    return yaml.safe_load(MAPPING.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def classification_map(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Classification (lower case) -> label, the file's entries plus ``extra``."""
    out = {k.lower(): v for k, v in popolo_mapping()["classifications"].items()}
    out.update({k.lower(): v for k, v in (extra or {}).items()})
    return out


def popolo_date(v: Any) -> tuple[str | None, str | None]:
    """(ISO date, precision) of a Popolo date (``1960``, ``1993-09``, ``2006-08-03``);
    (None, None) for a missing or unreadable one."""
    if not isinstance(v, str) or not v:
        return None, None
    try:
        return parse_date(v)
    except ValueProblem:
        return None, None


def popolo_text(day: str, precision: str | None) -> str:
    """A stored date back as Popolo writes it (to its precision).

    >>> popolo_text("1960-01-01", "year"), popolo_text("1993-09-01", "month")
    ('1960', '1993-09')
    """
    return day[:{"year": 4, "month": 7}.get(precision or "", 10)]


def identifiers_text(items: list[tuple[str, str]]) -> str:
    """Identifiers as the ``identifiers`` property holds them.

    >>> identifiers_text([("wikidata", "Q1"), ("parlparse", "7")])
    'wikidata:Q1; parlparse:7'
    >>> parse_identifiers('wikidata:Q1; parlparse:7')
    [('wikidata', 'Q1'), ('parlparse', '7')]
    """
    return ID_SEP.join(f"{scheme}:{value}" for scheme, value in items)


def parse_identifiers(text: str) -> list[tuple[str, str]]:
    out = []
    for part in text.split(ID_SEP):
        scheme, _, value = part.partition(":")
        if value:
            out.append((scheme, value))
    return out


def schema_check(schema: Schema) -> None:
    """Every label the mapping names is in the schema (a test calls this)."""
    for cls, label in popolo_mapping()["classifications"].items():
        if label not in schema.labels:
            raise GraphError(f"loaders/popolo.yaml: {cls!r} maps to unknown label {label!r}")
