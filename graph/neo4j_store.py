"""The Neo4j backend, on the official ``neo4j`` driver (py2neo is end-of-life).

One driver per store (one store per process); reads go through ``execute_read``,
writes through ``execute_write``, whose bodies are idempotent (``MERGE`` on ``id``)
because the driver retries them on transient errors. A batch is validated first
(the shared rules of :mod:`graph.write`) and written in one transaction, in
``UNWIND`` chunks. Labels and relationship types in query text come only from the
schema (:meth:`graph.cypher.CypherQuery.render`); every value is a parameter.
Driver errors become :mod:`graph.errors` types.

Every call runs on worker threads watched for a hung server (:mod:`graph.neo4j_watch`).

Why one module of ~800 lines: it is one class, the store contract on one engine, each
public method one round trip through the shared session and transaction helpers
(``_run``, ``_read``, ``_write``) and the batch writer (``_prepare``, ``_commit``,
``unit``) that every write method uses. Cutting it by method group would mean mixins
sharing ``self`` — the shape this codebase moved away from; what is separable is
separate: the write rules (:mod:`graph.write`), the watch (:mod:`graph.neo4j_watch`),
the Cypher (``neo4j_store.cypher``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import queue
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import neo4j
from neo4j import GraphDatabase, ManagedTransaction
from neo4j import exceptions as nex

from graph.cypher import CypherQuery, load_cypher
from graph.errors import GraphError, NodeNotFound, StoreUnavailable
from graph.model import Adjacent, Counts, Direction, Neighbour, Node, Rel
from graph.names import (
    RANKS,
    Candidate,
    SearchField,
    has_han,
    rank_of,
    search_keys,
    search_text,
    typo_parts,
)
from graph.neo4j_watch import PROBE_AFTER, PROBE_TIMEOUT, RETRY_AFTER, Watch
from graph.schema import Schema, get_schema
from graph.store import BatchResult
from graph.write import MemoryView, Plan, StoreView, plan_batch

__all__ = ["Neo4jStore", "BASE_LABEL", "CHUNK", "PROBE_AFTER", "PROBE_TIMEOUT",
           "RETRY_AFTER", "SEARCH_PROPERTIES", "lucene_query"]

#: records one unit (one load, one transaction) may hold
UNIT_MAX = 500_000


@dataclass(frozen=True)
class _RelStatements:
    existing: Any
    create: Any
    upsert: Any


@dataclass(frozen=True)
class _DeleteStatement:
    text: Any


@dataclass
class _Prepared:
    statements: list[tuple[Any, list[dict[str, Any]]]]
    plan: Plan
    result: BatchResult

BASE_LABEL = "GovNode"
#: rows per UNWIND statement; bench/neo4j_batch.py measured 1k-50k (noisy on this VM:
#: larger was faster on most runs)
CHUNK = 20_000
#: full-text answers kept per store (:meth:`Neo4jStore._fulltext`)
FULLTEXT_KEPT = 64
Q = load_cypher(Path(__file__).with_suffix(".cypher"))

T = TypeVar("T")


def _labels(raw: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(lab for lab in raw if lab != BASE_LABEL))


#: the search keys every node carries for the full-text index (graph/names.py): the
#: store's own, never a property callers see
SEARCH_PROPERTIES = frozenset({"search_name", "search_short", "search_spell"})
_HIDDEN = SEARCH_PROPERTIES | {"id"}


def _plain(v: Any) -> Any:
    """A value read from Neo4j as the store contract has it: dates as ISO text (and a
    node's properties without its search keys)."""
    if isinstance(v, neo4j.time.Date):
        return v.iso_format()
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items() if k not in SEARCH_PROPERTIES}
    return v


def _props(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.iso_format() if isinstance(v, neo4j.time.Date) else v)
            for k, v in raw.items() if k not in _HIDDEN}


def _search_props(name: str, labels: Iterable[str], short_name: object) -> dict[str, Any]:
    k = search_keys(name, labels, short_name)
    return {"search_name": k.name, "search_short": list(k.short),
            "search_spell": [f"q{s}" for s in k.spell]}


_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
_RUNS = re.compile(r"([\u3400-\u9fff]+)|([^\W_\u3400-\u9fff]+)")


def _term(s: str) -> str:
    return _LUCENE_SPECIAL.sub(r"\\\1", s)


def _holding(text: str) -> str | None:
    """A Lucene query that every value holding ``text`` matches (the CJK analyzer makes
    bigrams of Chinese characters and words of the rest): a phrase per run of Chinese
    characters, a wildcard for a single character; for a text without Chinese, a
    wildcard per word. None when the text has neither."""
    han = [m[1] for m in _RUNS.finditer(text) if m[1]]
    if han:
        parts = [f'"{r}"' if len(r) >= 2 else f"*{r}*" for r in han]
    else:
        parts = [f"*{_term(m[2])}*" for m in _RUNS.finditer(text) if m[2]]
    return " AND ".join(parts) if parts else None


def lucene_query(text: str, field: SearchField) -> str | None:
    """The full-text query for ``field`` of ``text`` (a search text): it finds a
    superset of what the field's rule matches (queries/search.py checks each).

    >>> lucene_query("上星党委", "contains")
    'search_name:("上星党委") OR search_short:("上星党委")'
    >>> lucene_query("zs", "spell"), lucene_query("xing", "spell")
    ('search_spell:qzs*', 'search_spell:*xing*')
    """
    if field in ("name", "short", "exact", "contains"):
        q = _holding(text)
        if q is None:
            return None
        props = {"name": ["search_name"], "short": ["search_short"]}.get(
            field, ["search_name", "search_short"])
        return " OR ".join(f"{p}:({q})" for p in props)
    if field == "spell":
        if has_han(text) or not _RUNS.search(text):
            return None
        return (f"search_spell:q{_term(text)}*" if len(text) <= 2
                else f"search_spell:*{_term(text)}*")
    left, right = typo_parts(text)
    parts = []
    for part in (left, right):
        if part is None:
            continue
        q = _holding(part)
        if q is not None:
            parts += [f"search_name:({q})", f"search_short:({q})"]
        if not has_han(part) and _RUNS.search(part):
            parts.append(f"search_spell:q{_term(part)}*" if part == left
                         else f"search_spell:*{_term(part)}*")
    return " OR ".join(parts) if parts else None


def _as_dates(props: dict[str, Any], date_keys: frozenset[str]) -> dict[str, Any]:
    """Date properties (ISO text after validation) as Neo4j dates: stored natively, so
    Cypher compares them as dates and ``neo4j-admin import`` of ``:date`` columns
    gives the same graph."""
    if not date_keys or date_keys.isdisjoint(props):
        return props
    return {k: (dt.date.fromisoformat(v) if k in date_keys and isinstance(v, str) else v)
            for k, v in props.items()}


class Neo4jStore:
    """Neo4j backend of :class:`graph.store.GraphStore`."""

    backend = "neo4j"
    #: records per transaction for bulk loads (bench/compare_backends.py: 50,000 loads
    #: 500k residents at ~23k records/s, 20,000 at ~19k)
    preferred_batch_size = 50_000
    #: every call waits on the server: the API runs them off the event loop
    reads_block = True
    #: no memory budget to go past: the server pages what it does not hold
    allow_beyond_memory = True
    #: how long an answer cached over this store may live: others write to the server
    #: without telling this process
    VERSION_SECONDS = 60
    #: (uri, database) whose constraints and indexes this process already made
    _initialised: set[tuple[str, str | None]] = set()

    def __init__(self, uri: str, user: str = "neo4j", password: str = "",
                 database: str | None = None, *, schema: Schema | None = None,
                 timeout: float = 30.0, connect_timeout: float = 5.0,
                 init: bool = True, load_timeout: float = 300.0) -> None:
        self.schema = schema or get_schema()
        self.uri = uri
        self.database = database
        self.timeout = timeout
        #: a batch of a load (50,000 records on a cold JVM) and schema commands
        self.load_timeout = load_timeout
        try:
            self.driver = GraphDatabase.driver(
                uri, auth=(user, password) if password else None,
                connection_timeout=connect_timeout,
                connection_acquisition_timeout=connect_timeout,
                # retries of transient errors give up soon, so an outage becomes a
                # prompt 503 rather than a hung request
                max_transaction_retry_time=min(2.0, connect_timeout),
                user_agent="govgraph",
                # a property no node has yet (a date's precision) is no news to report
                notifications_disabled_classifications=["UNRECOGNIZED"])
        except (ValueError, nex.ConfigurationError) as e:
            raise StoreUnavailable(f"cannot use Neo4j at {uri!r}: {e}") from e
        # every session of this store shares one bookmark manager: on a cluster
        # (``neo4j://``, reads routed by the driver to followers) a read after this
        # process's write waits until the server answering it has that write
        # (read-your-writes after a roster upload); on one server it costs nothing
        self.bookmarks = GraphDatabase.bookmark_manager()
        self._closed = False
        self._watch = Watch(uri)
        self._local = threading.local()  # a thread's unit (its batches not yet written)
        self._date_cache: dict[tuple[str, ...] | str, frozenset[str]] = {}
        self._fulltext_kept: dict[tuple[str, tuple[int, int]], list[Candidate]] = {}
        self._fulltext_lock = threading.Lock()
        #: bumped by every write of this store, so caches over it know to refresh
        self.generation = 0
        if init and (uri, database) not in Neo4jStore._initialised:
            self.init_schema()
            Neo4jStore._initialised.add((uri, database))

    # ------------------------------------------------------------ plumbing
    def _run(self, write: bool, fn: Callable[[ManagedTransaction], T],
             timeout: float | None = None) -> T:
        if self._closed:
            raise StoreUnavailable(f"store {self.uri!r} is closed")
        limit = timeout or self.timeout
        return self._watch.call(lambda: self._session(write, fn, limit), limit + 5, self.uri)

    def _session(self, write: bool, fn: Callable[[ManagedTransaction], T],
                 timeout: float) -> T:
        try:
            with self.driver.session(database=self.database,
                                     bookmark_manager=self.bookmarks) as session:
                work = neo4j.unit_of_work(timeout=timeout)(fn)
                return session.execute_write(work) if write else session.execute_read(work)
        except nex.AuthError as e:
            raise StoreUnavailable(f"Neo4j at {self.uri!r} refused the credentials") from e
        except (nex.ServiceUnavailable, nex.SessionExpired, nex.TransientError,
                OSError) as e:
            raise StoreUnavailable(f"Neo4j at {self.uri!r} is unavailable: "
                                   f"{type(e).__name__}") from e
        except nex.ClientError as e:
            if "Timeout" in (e.code or "") or "terminated" in (e.message or ""):
                raise StoreUnavailable(f"query timed out after {timeout} s") from e
            raise GraphError(f"Neo4j refused a query: {e.code}") from e
        except nex.Neo4jError as e:
            raise StoreUnavailable(f"Neo4j error {e.code}") from e
        except nex.DriverError as e:
            raise StoreUnavailable(f"Neo4j driver error: {type(e).__name__}") from e

    def _read(self, fn: Callable[[ManagedTransaction], T]) -> T:
        return self._run(False, fn)

    def _write(self, fn: Callable[[ManagedTransaction], T]) -> T:
        return self._run(True, fn)

    def check_capacity(self, incoming: int) -> None:
        """Nothing to refuse: the server keeps the graph on disk and pages it."""

    def init_schema(self) -> None:
        """Constraints and indexes generated from the schema (idempotent)."""
        stmts = [Q["create_id_constraint"].literal, Q["create_meta_constraint"].literal,
                 Q["create_id_number_index"].literal]
        # A name index per root label (Person, PartyOrg, Grid ...): every node carries
        # its root label, so one index covers the sub-labels too, and each write
        # updates one name index instead of one per label it has.
        stmts += [Q["create_name_index"].render(self.schema, label=lab)
                  for lab in self.roots()]
        stmts += [Q["create_rel_id_index"].render(self.schema, types=t)
                  for t in self.schema.relationships]
        stmts.append(Q["create_search_index"].literal)
        if self._closed:
            raise StoreUnavailable("the store is closed")

        def run() -> None:
            try:
                with self.driver.session(database=self.database,
                                         bookmark_manager=self.bookmarks) as session:
                    for s in stmts:  # schema commands run in their own transactions
                        session.run(s).consume()
            except nex.AuthError as e:
                raise StoreUnavailable(f"Neo4j at {self.uri!r} refused the credentials"
                                       ) from e
            except (nex.ServiceUnavailable, nex.SessionExpired, OSError) as e:
                raise StoreUnavailable(f"Neo4j at {self.uri!r} is unavailable") from e

        self._watch.call(run, self.load_timeout + 5, self.uri)
        self._search_keys_backfill()

    def _search_keys_backfill(self, batch: int = 5_000) -> int:
        """Search keys for the nodes that have none (written by a bulk import, which
        bypasses the write path): how many got them."""
        done = 0

        def fetch(tx: ManagedTransaction) -> list[dict[str, Any]]:
            text, params = Q["unsearchable_nodes"](limit=batch)
            return [r.data() for r in tx.run(text, params)]

        while rows := self._run(False, fetch, self.load_timeout):
            keyed = [{"id": r["id"], **{k[len("search_"):]: v for k, v in _search_props(
                r["name"] or "", _labels(r["labels"]), r["short_name"]).items()}}
                for r in rows]
            text, params = Q["set_search_keys"](rows=keyed)

            def write(tx: ManagedTransaction, text: Any = text, params: Any = params) -> None:
                tx.run(text, params).consume()

            self._run(True, write, self.load_timeout)
            done += len(rows)
        if done:
            self.generation += 1
        return done

    def search_names(self, text: str, field: SearchField,
                     ranks: Sequence[int] = RANKS) -> Iterator[Candidate]:
        """Candidates from the full-text index (CJK analyzer), all at once (a server
        round trip costs more than the rows), in (rank, id) order."""
        query = lucene_query(search_text(text), field)
        if query is None:
            return iter(())
        wanted = set(ranks)
        return iter([c for c in self._fulltext(query) if c.rank in wanted])

    def _fulltext(self, query: str) -> list[Candidate]:
        """Every candidate of one full-text query, in (rank, id) order: kept while the
        store's version holds (the rule of the search answers kept over it), so the
        bands of one search that read the same query (a name's exact and contains
        bands) make one round trip, not two."""
        key = (query, self.version())
        with self._fulltext_lock:
            hit = self._fulltext_kept.get(key)
        if hit is not None:
            return hit
        text_q, params = Q["search_nodes"](query=query)

        def work(tx: ManagedTransaction) -> list[Candidate]:
            out = []
            for r in tx.run(text_q, params):
                labels = _labels(r["labels"])
                if r["name"] is not None:
                    out.append(Candidate(r["id"], labels, r["name"], tuple(r["short"] or ()),
                                         tuple(s[1:] for s in r["spell"] or ()),
                                         rank_of(labels)))
            return out

        found = self._read(work)
        found.sort(key=lambda c: (c.rank, c.id))
        with self._fulltext_lock:
            if len(self._fulltext_kept) >= FULLTEXT_KEPT:
                self._fulltext_kept.pop(next(iter(self._fulltext_kept)))
            self._fulltext_kept[key] = found
        return found

    def roots(self) -> list[str]:
        """Labels that extend no other label."""
        return [lab for lab, d in self.schema.labels.items() if d.extends is None]

    def version(self) -> tuple[int, int]:
        """This process's writes, and the minute: what others wrote is seen within one."""
        return self.generation, int(time.monotonic() // self.VERSION_SECONDS)

    def ping(self) -> bool:
        return bool(self._read(lambda tx: tx.run(Q["ping"].literal).single() is not None))

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            # calls still running (the search index's warm-up, a request) finish
            # first: closing the driver under them breaks their connections; a hung
            # server would hold the close too, so then the driver is left to the exit
            if self._watch.down_since is None and self._watch.pool.drain(30):
                self.driver.close()
            self._watch.pool.shutdown()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ writes
    def node_labels(self, node_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        idl = sorted(set(node_ids))

        def work(tx: ManagedTransaction) -> dict[str, tuple[str, ...]]:
            out: dict[str, tuple[str, ...]] = {}
            for i in range(0, len(idl), CHUNK):
                text, params = Q["lookup_labels"](ids=idl[i:i + CHUNK])
                for rec in tx.run(text, params):
                    out[rec["id"]] = _labels(rec["labels"])
            return out

        return self._read(work) if idl else {}

    def people_by_id_number(self, numbers: Iterable[str]) -> dict[str, str]:
        nums = sorted(set(numbers))

        def work(tx: ManagedTransaction) -> dict[str, str]:
            out: dict[str, str] = {}
            for i in range(0, len(nums), CHUNK):
                text, params = Q["people_by_id_number"](numbers=nums[i:i + CHUNK])
                for rec in tx.run(text, params):
                    out[rec["number"]] = rec["id"]
            return out

        return self._read(work) if nums else {}

    def nodes_named(self, label: str, names: Iterable[str]) -> dict[str, list[Node]]:
        want = sorted(set(names))
        if not want or label not in self.schema.labels:
            return {}
        text = Q["nodes_named"].render(self.schema, labels=label)

        def work(tx: ManagedTransaction) -> dict[str, list[Node]]:
            out: dict[str, list[Node]] = {}
            for i in range(0, len(want), CHUNK):
                for r in tx.run(text, {"names": want[i:i + CHUNK]}):
                    n = Node(r["id"], _labels(r["labels"]), _props(r["props"]))
                    out.setdefault(n.name, []).append(n)
            return out

        return self._read(work)

    def rels_by_id(self, type_: str, ids: Iterable[str]) -> dict[str, Rel]:
        idl = sorted(set(ids))
        if not idl or type_ not in self.schema.relationships:
            return {}
        text = Q["rels_by_id"].render(self.schema, types=type_)

        def work(tx: ManagedTransaction) -> dict[str, Rel]:
            out: dict[str, Rel] = {}
            for i in range(0, len(idl), CHUNK):
                for r in tx.run(text, {"ids": idl[i:i + CHUNK]}):
                    out[r["id"]] = Rel(type_, r["start"], r["end"], _props(r["props"]),
                                       r["id"])
            return out

        return self._read(work)

    def rels_between(self, type_: str, pairs: Iterable[tuple[str, str]]
                     ) -> dict[tuple[str, str], list[Rel]]:
        pl = sorted(set(pairs))
        if not pl:
            return {}
        text = Q["rels_between"].render(self.schema, types=type_)

        def work(tx: ManagedTransaction) -> dict[tuple[str, str], list[Rel]]:
            out: dict[tuple[str, str], list[Rel]] = {}
            for i in range(0, len(pl), CHUNK):
                for r in tx.run(text, {"pairs": [list(p) for p in pl[i:i + CHUNK]]}):
                    out.setdefault((r["start"], r["end"]), []).append(
                        Rel(type_, r["start"], r["end"], _props(r["props"]), r["id"]))
            return out

        return self._read(work)

    def _prepare(self, nodes: Iterable[Node | dict[str, Any]],
                 rels: Iterable[Rel | dict[str, Any]], *, as_of: str | None = None,
                 replace: bool = False, delete: Iterable[str] = (), history: bool = True,
                 pending: list[Plan] | None = None, base: Any = None) -> _Prepared:
        """Plan a batch (graph/write/) and build its statements. ``pending`` holds
        the plans of batches being written right now: they count as stored; ``base``
        is what else is stored (default: ask the server)."""
        view: Any = base if base is not None else StoreView(self)
        if pending:
            view = MemoryView(view)
            for p in pending:
                view.put(p)
        plan = plan_batch(self.schema, nodes, rels, view, as_of=as_of, replace=replace,
                          delete=delete, history=history)
        by_labels: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for n in plan.nodes:
            props = _as_dates(n.properties, self._date_keys(n.labels))
            keys = _search_props(n.name, n.labels, n.properties.get("short_name"))
            by_labels[n.labels].append({"id": n.id, "props": {**props, **keys, "id": n.id}})
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in plan.rels:
            props = _as_dates(r.properties, self._date_keys(r.type))
            by_type[r.type].append({"id": r.id, "start": r.start, "end": r.end,
                                    "props": {**props, "id": r.id}})
        all_labels = list(self.schema.labels)
        statements: list[tuple[Any, list[dict[str, Any]]]] = []
        for labels, rows in sorted(by_labels.items()):
            others = [lab for lab in all_labels if lab not in labels]
            text = Q["upsert_nodes"].render(self.schema, labels=[BASE_LABEL, *labels],
                                            other_labels=others)
            statements.append((text, rows))
        for rtype, rows in sorted(by_type.items()):
            statements.append((_RelStatements(
                Q["existing_rels"].render(self.schema, types=rtype),
                Q["create_rels"].render(self.schema, types=rtype),
                Q["upsert_rels"].render(self.schema, types=rtype)), rows))
        if plan.delete:
            statements.append((_DeleteStatement(Q["delete_nodes"].literal),
                               [{"id": d} for d in plan.delete]))
        return _Prepared(statements, plan, BatchResult(
            nodes=plan.accepted_nodes, rels=plan.accepted_rels, changes=plan.changes))

    def _date_keys(self, key: tuple[str, ...] | str) -> frozenset[str]:
        """Date-typed property names of a label set or a relationship type (cached)."""
        hit = self._date_cache.get(key)
        if hit is None:
            defs = (self.schema.relationships[key].properties if isinstance(key, str)
                    else self.schema.node_properties(key))
            hit = self._date_cache[key] = frozenset(
                k for k, p in defs.items() if p.type == "date")
        return hit

    def _commit(self, prepared: _Prepared) -> BatchResult:
        if prepared.statements:
            # a batch: the load's own timeout
            self._run(True, lambda tx: self._statements(tx, prepared), self.load_timeout)
            self.generation += 1
        return prepared.result

    @staticmethod
    def _statements(tx: ManagedTransaction, prepared: _Prepared) -> None:
        for text, rows in prepared.statements:
            if isinstance(text, _DeleteStatement):  # after every write of the batch
                tx.run(text.text, {"ids": [r["id"] for r in rows]}).consume()
                continue
            for i in range(0, len(rows), CHUNK):
                chunk = rows[i:i + CHUNK]
                if not isinstance(text, _RelStatements):
                    tx.run(text, {"rows": chunk}).consume()
                    continue
                # Relationships new to the graph (all of them in a first load) take
                # a plain CREATE; the few that exist take the full upsert.
                found = {r["id"] for r in tx.run(text.existing,
                                                 {"ids": [r["id"] for r in chunk]})}
                new = [r for r in chunk if r["id"] not in found]
                old = [r for r in chunk if r["id"] in found]
                if new:
                    tx.run(text.create, {"rows": new}).consume()
                if old:
                    tx.run(text.upsert, {"rows": old}).consume()

    @contextmanager
    def unit(self) -> Iterator[None]:
        """Everything this thread writes inside (batches, meta) goes to Neo4j as one
        transaction when the unit ends: all of it, or — on an error, or a kill —
        nothing. Each batch is planned against the store and the unit's batches
        before it; until the end, other reads do not see them. At most
        :data:`UNIT_MAX` records (a bigger load: split it, or bulk-import)."""
        st = self._local
        if getattr(st, "unit", None) is not None:
            st.depth += 1
            try:
                yield
            finally:
                st.depth -= 1
            return
        st.unit, st.meta, st.depth, st.size = [], {}, 1, 0
        st.view = MemoryView(StoreView(self))
        try:
            yield
            prepared, meta = st.unit, st.meta
        finally:
            st.unit = st.view = None
        if not prepared and not meta:
            return
        meta_q = [Q["put_meta"](key=k, value=json.dumps(v, ensure_ascii=False))
                  for k, v in meta.items()]

        def work(tx: ManagedTransaction) -> None:
            for p in prepared:
                self._statements(tx, p)
            for text, params in meta_q:
                tx.run(text, params).consume()

        self._run(True, work, self.load_timeout)
        self.generation += 1

    def _in_unit(self) -> Any:
        st = self._local
        return st if getattr(st, "unit", None) is not None else None

    def upsert(self, nodes: Iterable[Node | dict[str, Any]] = (),
               rels: Iterable[Rel | dict[str, Any]] = (), *, as_of: str | None = None,
               replace: bool = False, dry_run: bool = False,
               delete: Iterable[str] = (), history: bool = True) -> BatchResult:
        unit = self._in_unit()
        prepared = self._prepare(nodes, rels, as_of=as_of, replace=replace, delete=delete,
                                 history=history, base=unit.view if unit else None)
        if dry_run:
            return prepared.result
        if unit is None:
            return self._commit(prepared)
        unit.size += len(prepared.plan.nodes) + len(prepared.plan.rels)
        if unit.size > UNIT_MAX:
            raise GraphError(f"a load of more than {UNIT_MAX:,} records is more than one "
                             "Neo4j transaction should hold: split the file, or bulk-import "
                             "it (scripts/neo4j-server import)")
        unit.unit.append(prepared)
        unit.view.put(prepared.plan)
        return prepared.result

    def upsert_stream(self, batches: Iterable[tuple[list[Any], list[Any]]],
                      progress: Callable[[int], Any] | None = None, *,
                      as_of: str | None = None, replace: bool = False) -> BatchResult:
        """Upsert batch after batch, each in its own transaction, planning the next
        batch while the server writes the current one (a writer thread: Python's
        checks and the server's work overlap). Stops at the first error, with the
        batches before it written and none after."""
        total = BatchResult(nodes=0, rels=0)
        if self._in_unit() is not None:  # written at the unit's end: no writer to overlap
            for nodes, rels in batches:
                done = self.upsert(nodes, rels, as_of=as_of, replace=replace)
                total["nodes"] += done["nodes"]
                total["rels"] += done["rels"]
                total.changes.add(done.changes)
                if progress is not None:
                    progress(done["nodes"] + done["rels"])
            return total
        todo: queue.Queue[_Prepared | None] = queue.Queue(maxsize=1)
        failed: list[BaseException] = []

        def writer() -> None:
            while (item := todo.get()) is not None:
                if failed:
                    continue
                try:
                    done = self._commit(item)
                except BaseException as e:  # noqa: BLE001 - handed to the caller
                    failed.append(e)
                    continue
                total["nodes"] += done["nodes"]
                total["rels"] += done["rels"]
                total.changes.add(done.changes)
                if progress is not None:
                    progress(done["nodes"] + done["rels"])

        # Into an empty database (a first load, a restore), what is stored is what this
        # stream wrote: the planner asks the server only about items given twice.
        fresh = _StreamView(self, self.schema) if self._empty() else None
        thread = threading.Thread(target=writer, name="neo4j-writer", daemon=True)
        thread.start()
        # Not yet committed while the next batch is planned: the batch in the queue
        # and the one the writer is on, i.e. the last two put.
        recent: deque[Plan] = deque(maxlen=2)
        try:
            for nodes, rels in batches:
                if failed:
                    break
                prepared = self._prepare(nodes, rels, as_of=as_of, replace=replace,
                                         pending=list(recent), base=fresh)
                todo.put(prepared)  # waits while the writer is busy with two batches
                recent.append(prepared.plan)
                if fresh is not None:
                    fresh.add(prepared.plan)
        finally:
            todo.put(None)
            thread.join()
        if failed:
            raise failed[0]
        return total

    def _empty(self) -> bool:
        def work(tx: ManagedTransaction) -> bool:
            rec = tx.run(Q["count_nodes"].literal).single()
            return rec is None or not rec["n"]

        return self._read(work)

    # ------------------------------------------------------------ reads
    def get_node(self, node_id: str) -> Node:
        found = self.get_nodes([node_id])
        if node_id not in found:
            raise NodeNotFound(node_id)
        return found[node_id]

    def get_nodes(self, node_ids: Iterable[str]) -> dict[str, Node]:
        ids = list(dict.fromkeys(node_ids))
        if not ids:
            return {}

        def work(tx: ManagedTransaction) -> dict[str, Node]:
            out = {}
            for i in range(0, len(ids), CHUNK):
                text, params = Q["get_nodes"](ids=ids[i:i + CHUNK])
                for rec in tx.run(text, params):
                    out[rec["id"]] = Node(rec["id"], _labels(rec["labels"]), _props(rec["props"]))
            return out

        return self._read(work)

    def _adjacent_rows(self, node_id: str, types: Sequence[str] | None, direction: Direction,
                       labels: Sequence[str] | None, with_props: bool) -> list[Any]:
        if direction not in ("out", "in", "both"):
            raise GraphError(f"direction {direction!r} must be 'out', 'in' or 'both'")
        text, params = Q["adjacent"](
            id=node_id, outgoing=direction in ("out", "both"),
            incoming=direction in ("in", "both"),
            types=list(types) if types is not None else None,
            labels=list(labels) if labels is not None else None, with_props=with_props)
        exists_text, exists_params = Q["get_nodes"](ids=[node_id])

        def work(tx: ManagedTransaction) -> list[Any] | None:
            if tx.run(exists_text, exists_params).single() is None:
                return None
            return [(r["dir"], r["type"], r["rprops"], r["other"], r["labels"], r["mprops"])
                    for r in tx.run(text, params)]

        rows = self._read(work)
        if rows is None:
            raise NodeNotFound(node_id)
        out = []
        for side, rtype, rprops, other, labs, mprops in rows:
            rp = _props(rprops)
            rid = rprops.get("id", "")
            start, end = (node_id, other) if side == "out" else (other, node_id)
            out.append((side, Rel(rtype, start, end, rp, rid), other, _labels(labs), mprops))
        out.sort(key=lambda t: (t[0] != "out", t[1].type, t[2], t[1].id))
        return out

    def neighbours(self, node_id: str, types: Sequence[str] | None = None,
                   direction: Direction = "both",
                   labels: Sequence[str] | None = None) -> list[Neighbour]:
        return [Neighbour(rel, Node(other, labs, _props(mp)), side)
                for side, rel, other, labs, mp in self._adjacent_rows(node_id, types, direction,
                                                                      labels, True)]

    def adjacent(self, node_id: str, types: Sequence[str] | None = None,
                 direction: Direction = "both",
                 labels: Sequence[str] | None = None) -> list[Adjacent]:
        return [Adjacent(rel, other, labs, side)
                for side, rel, other, labs, _ in self._adjacent_rows(node_id, types, direction,
                                                                     labels, False)]

    def adjacent_many(self, node_ids: Sequence[str], types: Sequence[str] | None = None,
                      direction: Direction = "both",
                      labels: Sequence[str] | None = None) -> dict[str, list[Adjacent]]:
        ids = list(dict.fromkeys(node_ids))
        if not ids:
            return {}
        if direction not in ("out", "in", "both"):
            raise GraphError(f"direction {direction!r} must be 'out', 'in' or 'both'")
        flags = {"outgoing": direction in ("out", "both"), "incoming": direction in ("in", "both"),
                 "types": list(types) if types is not None else None,
                 "labels": list(labels) if labels is not None else None}

        def work(tx: ManagedTransaction) -> dict[str, list[Adjacent]]:
            out: dict[str, list[Adjacent]] = {}
            for i in range(0, len(ids), CHUNK):
                chunk = ids[i:i + CHUNK]
                text, params = Q["existing_ids"](ids=chunk)
                for rec in tx.run(text, params):
                    out[rec["id"]] = []
                text, params = Q["adjacent_many"](ids=chunk, **flags)
                for r in tx.run(text, params):
                    rp = _props(r["rprops"])
                    rid = r["rprops"].get("id", "")
                    nid, other = r["id"], r["other"]
                    start, end = (nid, other) if r["dir"] == "out" else (other, nid)
                    out[nid].append(Adjacent(Rel(r["type"], start, end, rp, rid), other,
                                             _labels(r["labels"]), r["dir"]))
            for adj in out.values():
                adj.sort(key=lambda a: (a.direction != "out", a.rel.type, a.other, a.rel.id))
            return out

        return self._read(work)

    def count_current(self, node_ids: Sequence[str], type_: str,
                      direction: Literal["out", "in"], labels: Sequence[str] | None,
                      day: str) -> dict[str, int]:
        if direction not in ("out", "in"):
            raise GraphError(f"direction {direction!r} must be 'out' or 'in'")
        ids = list(dict.fromkeys(node_ids))

        def work(tx: ManagedTransaction) -> dict[str, int]:
            out: dict[str, int] = {}
            for i in range(0, len(ids), CHUNK):
                text, params = Q["count_current"](
                    ids=ids[i:i + CHUNK], type=type_, outgoing=direction == "out", day=day,
                    labels=list(labels) if labels is not None else None)
                for rec in tx.run(text, params):
                    out[rec["id"]] = rec["n"]
            return out

        return self._read(work) if ids else {}

    def read_cypher(self, query: CypherQuery, slots: dict[str, Any] | None = None,
                    bulk: bool = False, **params: Any) -> list[dict[str, Any]]:
        """Run one named read query of a ``.cypher`` file; rows as dicts. ``bulk``: a
        read of the whole graph (the search index's names), under the load's timeout."""
        query.check(params)
        text = query.render(self.schema, **slots) if slots else query.literal

        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return [_plain(r.data()) for r in tx.run(text, params)]

        return self._run(False, work, self.load_timeout if bulk else None)

    def nodes(self, label: str) -> Iterator[Node]:
        if label not in self.schema.labels:
            return iter(())
        text = Q["nodes_by_label"].render(self.schema, labels=label)

        def work(tx: ManagedTransaction) -> list[Node]:
            return [Node(r["id"], _labels(r["labels"]), _props(r["props"]))
                    for r in tx.run(text)]

        return iter(self._read(work))

    def rels(self, type_: str, page: int = 20_000) -> Iterator[Rel]:
        if type_ not in self.schema.relationships:
            return
        text = Q["rels_by_type"].render(self.schema, types=type_)

        def work(after: str) -> Callable[[ManagedTransaction], list[Rel]]:
            def run(tx: ManagedTransaction) -> list[Rel]:
                return [Rel(type_, r["start"], r["end"], _props(r["props"]), r["id"])
                        for r in tx.run(text, {"after": after, "limit": page})]
            return run

        after = ""
        while batch := self._read(work(after)):
            yield from batch
            after = batch[-1].id

    @functools.cached_property
    def _counts_text(self) -> str:
        """One statement counting every label and type (and all nodes, last): planned
        once by the server, then cached — a hundred count queries in one transaction
        took 0.25 s at 50,000 residents, this takes milliseconds."""
        parts = ([Q["count_label_part"].render(self.schema, labels=lab)
                  for lab in self.schema.labels]
                 + [Q["count_type_part"].render(self.schema, types=t)
                    for t in self.schema.relationships]
                 + [Q["count_label_part"].render(self.schema, labels=BASE_LABEL)])
        return "RETURN " + ", ".join(f"{p.strip()} AS c{i}" for i, p in enumerate(parts))

    def counts(self) -> Counts:
        labels, types = list(self.schema.labels), list(self.schema.relationships)
        text = self._counts_text

        def work(tx: ManagedTransaction) -> Counts:
            rec = tx.run(text).single()
            assert rec is not None
            got = [int(rec[f"c{i}"]) for i in range(len(labels) + len(types) + 1)]
            by_label = dict(zip(labels, got[:len(labels)], strict=True))
            by_type = dict(zip(types, got[len(labels):-1], strict=True))
            return Counts(labels={k: v for k, v in sorted(by_label.items()) if v},
                          relationships={k: v for k, v in sorted(by_type.items()) if v},
                          nodes=got[-1], rels=sum(by_type.values()))

        return self._read(work)

    def count_any(self, labels: Sequence[str]) -> int:
        if not labels:
            return 0
        where = " OR ".join(Q["has_label_part"].render(self.schema, labels=lab).strip()
                            for lab in labels)
        text = f"MATCH (n:{BASE_LABEL}) WHERE {where} RETURN count(n) AS n"
        return int(self._read(lambda tx: tx.run(text).single()["n"]))  # type: ignore[index]

    def put_meta(self, key: str, value: Any) -> None:
        unit = self._in_unit()
        if unit is not None:  # kept with the unit's batches
            unit.meta[key] = value
            return
        text, params = Q["put_meta"](key=key, value=json.dumps(value, ensure_ascii=False))
        self._write(lambda tx: tx.run(text, params).consume())

    def meta_default(self, key: str, value: Any) -> Any:
        text, params = Q["meta_default"](key=key, value=json.dumps(value, ensure_ascii=False))
        raw = self._write(lambda tx: tx.run(text, params).single()["value"])  # type: ignore[index]
        return json.loads(raw)

    def get_meta(self, key: str) -> Any | None:
        unit = self._in_unit()
        if unit is not None and key in unit.meta:
            return unit.meta[key]
        text, params = Q["get_meta"](key=key)

        def work(tx: ManagedTransaction) -> Any:
            rec = tx.run(text, params).single()
            return rec["value"] if rec else None

        raw = self._read(work)
        return json.loads(raw) if raw is not None else None

    def clear(self) -> None:
        """Delete every node and relationship (the tests begin each case with it)."""
        for name in ("clear_some_rels", "clear_some"):
            def work(tx: ManagedTransaction, q: Any = Q[name].literal) -> int:
                return int(tx.run(q).single()["n"])  # type: ignore[index]

            while self._write(work):
                pass


class _StreamView:
    """The stored graph for a stream of batches into a database that was empty when it
    began: everything in it came from this stream, so only ids, labels, ID numbers
    and names the stream wrote are kept, and the server is asked only about an item
    the stream gives again (a :class:`graph.write.StoredView`)."""

    def __init__(self, store: Neo4jStore, schema: Schema) -> None:
        self.store, self.schema = store, schema
        self.labels: dict[str, tuple[str, ...]] = {}
        self.numbers: dict[str, str] = {}
        self.rel_ids: set[str] = set()
        self.pairs: set[tuple[str, str, str]] = set()
        self.names: set[str] = set()

    def add(self, plan: Plan) -> None:
        for n in plan.nodes:
            self.labels[n.id] = n.labels
            number = n.properties.get("id_number")
            if number is not None:
                self.numbers[number] = n.id
            if "Person" in n.labels:
                self.names.add(n.name)
        for r in plan.rels:
            self.rel_ids.add(r.id)
            if self.schema.relationships[r.type].history:
                self.pairs.add((r.type, r.start, r.end))

    def nodes(self, ids: Iterable[str]) -> dict[str, Node]:
        again = [i for i in ids if i in self.labels]
        return self.store.get_nodes(again) if again else {}

    def node_labels(self, ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        labels = self.labels
        return {i: labels[i] for i in ids if i in labels}

    def people_by_id_number(self, numbers: Iterable[str]) -> dict[str, str]:
        held = self.numbers
        return {n: held[n] for n in numbers if n in held}

    def rels(self, type_: str, ids: Iterable[str]) -> dict[str, Rel]:
        again = [i for i in ids if i in self.rel_ids]
        return self.store.rels_by_id(type_, again) if again else {}

    def rels_between(self, type_: str, pairs: Iterable[tuple[str, str]]
                     ) -> dict[tuple[str, str], list[Rel]]:
        again = [p for p in pairs if (type_, *p) in self.pairs]
        return self.store.rels_between(type_, again) if again else {}

    def people_named(self, names: Iterable[str]) -> dict[str, list[Node]]:
        again = [n for n in names if n in self.names]
        return self.store.nodes_named("Person", again) if again else {}
