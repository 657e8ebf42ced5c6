"""The store contract: the one interface every backend implements.

Three rungs, each a runtime-checkable protocol, so ``isinstance`` tells what a store
can do and narrows the type for mypy (eventsourcing's recorder ladder is the model):

- :class:`GraphReader` — the read half: nodes, relationships, walks and counts. The
  in-memory :class:`graph.subgraph.Subgraph` is one (a part of the graph fetched in
  one round trip), and so is every store.
- :class:`GraphStore` — a reader that writes, with the write path's lookups, meta,
  load units and health: :class:`graph.embedded.EmbeddedStore` (SQLite record +
  networkx index, the default) and :class:`graph.neo4j_store.Neo4jStore`.
- :class:`CypherStore` — a store that also runs the project's Cypher (Neo4j): the
  queries with a Cypher form use it when :func:`runs_cypher` (``isinstance`` with
  this rung, remembered per class) says so.

Queries take a :class:`GraphReader` when they only read; loaders, API and CLI talk to
a :class:`GraphStore`; :func:`open_store` picks the backend from the
``GOVGRAPH_STORE`` setting.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal, Protocol, TypeGuard, runtime_checkable

from graph.cypher import CypherQuery
from graph.errors import BackendNotAvailable, GraphError
from graph.model import Adjacent, Counts, Direction, Neighbour, Node, Rel
from graph.names import RANKS, Candidate, SearchField
from graph.schema import Schema
from graph.write import Changes

__all__ = ["GraphStore", "BatchResult", "open_store", "store_kind"]


class BatchResult(dict[str, int]):
    """Counts of what one upsert took: ``{"nodes": n, "rels": m}`` (items accepted),
    and in ``changes`` what it wrote (or, on a dry run, would write), per node."""

    def __init__(self, nodes: int = 0, rels: int = 0, changes: Changes | None = None) -> None:
        super().__init__(nodes=nodes, rels=rels)
        self.changes = changes if changes is not None else Changes()


@runtime_checkable
class GraphReader(Protocol):
    """The read half: what queries walk. Every method raises only :mod:`graph.errors`
    types."""

    schema: Schema

    def get_node(self, node_id: str) -> Node:
        """The node with this id, or NodeNotFound."""
        ...

    def get_nodes(self, node_ids: Iterable[str]) -> dict[str, Node]:
        """The nodes among these ids that exist, by id."""
        ...

    def neighbours(
        self,
        node_id: str,
        types: Sequence[str] | None = None,
        direction: Direction = "both",
        labels: Sequence[str] | None = None,
    ) -> list[Neighbour]:
        """Relationships touching a node, filtered by type, direction and the
        other end's label; ordered by (direction, type, other node id, rel id)."""
        ...

    def adjacent(
        self,
        node_id: str,
        types: Sequence[str] | None = None,
        direction: Direction = "both",
        labels: Sequence[str] | None = None,
    ) -> list[Adjacent]:
        """As :meth:`neighbours`, with the other end's id and labels only (no
        properties): for walks and counts over many relationships."""
        ...

    def adjacent_many(
        self,
        node_ids: Sequence[str],
        types: Sequence[str] | None = None,
        direction: Direction = "both",
        labels: Sequence[str] | None = None,
    ) -> dict[str, list[Adjacent]]:
        """:meth:`adjacent` for many nodes at once (one round trip on a server);
        ids that do not exist are left out."""
        ...

    def count_current(
        self,
        node_ids: Sequence[str],
        type_: str,
        direction: Literal["out", "in"],
        labels: Sequence[str] | None,
        day: str,
    ) -> dict[str, int]:
        """Per node, its relationships of ``type_`` in ``direction`` (to a node with one
        of ``labels``, if given) that hold on ``day`` (ISO date): ``since <= day <
        until``, a missing bound open. Ids that do not exist are left out. For counts
        over many relationships (residents per building) without fetching them."""
        ...

    def nodes(self, label: str) -> Iterator[Node]:
        """Every node carrying ``label``, ordered by id."""
        ...

    def rels(self, type_: str) -> Iterator[Rel]:
        """Every relationship of a type, ordered by id (exports walk the graph so)."""
        ...

    def counts(self) -> Counts:
        """Nodes per label and relationships per type."""
        ...

    def count_any(self, labels: Sequence[str]) -> int:
        """Nodes carrying at least one of ``labels`` (each counted once)."""
        ...

    def node_labels(self, node_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The labels of the nodes among these ids that exist (no properties: the write
        path checks a relationship's ends with them)."""
        ...

    def version(self) -> Hashable:
        """A value that changes whenever what the store holds may have changed, for
        caches of answers: on a store that is the only writer, a counter of its own
        writes; where others write too (a Neo4j server), that counter and the minute,
        so an answer is kept at most a minute."""
        ...


@runtime_checkable
class GraphStore(GraphReader, Protocol):
    """A reader that writes: what loaders, the API and the CLI hold."""

    #: the backend's name for people ("embedded", "neo4j"): shown in health and stats,
    #: never tested to choose a code path (``isinstance`` with a rung does that)
    backend: str
    #: records per batch that load fastest on this backend (measured, bench/)
    preferred_batch_size: int
    #: True when a call waits on the network: the API runs it off the event loop
    reads_block: bool
    #: False: a write that would take the store past the memory its machine gives it
    #: is refused (the embedded store's index; Neo4j has no such limit); ``--force``
    allow_beyond_memory: bool

    def check_capacity(self, incoming: int) -> None:
        """Raise :class:`~graph.capacity.CapacityExceeded` when ``incoming`` new records
        would take the store past what its machine can hold (a loader asks for its whole
        load before writing; every batch is checked again in :meth:`upsert`)."""
        ...

    def upsert(self, nodes: Iterable[Node | dict[str, Any]] = (),
               rels: Iterable[Rel | dict[str, Any]] = (), *, as_of: str | None = None,
               replace: bool = False, dry_run: bool = False,
               delete: Iterable[str] = (), history: bool = True) -> BatchResult:
        """Validate and write one batch atomically, idempotent by ``id``, by the rules
        of :mod:`graph.write`: values as the schema says; a person whose ID number a
        stored node has is written into that node; properties and labels merge into
        what is stored (``replace=True``: become exactly those given); a relationship
        type with history ends its current relationship and starts a new one when a
        history property changes (on its ``since``, else ``as_of``, else today).
        A relationship without ``id`` gets ``TYPE:start->end``. ``delete`` removes
        nodes with their relationships in the same transaction (after the writes).
        ``history=False`` writes relationships by id only. ``dry_run`` plans and
        reports without writing. Any violation raises ValidationError and writes
        nothing.
        """
        ...

    def upsert_stream(self, batches: Iterable[tuple[list[Any], list[Any]]],
                      progress: Callable[[int], Any] | None = None, *,
                      as_of: str | None = None, replace: bool = False) -> BatchResult:
        """:meth:`upsert` batch after batch, each atomic; stops at the first error with
        the batches before it written and none after (a backend may overlap planning
        the next batch with writing this one). ``progress`` gets the records done."""
        ...

    def people_by_id_number(self, numbers: Iterable[str]) -> dict[str, str]:
        """ID number (normalised: upper case) -> the id of the person holding it."""
        ...

    def nodes_named(self, label: str, names: Iterable[str]) -> dict[str, list[Node]]:
        """Nodes with ``label`` by exact (stored, normalised) name, each list by id."""
        ...

    def rels_by_id(self, type_: str, ids: Iterable[str]) -> dict[str, Rel]:
        """The stored relationships of a type among these ids."""
        ...

    def rels_between(self, type_: str, pairs: Iterable[tuple[str, str]]
                     ) -> dict[tuple[str, str], list[Rel]]:
        """Stored relationships of a type from each start to each end, by (start, end)."""
        ...

    def put_meta(self, key: str, value: Any) -> None:
        """Keep a small JSON value outside the graph (scenario records ...)."""
        ...

    def get_meta(self, key: str) -> Any | None:
        ...

    def unit(self) -> AbstractContextManager[None]:
        """A load as one unit: every batch and meta written inside is kept, or — on an
        error, or a kill — none of it (embedded: one transaction; Neo4j: a journal of
        what each batch replaced, undone on failure and at the next open after a
        kill). Units nest (the outermost decides)."""
        ...

    def meta_default(self, key: str, value: Any) -> Any:
        """The value kept under ``key``, or ``value`` kept now when there is none: in
        one transaction, so of two callers racing, both get the first one's value
        (store-wide state such as the roster identity key is made once)."""
        ...

    def ping(self) -> bool:
        """True when the store answers now (readiness); raises StoreUnavailable if not."""
        ...

    def init_schema(self) -> None:
        """Create what the backend needs before the first write (Neo4j: constraints
        and indexes from the schema; embedded: nothing, made at open). Idempotent."""
        ...

    def search_names(self, text: str, field: SearchField,
                     ranks: Sequence[int] = RANKS) -> Iterator[Candidate]:
        """The search index's candidates for ``text`` (lower case, no spaces:
        :func:`graph.names.search_text`), in (rank, id) order, read lazily so a search
        that has enough stops early; only ``ranks`` (:func:`graph.names.rank_of`).
        A superset of the nodes whose keys (:func:`graph.names.search_keys`) match
        ``field`` by the rules of :func:`queries.search.rank`: ``name`` / ``short``
        equal to the text; ``contains`` a name or short name starting with it (2
        characters and up) or holding it (3 and up; any length for rank 0); ``spell``
        the same of a pinyin or initials key (any length for rank 0, prefix for 2);
        ``typo`` a key holding a part one typo keeps (:func:`graph.names.typo_parts`)."""
        ...

    def close(self) -> None:
        ...





@runtime_checkable
class CypherStore(GraphStore, Protocol):
    """A store that runs the project's own Cypher (``.cypher`` files beside the
    queries): queries with a Cypher form use it on such a store."""

    def read_cypher(self, query: CypherQuery, slots: dict[str, Any] | None = None,
                    bulk: bool = False, **params: Any) -> list[dict[str, Any]]:
        """Rows of a read query loaded by :mod:`graph.cypher` (its parameters checked,
        its slots filled from the schema's allow-list); ``bulk``: a read of the whole
        graph, under the load's longer timeout."""
        ...


_cypher_classes: dict[type, bool] = {}


def runs_cypher(store: GraphReader) -> TypeGuard[CypherStore]:
    """``isinstance(store, CypherStore)``, remembered per class: on Python 3.11 the check
    of a protocol with data members walks every member each time (~70 µs, a quarter of
    a leadership chain on the embedded store), and a class's rung does not change.

    >>> from graph.subgraph import Subgraph
    >>> runs_cypher(Subgraph(None, [], []))
    False
    """
    kind = type(store)
    known = _cypher_classes.get(kind)
    if known is None:
        known = _cypher_classes[kind] = isinstance(store, CypherStore)
    return known


def store_kind(location: str) -> str:
    """Which backend a ``GOVGRAPH_STORE`` value names.

    >>> store_kind("./data/govgraph.db"), store_kind("bolt://localhost:7687")
    ('embedded', 'neo4j')
    """
    if location.split("://", 1)[0] in ("bolt", "neo4j", "neo4j+s", "bolt+s", "neo4j+ssc",
                                       "bolt+ssc"):
        return "neo4j"
    if "://" in location:
        raise GraphError(
            f"store {location!r}: unknown URL scheme; use a file path (embedded store) "
            "or a bolt://, neo4j:// or neo4j+s:// URL (Neo4j)"
        )
    return "embedded"


def open_store(location: str, *, read_only: bool = False, schema: Schema | None = None
               ) -> GraphStore:
    """Open the store a ``GOVGRAPH_STORE`` value names."""
    kind = store_kind(location)
    if kind == "neo4j":
        try:
            from graph.neo4j_store import Neo4jStore
        except ImportError as e:  # the driver is an optional dependency
            raise BackendNotAvailable(
                f"store {location!r} names a Neo4j server, but the neo4j driver is not "
                "installed: pip install neo4j") from e
        from graph.settings import get_settings

        s = get_settings()
        return Neo4jStore(location, s.neo4j_user, s.neo4j_password, s.neo4j_database,
                          schema=schema, timeout=s.neo4j_timeout,
                          load_timeout=s.neo4j_load_timeout)
    from graph.embedded import EmbeddedStore

    return EmbeddedStore(location, read_only=read_only, schema=schema)
