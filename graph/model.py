"""Plain records that cross the store contract: nodes, relationships, neighbours.

Cheap ``__slots__`` dataclasses rather than pydantic models: queries create many of
them; the API converts to pydantic at its edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Node", "Rel", "Neighbour", "Adjacent", "Counts", "Direction", "rel_id"]

Direction = Literal["out", "in", "both"]


def rel_id(type_: str, start: str, end: str) -> str:
    """The default id of a relationship: one of each type between two nodes.

    >>> rel_id("MEMBER_OF", "pm-1", "br-1")
    'MEMBER_OF:pm-1->br-1'
    """
    return f"{type_}:{start}->{end}"


@dataclass(slots=True)
class Node:
    id: str
    labels: tuple[str, ...]
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.properties.get("name", ""))

    def has(self, label: str) -> bool:
        return label in self.labels


@dataclass(slots=True)
class Rel:
    type: str
    start: str
    end: str
    properties: dict[str, Any] = field(default_factory=dict)
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = rel_id(self.type, self.start, self.end)


@dataclass(slots=True)
class Neighbour:
    """One hop from a node: the relationship and the node at its other end."""

    rel: Rel
    node: Node
    direction: Literal["out", "in"]


@dataclass(slots=True)
class Adjacent:
    """One hop without the other node's properties: cheap, for counting and walking."""

    rel: Rel
    other: str
    other_labels: tuple[str, ...]
    direction: Literal["out", "in"]


@dataclass
class Counts:
    labels: dict[str, int]
    relationships: dict[str, int]
    nodes: int
    rels: int


def is_current(props: dict[str, Any], day: str) -> bool:
    """A relationship holds on ``day`` (ISO date) when it began on or before it and has
    not ended: ``since <= day < until``, a missing bound open. The one Python statement
    of the rule; the Cypher one is ``{{current:r}}`` (:mod:`graph.cypher`).

    >>> is_current({"since": "2024-01-01", "until": "2024-06-01"}, "2024-06-01")
    False
    >>> is_current({}, "2024-06-01")
    True
    """
    since = props.get("since")
    if since is not None and since > day:
        return False
    until = props.get("until")
    return until is None or until > day

