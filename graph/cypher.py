"""Cypher kept in ``.cypher`` files, loaded by name, parameters checked at load.

A file holds one or more queries, each introduced by a header::

    // name: get_node
    // Fetch one node by id.   <- comment lines become the docstring
    // params: id
    MATCH (n:GovNode {id: $id}) RETURN n

Every ``$param`` in the text must be declared in ``params`` and every declared
parameter used, or loading fails. A call must pass exactly the declared parameters.
Labels and relationship types cannot be parameters in Cypher; where a query needs
them, its text holds ``{{labels}}``-style slots, filled only with names from the
schema's allow-list (:meth:`CypherQuery.render`). Values are always parameters,
never formatted into the text. One macro is expanded when the file is read:
``{{current:r}}`` stands for "``r`` holds on ``$day``" (``since <= $day < until``, a
missing bound open; :func:`graph.model.is_current` is the Python statement of it), so
the rule is written once for all Cypher. This module is the one place where text becomes the
driver's ``LiteralString``.

>>> q = parse_cypher("// name: one\\n// The answer.\\n// params: x\\nRETURN $x AS x\\n", "t")
>>> q["one"].doc, sorted(q["one"].params)
('The answer.', ['x'])
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, LiteralString, cast

from graph.errors import InvalidParameter, SchemaError
from graph.schema import Schema

__all__ = ["CypherQuery", "parse_cypher", "load_cypher"]

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_SLOT = re.compile(r"\{\{([a-z_]+)\}\}")
_NAME_OK = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CURRENT = re.compile(r"\{\{current:([A-Za-z_][A-Za-z0-9_]*)\}\}")
#: the Cypher of "holds on $day" (dates stored as DATE)
CURRENT_ON_DAY = ("({v}.since IS NULL OR {v}.since <= date($day)) "
                  "AND ({v}.until IS NULL OR {v}.until > date($day))")


def expand_current(text: str) -> str:
    """``{{current:r}}`` → the predicate "r holds on $day".

    >>> expand_current("WHERE {{current:m}}")
    'WHERE (m.since IS NULL OR m.since <= date($day)) AND (m.until IS NULL OR m.until > date($day))'
    """
    return _CURRENT.sub(lambda m: CURRENT_ON_DAY.format(v=m.group(1)), text)


@dataclass(frozen=True)
class CypherQuery:
    name: str
    text: str
    doc: str
    params: frozenset[str]
    slots: frozenset[str] = field(default_factory=frozenset)
    source: str = ""

    def check(self, given: Iterable[str]) -> None:
        got = set(given)
        if got != self.params:
            missing, extra = sorted(self.params - got), sorted(got - self.params)
            raise InvalidParameter(
                f"cypher {self.source}:{self.name}: parameters missing {missing}, "
                f"unexpected {extra}")

    def render(self, schema: Schema | None = None, **slots: Iterable[str] | str
               ) -> LiteralString:
        """The query text with its slots filled from the schema's allow-list.

        A slot value is a label or relationship type name, or several joined as Cypher
        wants (``A:B`` for labels, ``A|B`` for types); each must be in the schema.
        """
        if set(slots) != self.slots:
            raise InvalidParameter(f"cypher {self.name}: slots {sorted(self.slots)} expected, "
                                   f"got {sorted(slots)}")
        text = self.text
        for slot, value in slots.items():
            names = [value] if isinstance(value, str) else list(value)
            if schema is None:
                raise InvalidParameter(f"cypher {self.name}: slots need the schema")
            allowed = set(schema.labels) | set(schema.relationships) | {"GovNode"}
            for n in names:
                if n not in allowed or not _NAME_OK.match(n):
                    raise InvalidParameter(f"cypher {self.name}: {n!r} is not a schema name")
            sep = "|" if slot.endswith("types") else ":"
            text = text.replace("{{" + slot + "}}", sep.join(names))
        return cast(LiteralString, text)

    @property
    def literal(self) -> LiteralString:
        if self.slots:
            raise InvalidParameter(f"cypher {self.name}: has slots {sorted(self.slots)}; render it")
        return cast(LiteralString, self.text)

    def __call__(self, **params: Any) -> tuple[LiteralString, dict[str, Any]]:
        self.check(params)
        return self.literal, params


def parse_cypher(text: str, source: str) -> dict[str, CypherQuery]:
    out: dict[str, CypherQuery] = {}
    blocks = re.split(r"(?m)^// name:", text)
    for block in blocks[1:]:
        lines = block.splitlines()
        name = lines[0].strip()
        if not _NAME_OK.match(name):
            raise SchemaError(f"{source}: bad query name {name!r}")
        doc: list[str] = []
        body: list[str] = []
        params: set[str] | None = None
        for line in lines[1:]:
            s = line.strip()
            if not body and s.startswith("// params:"):
                params = {p.strip() for p in s[len("// params:"):].split(",") if p.strip()}
            elif not body and s.startswith("//"):
                doc.append(s[2:].strip())
            elif s or body:
                body.append(line)
        q = expand_current("\n".join(body).strip())
        if not q:
            raise SchemaError(f"{source}:{name}: empty query")
        used = set(_PARAM.findall(q))
        declared = params or set()
        if used != declared:
            raise SchemaError(
                f"{source}:{name}: parameters used {sorted(used)} but declared "
                f"{sorted(declared)} (declare each $param in '// params:')")
        if name in out:
            raise SchemaError(f"{source}: query {name!r} defined twice")
        out[name] = CypherQuery(name=name, text=q, doc=" ".join(doc), params=frozenset(used),
                                slots=frozenset(_SLOT.findall(q)), source=source)
    if not out:
        raise SchemaError(f"{source}: no '// name:' query found")
    return out


def load_cypher(path: Path | str) -> dict[str, CypherQuery]:
    """All queries of one ``.cypher`` file, checked."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise SchemaError(f"cypher file missing: {p}") from e
    return parse_cypher(text, p.name)
