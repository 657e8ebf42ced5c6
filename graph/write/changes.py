"""What a batch writes and what it changed: the plan a backend carries out and the
per-node diffs loaders report (:mod:`graph.write`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from graph.model import Node, Rel

#: node diffs kept per batch (the counts are always exact)
MAX_DIFFS = 10_000


@dataclass
class NodeDiff:
    """One stored node a batch changes: what it had and what it gets."""

    id: str
    given_id: str  # the id in the batch (differs when identity found the stored node)
    labels_added: tuple[str, ...] = ()
    labels_removed: tuple[str, ...] = ()
    #: property -> (stored value, new value); a removed property's new value is None
    properties: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def renamed(self) -> bool:
        return "name" in self.properties and self.properties["name"][0] is not None


@dataclass(frozen=True)
class NodeAdded:
    """A node a batch adds: its id, labels and name."""

    id: str
    labels: tuple[str, ...]
    name: str


@dataclass(frozen=True)
class RelEnded:
    """A relationship a batch ends (gives an ``until``)."""

    id: str
    type: str
    start: str
    end: str
    until: str | None


@dataclass
class Changes:
    """What a batch wrote, or (dry run) would write."""

    nodes_added: int = 0
    nodes_updated: int = 0
    nodes_unchanged: int = 0
    rels_added: int = 0
    rels_updated: int = 0
    rels_unchanged: int = 0
    rels_ended: int = 0
    nodes_deleted: int = 0
    #: updated nodes, up to MAX_DIFFS
    diffs: list[NodeDiff] = field(default_factory=list)
    #: added nodes and ended relationships, up to MAX_DIFFS each
    added: list[NodeAdded] = field(default_factory=list)
    ended: list[RelEnded] = field(default_factory=list)
    #: given id -> stored id, for people found by their ID number
    remap: dict[str, str] = field(default_factory=dict)
    #: new person id -> stored people with the same name and birth date
    candidates: dict[str, list[str]] = field(default_factory=dict)

    COUNTS = ("nodes_added", "nodes_updated", "nodes_unchanged", "rels_added",
              "rels_updated", "rels_unchanged", "rels_ended")

    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in self.COUNTS}

    def add(self, other: Changes) -> None:
        for k in (*self.COUNTS, "nodes_deleted"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.diffs.extend(other.diffs[:max(0, MAX_DIFFS - len(self.diffs))])
        self.added.extend(other.added[:max(0, MAX_DIFFS - len(self.added))])
        self.ended.extend(other.ended[:max(0, MAX_DIFFS - len(self.ended))])
        self.remap.update(other.remap)
        self.candidates.update(other.candidates)


@dataclass
class Plan:
    """What a backend writes for one batch: whole nodes and relationships (merged
    already), nodes to delete, and what changed."""

    nodes: list[Node]
    rels: list[Rel]
    changes: Changes
    delete: list[str] = field(default_factory=list)
    #: final labels of every node of the batch (written or not)
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    accepted_nodes: int = 0
    accepted_rels: int = 0


def stint_id(base: str, start: str | None, taken: Collection[str]) -> str:
    """The id of a new stint of a relationship whose ``base`` id is taken.

    >>> stint_id("MEMBER_OF:p1->br1", "2026-06-30", {"MEMBER_OF:p1->br1"})
    'MEMBER_OF:p1->br1@2026-06-30'
    >>> stint_id("M:a->b", "2026-06-30", {"M:a->b", "M:a->b@2026-06-30"})
    'M:a->b@2026-06-30#2'
    """
    rid = f"{base}@{start}" if start else f"{base}@"
    k = 2
    out = rid
    while out in taken:
        out = f"{rid}#{k}"
        k += 1
    return out

