"""The project's error vocabulary: every backend raises these, never its own.

Backends convert driver errors with ``raise ... from e`` so callers (queries, API,
CLI) see one set of types.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "GraphError",
    "SchemaError",
    "ValidationError",
    "Violation",
    "NodeNotFound",
    "StoreUnavailable",
    "BackendNotAvailable",
    "InvalidParameter",
    "Conflict",
]


class GraphError(Exception):
    """Base of every error govgraph raises on purpose."""


class SchemaError(GraphError):
    """The schema files are wrong (a dangling reference, an unknown type ...)."""


@dataclass(frozen=True)
class Violation:
    """One broken rule in one item of a batch.

    ``item`` is the node or relationship id (or its position when it has none),
    ``kind`` is ``node`` or ``relationship``; ``field`` the label, property or
    end that is wrong; ``rule`` a short stable code; ``message`` a sentence.
    """

    item: str
    kind: str
    rule: str
    message: str
    label: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        return f"{self.kind} {self.item!r}: {self.message} [{self.rule}]"


@dataclass
class ValidationError(GraphError):
    """A batch broke one or more rules; nothing of it was written."""

    violations: list[Violation] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"batch rejected, nothing written: {len(self.violations)} violation(s)"
        shown = "\n".join(f"  - {v}" for v in self.violations[:20])
        more = len(self.violations) - 20
        tail = f"\n  ... and {more} more" if more > 0 else ""
        return f"{head}\n{shown}{tail}"


class NodeNotFound(GraphError, KeyError):
    """No node has this id."""

    def __init__(self, node_id: str) -> None:
        self.node_id = node_id
        super().__init__(node_id)

    def __str__(self) -> str:
        return f"no node with id {self.node_id!r}"


class StoreUnavailable(GraphError):
    """The store cannot be reached or opened (file locked, server down ...)."""


class StoreDamaged(StoreUnavailable):
    """The store's file holds what no write of govgraph makes (a label or type outside
    the schema, a relationship to a missing node, an empty or foreign file)."""

    def __init__(self, path: str, problems: list[str], total: int | None = None) -> None:
        self.path = path
        self.problems = problems
        self.total = total if total is not None else len(problems)
        shown = "; ".join(problems[:5])
        more = f" (and {self.total - 5} more)" if self.total > 5 else ""
        super().__init__(f"store {path!r} is damaged: {shown}{more}. Run `govgraph check` "
                         "for the whole list; restore the file from a backup")


class BackendNotAvailable(GraphError):
    """The configured store names a backend this build does not have yet."""


class InvalidParameter(GraphError, ValueError):
    """A query parameter is out of range or names the wrong kind of node."""


class Conflict(GraphError):
    """Well-formed data that the graph's rules refuse (a member mentoring themself, a
    pair on the do-not-pair list): HTTP 409."""
