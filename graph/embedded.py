"""The embedded store: SQLite is the record, a networkx MultiDiGraph the query index.

SQLite runs in WAL mode with ``synchronous=FULL``; one batch is one transaction,
so after a crash a batch is there entirely or not at all. The in-memory index is
rebuilt from SQLite when the store opens and updated only after a commit.

Readers in other threads (the API's) never see a batch half applied: every read takes
a shared lock for the time of the call, and a batch's commit and its index update
happen under the exclusive one, so a read waits at most for one batch's commit and
index update (a waiting writer holds back new readers; a thread already reading reads
on). Reads of the record go through a connection of each thread's own, which sees
committed batches only.

One process writes at a time: a writable store holds an exclusive lock on
``<file>.lock``; read-only stores take no lock.

Why one module of ~850 lines: it is one class, the store contract on SQLite and
networkx, whose reads, writes and index build share private state that must change
together under one lock (the index, the label sets, the ID-number map, each thread's
reader connection). Cutting it by method group would mean mixins sharing ``self``;
what is separable is separate: the write rules (:mod:`graph.write`) and the damage
checks (:mod:`graph.embedded_check`).

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "g.db")
>>> s = EmbeddedStore(path)
>>> s.upsert([{"id": "s1", "labels": ["Street"], "properties": {"name": "新桥街道"}},
...           {"id": "c1", "labels": ["Community"], "properties": {"name": "上星"}}],
...          [{"type": "PART_OF", "start": "c1", "end": "s1"}])
{'nodes': 2, 'rels': 1}
>>> [n.node.id for n in s.neighbours("s1", ["PART_OF"], "in")]
['c1']
>>> s.close()
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from sys import intern
from typing import Any, Literal

import networkx as nx

from graph.capacity import check_capacity
from graph.embedded_check import (
    PAGE,
    Problems,
    check_store,
    decode,
    end_problem,
    label_problem,
    refuse_foreign,
)
from graph.embedded_search import SearchIndex
from graph.errors import GraphError, NodeNotFound, StoreDamaged, StoreUnavailable
from graph.model import Adjacent, Counts, Direction, Neighbour, Node, Rel, is_current
from graph.names import RANKS, Candidate, SearchField
from graph.schema import Schema, get_schema
from graph.store import BatchResult
from graph.write import Plan, StoreView, plan_batch

__all__ = ["EmbeddedStore", "check_store"]

LABELS = "_labels"  # reserved key of a node's attribute dict in the index
TYPE = "_type"  # reserved key of an edge's attribute dict in the index

_DDL = """
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY,
    labels TEXT NOT NULL,
    props TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rels (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    start TEXT NOT NULL,
    "end" TEXT NOT NULL,
    props TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"""

#: a typed walk of a node with more neighbours than this reads them grouped by type
_TYPED_AFTER = 32
_TYPED_MAX = 50_000  # groupings made by walks kept at most (more: walked one by one)
_FREEZE_AFTER = 5_000  # records of a batch past which its index entries are frozen
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _by_type(adj: dict[str, dict[str, dict[str, Any]]]) -> dict[str, list[tuple[str, str]]]:
    """One node's relationships on one side, grouped by type: (other id, rel id)."""
    typed: dict[str, list[tuple[str, str]]] = {}
    for other, keydict in adj.items():
        for rid, ed in keydict.items():
            typed.setdefault(ed[TYPE], []).append((other, rid))
    return typed


def _hop(side: str, node_id: str, other: str, rtype: str, rid: str, ed: dict[str, Any],
         od: dict[str, Any]) -> tuple[str, Rel, str, dict[str, Any]]:
    """One step of a walk: (side, the relationship, other id, other's index dict)."""
    if len(ed) > 1:  # the index's dict less its type (a copy: C speed)
        props = ed.copy()
        del props[TYPE]
    else:
        props = {}
    start, end = (node_id, other) if side == "out" else (other, node_id)
    return side, Rel(rtype, start, end, props, rid), other, od


class _ReadWrite:
    """Many readers or one writer. A waiting writer holds back new readers, but a
    thread already reading reads on (nested reads never wait), so the writer waits
    only for the calls in flight."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writing = False
        self._waiting = 0
        self._local = threading.local()

    @contextmanager
    def read(self) -> Iterator[None]:
        local = self._local
        depth = getattr(local, "depth", 0)
        if depth:
            local.depth = depth + 1
            try:
                yield
            finally:
                local.depth = depth
            return
        with self._cond:
            while self._writing or self._waiting:
                self._cond.wait()
            self._readers += 1
        local.depth = 1
        try:
            yield
        finally:
            local.depth = 0
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        if getattr(self._local, "depth", 0):
            raise GraphError("a write from inside a read of the same store")
        with self._cond:
            self._waiting += 1
            try:
                while self._writing or self._readers:
                    self._cond.wait()
            finally:
                self._waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class EmbeddedStore:
    """SQLite + networkx backend of :class:`graph.store.GraphStore`."""

    backend = "embedded"
    #: records per transaction for bulk loads
    preferred_batch_size = 20_000
    #: reads are CPU work on the in-memory index: no network to wait for
    reads_block = False
    #: True: writes past the memory budget are tried anyway (``--force``)
    allow_beyond_memory = False

    def __init__(self, path: str | os.PathLike[str], *, read_only: bool = False,
                 schema: Schema | None = None) -> None:
        self.schema = schema or get_schema()
        self.path = Path(path)
        self.read_only = read_only
        self._lock = threading.RLock()  # one writer (of this process) at a time
        self._rw = _ReadWrite()  # readers against the index update of a batch
        self._readers = threading.local()  # each thread's connection for reads
        self._reader_dbs: list[sqlite3.Connection] = []
        self._unit_depth = 0  # > 0 inside unit(): batches join one transaction
        self._unit_thread: int | None = None  # the thread whose unit it is
        self._lockfile: Any = None
        self._label_cache: dict[str, tuple[str, ...]] = {}
        #: (node id, side) -> relationship type -> [(other id, rel id)], for nodes of
        #: many relationships, made with the index and at their first typed walk: a
        #: building's head is found without reading its hundreds of residents. A
        #: change to a node's relationships drops its entries (under the exclusive
        #: lock). Pairs of strings only: the collector stops tracking them, so a full
        #: collection does not walk the cache.
        self._typed: dict[tuple[str, str], dict[str, list[tuple[str, str]]]] = {}
        self._by_label: dict[str, set[str]] = {}  # label -> node ids
        #: ID number -> person id: one person, one node (graph/write/)
        self._id_numbers: dict[str, str] = {}
        #: person name -> ids, built when first asked (candidate duplicates)
        self._person_names: dict[str, set[str]] | None = None
        #: bumped by every write, so caches built over the store know when to refresh
        self.generation = 0
        self._files: tuple[int | None, int | None] | None = None
        try:
            if read_only and not self.path.exists():
                raise StoreUnavailable(f"store {str(self.path)!r} does not exist")
            if self.path.exists() and self.path.stat().st_size == 0:
                raise StoreDamaged(str(self.path), [
                    "the file is empty (0 bytes), not a govgraph store (remove it to start "
                    "a new store there)"])
            if read_only:
                uri = f"file:{self.path.resolve()}?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._take_lock()
                self._db = sqlite3.connect(self.path, check_same_thread=False,
                                           isolation_level=None)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                # a 32 MiB page cache: bulk inserts into the id B-trees stop re-reading
                # pages (the 2 MiB default thrashes past ~100k rows)
                self._db.execute("PRAGMA cache_size=-32768")
                refuse_foreign(self._db, str(self.path))
                self._db.executescript(_DDL)
            self._db.execute("PRAGMA busy_timeout=5000")
            self.graph = self._build_index()
            # the search index (graph/embedded_search.py): in the file, made there when
            # missing or made by other rules; a read-only store without it searches a
            # copy made in memory at its first search
            self._search = SearchIndex()
            self._search_copy: sqlite3.Connection | None = None
            if not read_only:
                self._search.ensure(self._db, self._indexed_nodes())
                self._files = self._file_ids()
        except sqlite3.Error as e:
            self._abandon()
            raise StoreUnavailable(f"cannot open store {str(self.path)!r}: {e}") from e
        except GraphError:
            self._abandon()
            raise

    def _abandon(self) -> None:
        """After a failed open: nothing held."""
        db = getattr(self, "_db", None)
        if db is not None:
            db.close()
            self._db = None  # type: ignore[assignment]
        self._release_lock()

    def _file_ids(self) -> tuple[int | None, int | None]:
        """(inode of the store file, of its write-ahead log): a server that finds them
        changed has lost its files under it (a deleted ``-wal`` takes the writes not
        yet checkpointed with it)."""
        def ino(p: Path) -> int | None:
            try:
                return p.stat().st_ino
            except OSError:
                return None
        return ino(self.path), ino(self.path.with_name(self.path.name + "-wal"))

    def _check_files(self) -> None:
        if self._files is None:
            return
        now = self._file_ids()
        if self._files[1] is None and now[0] == self._files[0]:
            self._files = now  # the log made by the first write since open
        elif now != self._files:
            raise StoreUnavailable(
                f"the files of store {str(self.path)!r} changed under this process (its "
                "-wal deleted or replaced, or the file moved): writes not yet checkpointed "
                "may be lost; stop the server and run `govgraph check`")

    # ------------------------------------------------------------ lifecycle
    def _take_lock(self) -> None:
        lock_path = self.path.with_name(self.path.name + ".lock")
        f = open(lock_path, "a+")  # noqa: SIM115 - held for the store's lifetime
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            f.close()
            raise StoreUnavailable(
                f"store {str(self.path)!r} is open for writing by another process "
                "(stop it, or open the store read-only)"
            ) from e
        self._lockfile = f

    def _release_lock(self) -> None:
        if self._lockfile is not None:
            fcntl.flock(self._lockfile, fcntl.LOCK_UN)
            self._lockfile.close()
            self._lockfile = None

    def close(self) -> None:
        with self._lock, self._rw.write():
            for db in self._reader_dbs:
                db.close()
            self._reader_dbs.clear()
            if getattr(self, "_search_copy", None) is not None:
                self._search_copy.close()  # type: ignore[union-attr]
                self._search_copy = None
            if getattr(self, "_db", None) is not None:
                self._db.close()
                self._db = None  # type: ignore[assignment]
            self._release_lock()

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _labels_of(self, raw: str) -> tuple[str, ...]:
        hit = self._label_cache.get(raw)
        if hit is None:
            hit = tuple(raw.split(";"))
            self._label_cache[raw] = hit
        return hit

    def _build_index(self) -> nx.MultiDiGraph:
        """The index from the record, with the collector off while millions of
        long-lived objects are made (then frozen: out of its sight)."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            g = self._read_index()
            self._typed = {(nid, side): _by_type(adj[nid])
                           for side, adj in (("out", g._succ), ("in", g._pred))
                           for nid in adj if len(adj[nid]) > _TYPED_AFTER}
            return g
        finally:
            gc.freeze()
            if enabled:
                gc.enable()

    def _read_index(self) -> nx.MultiDiGraph:
        """The index; raises :class:`StoreDamaged` naming what no write of ours makes
        (a label or type outside the schema, a relationship to a missing node, a row
        that is not JSON)."""
        problems = Problems()
        schema_labels, schema_types = self.schema.labels, self.schema.relationships
        good_labels: dict[str, bool] = {}
        g = nx.MultiDiGraph()
        self._rel_count = 0
        node_map = g._node  # filled directly: add_nodes_from costs twice as much
        succ, pred = g._succ, g._pred
        # Properties are decoded a page at a time as one JSON array: the decoder
        # shares the key strings of one call, so a million nodes hold one "name"
        # string, not a million (a third less memory for the index).
        cur = self._db.execute("SELECT id, labels, props FROM nodes")
        while rows := cur.fetchmany(PAGE):
            for (nid, labels, _), d in zip(rows, decode(rows, 2, problems, "node"),
                                           strict=True):
                if d is None:
                    continue
                ok = good_labels.get(labels)
                if ok is None:
                    ok = good_labels[labels] = all(x in schema_labels
                                                   for x in labels.split(";"))
                if not ok:
                    problems.add(label_problem(nid, labels, schema_labels))
                    continue
                nid = intern(nid)  # the edges' ends below then share this string
                labs = d[LABELS] = self._labels_of(labels)
                number = d.get("id_number")
                if number is not None:
                    self._id_numbers[number] = nid
                for lab in labs:
                    by_label = self._by_label.get(lab)
                    if by_label is None:
                        by_label = self._by_label[lab] = set()
                    by_label.add(nid)
                node_map[nid] = d
                succ[nid] = {}
                pred[nid] = {}
        cur = self._db.execute('SELECT id, type, start, "end", props FROM rels')
        while rows := cur.fetchmany(PAGE):
            for (rid, rtype, start, end, _), d in zip(rows, decode(rows, 4, problems, "rel"),
                                                      strict=True):
                if d is None:
                    continue
                if rtype not in schema_types:
                    problems.add(f"relationship {rid!r} has type {rtype!r}, not in the schema")
                    continue
                if start not in succ or end not in pred:
                    problems.add(end_problem(rid, start if start not in succ else end))
                    continue
                d[TYPE] = rtype
                self._index_edge(succ, pred, rid, intern(start), intern(end), d)
                self._rel_count += 1
        if problems.total:
            raise StoreDamaged(str(self.path), problems.shown, problems.total)
        return g

    @staticmethod
    def _index_edge(succ: Any, pred: Any, rid: str, start: str, end: str,
                    d: dict[str, Any]) -> None:
        keydict = succ[start].get(end)
        if keydict is None:
            keydict = {}
            succ[start][end] = keydict
            pred[end][start] = keydict  # networkx shares the key dict both ways
        keydict[rid] = d

    # ------------------------------------------------------------ writes
    def init_schema(self) -> None:
        """Nothing to do: tables and indexes are made when the store opens."""

    def version(self) -> int:
        """Bumped by every write; no other process writes (the file is locked for it)."""
        return self.generation

    def upsert_stream(self, batches: Iterable[tuple[list[Any], list[Any]]],
                      progress: Callable[[int], Any] | None = None, *,
                      as_of: str | None = None, replace: bool = False) -> BatchResult:
        """:meth:`upsert` per batch (one process writes SQLite: nothing to overlap)."""
        total = BatchResult(nodes=0, rels=0)
        for nodes, rels in batches:
            done = self.upsert(nodes, rels, as_of=as_of, replace=replace)
            total["nodes"] += done["nodes"]
            total["rels"] += done["rels"]
            total.changes.add(done.changes)
            if progress is not None:
                progress(done["nodes"] + done["rels"])
        return total

    def upsert(self, nodes: Iterable[Node | dict[str, Any]] = (),
               rels: Iterable[Rel | dict[str, Any]] = (), *, as_of: str | None = None,
               replace: bool = False, dry_run: bool = False,
               delete: Iterable[str] = (), history: bool = True) -> BatchResult:
        if self.read_only and not dry_run:
            raise GraphError("this store was opened read-only")
        with self._lock:
            self._open_db()
            view = StoreView(self)
            plan = plan_batch(self.schema, nodes, rels, view, as_of=as_of, replace=replace,
                              delete=delete, history=history)
            if not dry_run:
                node_map = self.graph._node
                self.check_capacity(sum(n.id not in node_map for n in plan.nodes)
                                    + sum(r.id not in view.found_rels for r in plan.rels))
                self._write(plan, view.found_rels)
            return BatchResult(nodes=plan.accepted_nodes, rels=plan.accepted_rels,
                               changes=plan.changes)

    def records(self) -> int:
        """Nodes and relationships in the index."""
        return len(self.graph._node) + self._rel_count

    def check_capacity(self, incoming: int) -> None:
        """Refuse (:class:`~graph.capacity.CapacityExceeded`) ``incoming`` new records
        that would take the index past the memory this machine gives it, unless
        ``allow_beyond_memory``."""
        if not self.allow_beyond_memory:
            check_capacity(self.records(), incoming)

    def _write(self, plan: Plan, found: dict[str, Rel]) -> None:
        if not plan.nodes and not plan.rels and not plan.delete:
            return
        # Each table's rows go in as one JSON parameter of one statement: the sqlite3
        # module lets go of the GIL at every step, and with busy reader threads taking
        # it back costs up to a switch interval each time (a row at a time, a 2,000-row
        # batch took seconds behind two readers).
        # A row's properties ride as a JSON object, and ``->>`` gives back its text as
        # written (minified, the same bytes as dumping it alone).
        node_rows = _dumps([[n.id, ";".join(n.labels), n.properties] for n in plan.nodes])
        rel_rows = _dumps([[r.id, r.type, r.start, r.end, r.properties or None]
                           for r in plan.rels])
        old_ends = {r.id: (found[r.id].start, found[r.id].end) for r in plan.rels
                    if r.id in found}
        doomed = self._rels_touching(plan.delete)
        self._check_files()
        db = self._db
        alone = not self._unit_depth  # else the unit's transaction commits it
        try:
            if alone:
                db.execute("BEGIN IMMEDIATE")
            if plan.nodes:
                db.execute(
                    "INSERT INTO nodes(id, labels, props) "
                    "SELECT value->>0, value->>1, value->>2 FROM json_each(?) WHERE true "
                    "ON CONFLICT(id) DO UPDATE SET labels=excluded.labels, props=excluded.props",
                    (node_rows,))
            if plan.rels:
                db.execute(
                    'INSERT INTO rels(id, type, start, "end", props) '
                    "SELECT value->>0, value->>1, value->>2, value->>3, value->>4 "
                    "FROM json_each(?) WHERE true "
                    "ON CONFLICT(id) DO UPDATE SET type=excluded.type, start=excluded.start, "
                    '"end"=excluded."end", props=excluded.props',
                    (rel_rows,))
            if plan.delete:
                moved = {r.id for r in plan.rels}
                db.execute("DELETE FROM rels WHERE id IN (SELECT value FROM json_each(?))",
                           (_dumps([rid for rid in doomed if rid not in moved]),))
                db.execute("DELETE FROM nodes WHERE id IN (SELECT value FROM json_each(?))",
                           (_dumps(list(plan.delete)),))
            self._search.write(db, plan.nodes, plan.delete)  # the same transaction
        except sqlite3.Error as e:
            if db.in_transaction and alone:
                db.execute("ROLLBACK")
            raise StoreUnavailable(f"write to {str(self.path)!r} failed: {e}") from e
        with self._rw.write():  # readers see the batch whole, in the record and the index
            try:
                if alone:
                    db.execute("COMMIT")
            except sqlite3.Error as e:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise StoreUnavailable(f"write to {str(self.path)!r} failed: {e}") from e
            self._apply_to_index(plan.nodes, plan.rels, old_ends)
            if plan.delete:
                self._drop_from_index(plan.delete)
            self.generation += 1
        if len(plan.nodes) + len(plan.rels) >= _FREEZE_AFTER:
            # the index's new entries live as long as the store: out of the collector's
            # sight, a bulk load no longer rescans the whole index at every full
            # collection (a third of a 500,000-resident load went on that)
            gc.freeze()

    @contextmanager
    def unit(self) -> Iterator[None]:
        """Everything written inside (batches, meta) is kept whole or not at all: one
        SQLite transaction, committed at the end; on an error (or a kill) it is rolled
        back and the index rebuilt from the record. Other threads' writes wait till
        the unit ends; readers see its batches as they come (each whole)."""
        if self.read_only:
            raise GraphError("this store was opened read-only")
        with self._lock:
            if self._unit_depth:  # inside a unit already: part of it
                self._unit_depth += 1
                try:
                    yield
                finally:
                    self._unit_depth -= 1
                return
            db = self._open_db()
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as e:
                raise StoreUnavailable(f"write to {str(self.path)!r} failed: {e}") from e
            self._unit_depth, self._unit_thread = 1, threading.get_ident()
            try:
                yield
                with self._rw.write():
                    db.execute("COMMIT")
            except BaseException as e:
                self._unit_depth, self._unit_thread = 0, None
                self._roll_back()
                if isinstance(e, sqlite3.Error):
                    raise StoreUnavailable(f"write to {str(self.path)!r} failed: {e}") from e
                raise
            finally:
                self._unit_depth, self._unit_thread = 0, None

    def _roll_back(self) -> None:
        """A unit undone: the record rolled back, the index rebuilt from it."""
        with self._rw.write():
            db = self._db
            if db is not None and db.in_transaction:
                db.execute("ROLLBACK")
            self._by_label, self._id_numbers, self._person_names = {}, {}, None
            self._typed.clear()
            self.graph = nx.MultiDiGraph()  # the old index goes before the new one comes
            self.graph = self._build_index()
            self.generation += 1

    def _rels_touching(self, node_ids: list[str]) -> list[str]:
        g = self.graph
        out = []
        for nid in node_ids:
            for adj in (g._succ.get(nid, {}), g._pred.get(nid, {})):
                for keydict in adj.values():
                    out.extend(keydict)
        return out

    def _apply_to_index(self, nodes: list[Node], rels: list[Rel],
                        old_ends: dict[str, tuple[str, str]]) -> None:
        g = self.graph
        node_map, succ, pred = g._node, g._succ, g._pred
        typed = self._typed
        numbers, names = self._id_numbers, self._person_names
        for n in nodes:
            nid = intern(n.id)
            d = n.properties  # the plan's own dict, made for this write: the index keeps it
            d[LABELS] = n.labels
            old = node_map.get(nid)
            if old is None:
                succ[nid] = {}
                pred[nid] = {}
            else:
                for lab in old[LABELS]:
                    self._by_label[lab].discard(nid)
                was = old.get("id_number")
                if was is not None and numbers.get(was) == nid:
                    del numbers[was]
                if names is not None and "name" in old:
                    names.get(old["name"], set()).discard(nid)
            for lab in n.labels:
                self._by_label.setdefault(lab, set()).add(nid)
            number = d.get("id_number")
            if number is not None:
                numbers[number] = nid
            if names is not None and "Person" in n.labels:
                names.setdefault(str(d.get("name", "")), set()).add(nid)
            node_map[nid] = d
        for r in rels:
            typed.pop((r.start, "out"), None)
            typed.pop((r.end, "in"), None)
            old_end = old_ends.get(r.id)
            if old_end is None:
                self._rel_count += 1
            else:
                typed.pop((old_end[0], "out"), None)
                typed.pop((old_end[1], "in"), None)
                keydict = succ[old_end[0]][old_end[1]]
                del keydict[r.id]
                if not keydict:
                    del succ[old_end[0]][old_end[1]]
                    del pred[old_end[1]][old_end[0]]
            d = r.properties
            d[TYPE] = r.type
            self._index_edge(succ, pred, r.id, intern(r.start), intern(r.end), d)

    def _drop_from_index(self, node_ids: list[str]) -> None:
        g = self.graph
        node_map, succ, pred = g._node, g._succ, g._pred
        typed = self._typed
        for nid in node_ids:
            d = node_map.pop(nid, None)
            if d is None:
                continue
            typed.pop((nid, "out"), None)
            typed.pop((nid, "in"), None)
            out_, in_ = succ.get(nid, {}), pred.get(nid, {})
            self._rel_count -= sum(map(len, out_.values())) + sum(
                len(keys) for other, keys in in_.items() if other != nid)  # a loop once
            for other in succ.pop(nid, {}):
                pred[other].pop(nid, None)
                typed.pop((other, "in"), None)
            for other in pred.pop(nid, {}):
                succ[other].pop(nid, None)
                typed.pop((other, "out"), None)
            for lab in d[LABELS]:
                self._by_label[lab].discard(nid)
            number = d.get("id_number")
            if number is not None and self._id_numbers.get(number) == nid:
                del self._id_numbers[number]
                # a store written before one person was one node may hold the number
                # twice: the other holder keeps it
                for other in self._by_label.get("Person", ()):
                    if node_map[other].get("id_number") == number:
                        self._id_numbers[number] = other
                        break
            if self._person_names is not None:
                self._person_names.get(str(d.get("name", "")), set()).discard(nid)

    def node_labels(self, node_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        self._open_db()
        with self._rw.read():
            node_map = self.graph._node
            return {i: d[LABELS] for i in node_ids if (d := node_map.get(i)) is not None}

    def people_by_id_number(self, numbers: Iterable[str]) -> dict[str, str]:
        self._open_db()
        with self._rw.read():
            held = self._id_numbers
            return {v: held[v] for v in numbers if v in held}

    def nodes_named(self, label: str, names: Iterable[str]) -> dict[str, list[Node]]:
        self._open_db()
        with self._rw.read():
            return self._nodes_named(label, names)

    def _nodes_named(self, label: str, names: Iterable[str]) -> dict[str, list[Node]]:
        node_map = self.graph._node
        if label == "Person":
            idx = self._person_index()
            return {nm: [self._node(i, node_map[i]) for i in sorted(idx[nm])]
                    for nm in dict.fromkeys(names) if idx.get(nm)}
        want = set(names)
        out: dict[str, list[Node]] = {}
        for i in sorted(self._by_label.get(label, ())):
            nm = node_map[i].get("name")
            if nm in want:
                out.setdefault(nm, []).append(self._node(i, node_map[i]))
        return out

    def rels_by_id(self, type_: str, ids: Iterable[str]) -> dict[str, Rel]:
        """(Of any type: ids are unique across types in the record, and a write that
        reuses one for another type must find it to move it.)"""
        succ = self.graph._succ
        idl = list(ids)
        out: dict[str, Rel] = {}
        db = self._reader()
        with self._rw.read():
            for i in range(0, len(idl), 900):
                chunk = idl[i : i + 900]
                marks = ",".join("?" * len(chunk))
                for rid, start, end in db.execute(
                        f'SELECT id, start, "end" FROM rels WHERE id IN ({marks})', chunk):
                    d = succ[start][end][rid]
                    props = {k: v for k, v in d.items() if k != TYPE}
                    out[rid] = Rel(d[TYPE], start, end, props, rid)
        return out

    def rels_between(self, type_: str, pairs: Iterable[tuple[str, str]]
                     ) -> dict[tuple[str, str], list[Rel]]:
        self._open_db()
        succ = self.graph._succ
        out: dict[tuple[str, str], list[Rel]] = {}
        with self._rw.read():
            for a, b in pairs:
                keydict = succ.get(a, {}).get(b)
                if not keydict:
                    continue
                found = [Rel(type_, a, b, {k: v for k, v in d.items() if k != TYPE}, rid)
                         for rid, d in sorted(keydict.items()) if d[TYPE] == type_]
                if found:
                    out[(a, b)] = found
        return out

    def _person_index(self) -> dict[str, set[str]]:
        if self._person_names is None:
            node_map = self.graph._node
            idx: dict[str, set[str]] = {}
            for i in self._by_label.get("Person", ()):
                idx.setdefault(str(node_map[i].get("name", "")), set()).add(i)
            self._person_names = idx
        return self._person_names

    # ------------------------------------------------------------ reads
    def _open_db(self) -> sqlite3.Connection:
        db = self._db
        if db is None:
            raise StoreUnavailable(f"store {str(self.path)!r} is closed")
        return db

    def _reader(self) -> sqlite3.Connection:
        """This thread's connection for reads: committed batches only, never the
        writer's transaction in progress (but the thread of a unit reads its own)."""
        if self._unit_thread == threading.get_ident():
            return self._open_db()
        self._open_db()
        db: sqlite3.Connection | None = getattr(self._readers, "db", None)
        if db is None:
            try:
                db = sqlite3.connect(f"file:{self.path.resolve()}?mode=ro", uri=True,
                                     check_same_thread=False)
                db.execute("PRAGMA busy_timeout=5000")
            except sqlite3.Error as e:
                raise StoreUnavailable(f"cannot read store {str(self.path)!r}: {e}") from e
            self._readers.db = db
            self._reader_dbs.append(db)
        return db

    def _node(self, nid: str, d: dict[str, Any]) -> Node:
        props = {k: v for k, v in d.items() if k != LABELS}
        return Node(nid, d[LABELS], props)

    def get_node(self, node_id: str) -> Node:
        self._open_db()
        d = self.graph._node.get(node_id)  # one look-up; a node's dict is replaced, not changed
        if d is None:
            raise NodeNotFound(node_id)
        return self._node(node_id, d)

    def get_nodes(self, node_ids: Iterable[str]) -> dict[str, Node]:
        self._open_db()
        node_map = self.graph._node
        with self._rw.read():
            found = {i: d for i in node_ids if (d := node_map.get(i)) is not None}
        return {i: self._node(i, d) for i, d in found.items()}

    def _walk(self, node_id: str, types: Sequence[str] | None, direction: Direction,
              labels: Sequence[str] | None) -> list[tuple[str, Rel, str, dict[str, Any]]]:
        """(side, rel, other id, other's index dict), sorted as the contract says."""
        self._open_db()
        with self._rw.read():
            return self._walk_index(node_id, types, direction, labels)

    def _walk_index(self, node_id: str, types: Sequence[str] | None, direction: Direction,
                    labels: Sequence[str] | None
                    ) -> list[tuple[str, Rel, str, dict[str, Any]]]:
        g = self.graph
        if node_id not in g._node:
            raise NodeNotFound(node_id)
        if direction not in ("out", "in", "both"):
            raise GraphError(f"direction {direction!r} must be 'out', 'in' or 'both'")
        want_types = set(types) if types is not None else None
        want_labels = set(labels) if labels is not None else None
        node_map = g._node
        out: list[tuple[str, Rel, str, dict[str, Any]]] = []
        for side, adj in (("out", g._succ), ("in", g._pred)):
            if direction != "both" and direction != side:
                continue
            if want_types is not None and len(adj[node_id]) > _TYPED_AFTER:
                self._walk_typed(node_id, side, adj, want_types, want_labels, out)
                continue
            for other, keydict in adj[node_id].items():
                od = None  # looked up once a relationship of a wanted type is found
                for rid, ed in keydict.items():
                    rtype = ed[TYPE]
                    if want_types is not None and rtype not in want_types:
                        continue
                    if od is None:
                        od = node_map[other]
                        if want_labels is not None and want_labels.isdisjoint(od[LABELS]):
                            break
                    out.append(_hop(side, node_id, other, rtype, rid, ed, od))
        out.sort(key=lambda t: (t[0] != "out", t[1].type, t[2], t[1].id))
        return out

    def _walk_typed(self, node_id: str, side: str, adj: Any, want_types: set[str],
                    want_labels: set[str] | None,
                    out: list[tuple[str, Rel, str, dict[str, Any]]]) -> None:
        """:meth:`_walk_index`'s loop for a node of many relationships, through the
        relationships grouped by type (made once, kept until they change)."""
        mine = adj[node_id]
        typed = self._typed.get((node_id, side))
        if typed is None:
            typed = _by_type(mine)
            if len(self._typed) < _TYPED_MAX:
                self._typed[(node_id, side)] = typed
        node_map = self.graph._node
        for rtype in want_types:
            for other, rid in typed.get(rtype, ()):
                ed = mine[other][rid]
                od = node_map[other]
                if want_labels is not None and want_labels.isdisjoint(od[LABELS]):
                    continue
                out.append(_hop(side, node_id, other, rtype, rid, ed, od))

    def count_current(self, node_ids: Sequence[str], type_: str,
                      direction: Literal["out", "in"], labels: Sequence[str] | None,
                      day: str) -> dict[str, int]:
        self._open_db()
        if direction not in ("out", "in"):
            raise GraphError(f"direction {direction!r} must be 'out' or 'in'")
        with self._rw.read():
            return self._count_current(node_ids, type_, direction, labels, day)

    def _count_current(self, node_ids: Sequence[str], type_: str,
                       direction: Literal["out", "in"], labels: Sequence[str] | None,
                       day: str) -> dict[str, int]:
        g = self.graph
        node_map = g._node
        adj = g._succ if direction == "out" else g._pred
        want = set(labels) if labels is not None else None
        out: dict[str, int] = {}
        for i in dict.fromkeys(node_ids):
            if i not in node_map:
                continue
            n = 0
            for other, keydict in adj[i].items():
                for ed in keydict.values():
                    if ed[TYPE] != type_:
                        continue
                    if not is_current(ed, day):
                        continue
                    if want is not None and want.isdisjoint(node_map[other][LABELS]):
                        continue
                    n += 1
            out[i] = n
        return out

    def neighbours(self, node_id: str, types: Sequence[str] | None = None,
                   direction: Direction = "both",
                   labels: Sequence[str] | None = None) -> list[Neighbour]:
        return [Neighbour(rel, self._node(other, od), side)  # type: ignore[arg-type]
                for side, rel, other, od in self._walk(node_id, types, direction, labels)]

    def adjacent(self, node_id: str, types: Sequence[str] | None = None,
                 direction: Direction = "both",
                 labels: Sequence[str] | None = None) -> list[Adjacent]:
        return [Adjacent(rel, other, od[LABELS], side)  # type: ignore[arg-type]
                for side, rel, other, od in self._walk(node_id, types, direction, labels)]

    def adjacent_many(self, node_ids: Sequence[str], types: Sequence[str] | None = None,
                      direction: Direction = "both",
                      labels: Sequence[str] | None = None) -> dict[str, list[Adjacent]]:
        node_map = self.graph._node
        with self._rw.read():  # the nodes' lists as of one moment
            return {i: self.adjacent(i, types, direction, labels)
                    for i in dict.fromkeys(node_ids) if i in node_map}

    def nodes(self, label: str) -> Iterator[Node]:
        self._open_db()
        node_map = self.graph._node
        with self._rw.read():  # taken as of one moment, given out after
            found = [(i, node_map[i]) for i in sorted(self._by_label.get(label, ()))]
        for i, d in found:
            yield self._node(i, d)

    def rels(self, type_: str) -> Iterator[Rel]:
        db = self._reader()
        cur = db.execute('SELECT id, start, "end", props FROM rels WHERE type = ? ORDER BY id',
                         (type_,))
        while rows := cur.fetchmany(10_000):
            for rid, start, end, props in rows:
                yield Rel(type_, start, end, json.loads(props) if props else {}, rid)

    def counts(self) -> Counts:
        db = self._reader()
        with self._rw.read():
            labels = {lab: len(ids) for lab, ids in self._by_label.items() if ids}
            nodes = self.graph.number_of_nodes()
            types: dict[str, int] = {}
            for row in db.execute("SELECT type, count(*) FROM rels GROUP BY type"):
                types[row[0]] = row[1]
        return Counts(
            labels=dict(sorted(labels.items())),
            relationships=dict(sorted(types.items())),
            nodes=nodes,
            rels=sum(types.values()),
        )

    # ------------------------------------------------------------ search
    def _indexed_nodes(self) -> Iterator[Node]:
        """Every node of the index, its dict as properties (no copy: read, not kept)."""
        for nid, d in self.graph._node.items():
            yield Node(nid, d[LABELS], d)

    def search_names(self, text: str, field: SearchField,
                     ranks: Sequence[int] = RANKS) -> Iterator[Candidate]:
        """Candidates from the FTS5 index (graph/embedded_search.py), in (rank, id)
        order, a page at a time (each page read as of one moment)."""
        db = self._reader()
        if self.read_only and (self._search_copy is not None or not SearchIndex.current(db)):
            db = self._search_copy_db()
        return self._search.stream(db, text, field, ranks, self._rw.read)

    def _search_copy_db(self) -> sqlite3.Connection:
        with self._lock:
            if self._search_copy is None:
                copy = sqlite3.connect(":memory:", check_same_thread=False,
                                       isolation_level=None)
                with self._rw.read():
                    self._search.ensure(copy, self._indexed_nodes())
                self._search_copy = copy
            return self._search_copy

    def count_any(self, labels: Sequence[str]) -> int:
        self._open_db()
        with self._rw.read():
            return len(set().union(*(self._by_label.get(lab, ()) for lab in labels)))

    def ping(self) -> bool:
        self._open_db()  # a closed store says so first (closing removes the -wal)
        self._check_files()
        self._reader().execute("SELECT 1").fetchone()
        return True

    def put_meta(self, key: str, value: Any) -> None:
        if self.read_only:
            raise GraphError("this store was opened read-only")
        with self._lock:
            self._open_db().execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, _dumps(value)),
            )

    def meta_default(self, key: str, value: Any) -> Any:
        if self.read_only:
            raise GraphError("this store was opened read-only")
        with self._lock:  # one writer in this process; the file lock keeps out others
            db = self._open_db()
            db.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING",
                       (key, _dumps(value)))
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0])

    def get_meta(self, key: str) -> Any | None:
        row = self._reader().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def integrity_check(self) -> str:
        return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])
