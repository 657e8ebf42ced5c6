"""What the planner asks of the stored graph: the :class:`StoredView` protocol, one
over a store's contract methods and one in memory (:mod:`graph.write`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any, Protocol

from graph.model import Node, Rel
from graph.write.changes import Plan
from graph.write.rules import PERSON


class StoredView(Protocol):
    """What the planner needs to know of the stored graph, asked once per batch."""

    def nodes(self, ids: Collection[str]) -> dict[str, Node]:
        """The stored nodes among these ids."""
        ...

    def node_labels(self, ids: Collection[str]) -> dict[str, tuple[str, ...]]:
        """The labels of the stored nodes among these ids (a relationship's ends)."""
        ...

    def people_by_id_number(self, numbers: Collection[str]) -> dict[str, str]:
        """ID number -> the id of the stored person holding it."""
        ...

    def rels(self, type_: str, ids: Collection[str]) -> dict[str, Rel]:
        """The stored relationships of a type among these ids."""
        ...

    def rels_between(self, type_: str, pairs: Collection[tuple[str, str]]
                     ) -> dict[tuple[str, str], list[Rel]]:
        """Stored relationships of a type from each start to each end."""
        ...

    def people_named(self, names: Collection[str]) -> dict[str, list[Node]]:
        """Stored people by (normalised) name, for candidate duplicates."""
        ...




class StoreView:
    """A :class:`StoredView` over a store's contract methods (every backend's write
    path uses one); the relationships it found by id are kept (the embedded store
    moves them in its index)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.found_rels: dict[str, Rel] = {}

    def nodes(self, ids: Collection[str]) -> dict[str, Node]:
        return dict(self.store.get_nodes(ids))

    def node_labels(self, ids: Collection[str]) -> dict[str, tuple[str, ...]]:
        return dict(self.store.node_labels(ids))

    def people_by_id_number(self, numbers: Collection[str]) -> dict[str, str]:
        return dict(self.store.people_by_id_number(numbers))

    def rels(self, type_: str, ids: Collection[str]) -> dict[str, Rel]:
        found: dict[str, Rel] = self.store.rels_by_id(type_, ids)
        self.found_rels.update(found)
        return found

    def rels_between(self, type_: str, pairs: Collection[tuple[str, str]]
                     ) -> dict[tuple[str, str], list[Rel]]:
        return dict(self.store.rels_between(type_, pairs))

    def people_named(self, names: Collection[str]) -> dict[str, list[Node]]:
        return dict(self.store.nodes_named(PERSON, names))


class MemoryView:
    """A :class:`StoredView` over plain dicts, optionally in front of another view:
    the planner's doctests, and a loader's own items as its checks see them."""

    def __init__(self, base: StoredView | None = None) -> None:
        self.base = base
        self._nodes: dict[str, Node] = {}
        self._rels: dict[str, Rel] = {}
        self._numbers: dict[str, str] = {}
        self._pairs: dict[tuple[str, str, str], dict[str, Rel]] = defaultdict(dict)
        self._names: dict[str, dict[str, Node]] = defaultdict(dict)

    def put(self, plan: Plan) -> None:
        self.put_nodes(plan.nodes)
        for r in plan.rels:
            self._rels[r.id] = r
            self._pairs[(r.type, r.start, r.end)][r.id] = r

    def put_light(self, plan: Plan) -> None:
        """What a loader's later batches need of this one: each node's labels and ID
        number (not its other properties: memory stays small for a big file)."""
        self.put_nodes(Node(n.id, n.labels, {k: n.properties[k] for k in (
            "id_number", "name") if k in n.properties}) for n in plan.nodes)

    def put_nodes(self, nodes: Iterable[Node]) -> None:
        for n in nodes:
            self._nodes[n.id] = n
            v = n.properties.get("id_number")
            if isinstance(v, str):
                self._numbers[v] = n.id
            if PERSON in n.labels:
                self._names[n.name][n.id] = n

    def nodes(self, ids: Collection[str]) -> dict[str, Node]:
        out = {i: self._nodes[i] for i in ids if i in self._nodes}
        rest = [i for i in ids if i not in out]
        if self.base is not None and rest:
            out.update(self.base.nodes(rest))
        return out

    def node_labels(self, ids: Collection[str]) -> dict[str, tuple[str, ...]]:
        out = {i: self._nodes[i].labels for i in ids if i in self._nodes}
        rest = [i for i in ids if i not in out]
        if self.base is not None and rest:
            out.update(self.base.node_labels(rest))
        return out

    def people_by_id_number(self, numbers: Collection[str]) -> dict[str, str]:
        out = self.base.people_by_id_number(numbers) if self.base is not None else {}
        out.update({v: self._numbers[v] for v in numbers if v in self._numbers})
        return out

    def rels(self, type_: str, ids: Collection[str]) -> dict[str, Rel]:
        out = {i: self._rels[i] for i in ids if i in self._rels and self._rels[i].type == type_}
        rest = [i for i in ids if i not in out]
        if self.base is not None and rest:
            out.update(self.base.rels(type_, rest))
        return out

    def rels_between(self, type_: str, pairs: Collection[tuple[str, str]]
                     ) -> dict[tuple[str, str], list[Rel]]:
        out = self.base.rels_between(type_, pairs) if self.base is not None else {}
        for pair in pairs:
            mine = self._pairs.get((type_, *pair))
            if mine:
                out[pair] = [x for x in out.get(pair, []) if x.id not in mine] + list(
                    mine.values())
        return out

    def people_named(self, names: Collection[str]) -> dict[str, list[Node]]:
        out = self.base.people_named(names) if self.base is not None else {}
        for name in names:
            mine = self._names.get(name)
            if mine:
                out[name] = [x for x in out.get(name, []) if x.id not in mine] + list(
                    mine.values())
        return out

