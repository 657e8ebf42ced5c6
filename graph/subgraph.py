"""A small read-only store over nodes and relationships fetched in one go.

Queries whose walk is easier in Python than in Cypher fetch the part of the graph
they need with one Cypher query and run the same Python code over this view, so
the embedded and the Neo4j answers come from one implementation. A
:class:`graph.store.GraphReader`: the contract suite's read half runs on it.

>>> from graph.model import Node, Rel
>>> g = Subgraph(None, [Node("a", ("Branch", "PartyOrg"), {"name": "A"}),
...                     Node("b", ("Committee", "PartyOrg"), {"name": "B"})],
...              [Rel("SUB_ORG_OF", "a", "b")])
>>> [x.other for x in g.adjacent("a", ["SUB_ORG_OF"], "out")]
['b']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Any, Literal

from graph.errors import GraphError, NodeNotFound
from graph.model import Adjacent, Counts, Direction, Neighbour, Node, Rel, is_current
from graph.schema import Schema, get_schema

__all__ = ["Subgraph", "rows_to_subgraph"]


class Subgraph:
    """Implements the read side of :class:`graph.store.GraphStore` in memory."""

    backend = "subgraph"

    def __init__(self, schema: Schema | None, nodes: Iterable[Node], rels: Iterable[Rel]) -> None:
        self.schema = schema or get_schema()
        self._nodes = {n.id: n for n in nodes}
        self._version = object()
        self._out: dict[str, dict[str, Rel]] = defaultdict(dict)
        self._in: dict[str, dict[str, Rel]] = defaultdict(dict)
        for r in rels:
            if r.start in self._nodes and r.end in self._nodes:
                self._out[r.start][r.id] = r
                self._in[r.end][r.id] = r

    def get_node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise NodeNotFound(node_id) from None

    def get_nodes(self, node_ids: Iterable[str]) -> dict[str, Node]:
        return {i: self._nodes[i] for i in node_ids if i in self._nodes}

    def adjacent(self, node_id: str, types: Sequence[str] | None = None,
                 direction: Direction = "both",
                 labels: Sequence[str] | None = None) -> list[Adjacent]:
        if node_id not in self._nodes:
            raise NodeNotFound(node_id)
        if direction not in ("out", "in", "both"):
            raise GraphError(f"direction {direction!r} must be 'out', 'in' or 'both'")
        want_t = set(types) if types is not None else None
        want_l = set(labels) if labels is not None else None
        out: list[Adjacent] = []
        for side, table in (("out", self._out), ("in", self._in)):
            if direction not in (side, "both"):
                continue
            for r in table.get(node_id, {}).values():
                other = r.end if side == "out" else r.start
                olabs = self._nodes[other].labels
                if want_t is not None and r.type not in want_t:
                    continue
                if want_l is not None and want_l.isdisjoint(olabs):
                    continue
                out.append(Adjacent(r, other, olabs, side))  # type: ignore[arg-type]
        out.sort(key=lambda a: (a.direction != "out", a.rel.type, a.other, a.rel.id))
        return out

    def adjacent_many(self, node_ids: Sequence[str], types: Sequence[str] | None = None,
                      direction: Direction = "both",
                      labels: Sequence[str] | None = None) -> dict[str, list[Adjacent]]:
        return {i: self.adjacent(i, types, direction, labels)
                for i in dict.fromkeys(node_ids) if i in self._nodes}

    def count_current(self, node_ids: Sequence[str], type_: str,
                      direction: Literal["out", "in"], labels: Sequence[str] | None,
                      day: str) -> dict[str, int]:
        return {i: sum(1 for a in self.adjacent(i, [type_], direction, labels)
                       if is_current(a.rel.properties, day))
                for i in dict.fromkeys(node_ids) if i in self._nodes}

    def neighbours(self, node_id: str, types: Sequence[str] | None = None,
                   direction: Direction = "both",
                   labels: Sequence[str] | None = None) -> list[Neighbour]:
        return [Neighbour(a.rel, self._nodes[a.other], a.direction)
                for a in self.adjacent(node_id, types, direction, labels)]

    def nodes(self, label: str) -> Iterator[Node]:
        return iter(sorted((n for n in self._nodes.values() if label in n.labels),
                           key=lambda n: n.id))

    def rels(self, type_: str) -> Iterator[Rel]:
        return iter(sorted((r for rels in self._out.values() for r in rels.values()
                            if r.type == type_), key=lambda r: r.id))

    def node_labels(self, node_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        return {i: self._nodes[i].labels for i in node_ids if i in self._nodes}

    def count_any(self, labels: Sequence[str]) -> int:
        want = set(labels)
        return sum(1 for n in self._nodes.values() if not want.isdisjoint(n.labels))

    def version(self) -> Hashable:
        # never changes, and no other subgraph's equals it (a cache keyed by id() of a
        # dropped subgraph must not answer for a new one at the same address)
        return self._version

    def counts(self) -> Counts:
        labels: dict[str, int] = defaultdict(int)
        for n in self._nodes.values():
            for lab in n.labels:
                labels[lab] += 1
        types: dict[str, int] = defaultdict(int)
        for rels in self._out.values():
            for r in rels.values():
                types[r.type] += 1
        return Counts(dict(labels), dict(types), len(self._nodes), sum(types.values()))


def _labels(raw: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(lab for lab in raw if lab != "GovNode"))


def rows_to_subgraph(schema: Schema, node_rows: Iterable[dict[str, Any]],
                     rel_rows: Iterable[dict[str, Any]]) -> Subgraph:
    """Build a subgraph from Cypher rows: nodes ``{id, labels, props}`` and
    relationships ``{type, start, end, props}`` (``props`` holding ``id``)."""
    nodes = [Node(r["id"], _labels(r["labels"]),
                  {k: v for k, v in r["props"].items() if k != "id"}) for r in node_rows]
    rels = []
    for r in rel_rows:
        props = dict(r["props"])
        rid = props.pop("id", "")
        rels.append(Rel(r["type"], r["start"], r["end"], props, rid))
    return Subgraph(schema, nodes, rels)
