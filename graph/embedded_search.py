"""The embedded store's search index: SQLite FTS5 with the trigram tokenizer, in the
store's own file and transaction (a batch's nodes are searchable when it commits, and a
rolled-back batch leaves no trace in it).

``search_docs`` holds each node's keys (:func:`graph.names.search_keys`) — ``name``
(``^name$``), ``short`` (``^short$`` per short name), ``spell`` (``^pinyin`` per full
pinyin and initials) — and is the *external content* of two FTS5 indexes: ``search_names``
over name and short, ``search_spell`` over spell (apart, a name's trigrams are not lost
among the far more numerous pinyin ones: a Latin text's search of the names took 7–20 ms
at 500,000 residents when they shared an index, nothing apart). The markers make the
start and the end of a key searchable by trigrams: ``"^王芳"`` is a 2-character prefix,
``"^上星$"`` an exact name. The indexes keep no positions (``detail='none'``: a third of
the time to write them, half the size): a text is looked for as the trigrams it holds,
and what they find is checked by :func:`queries.search.rank`.

Rows are numbered so that a search reads its candidates **in rank order, then id
order, and stops as soon as it has enough**: ``row = rank << 40 | position``, positions
in id order within a rank (new ids take a position between their neighbours', spaced
by :data:`GAP`; when no position is free they go to the rank's *tail*, at ``2**39`` and
up, read whole and merged in). A tail past :data:`TAIL_MAX` rows is folded back by
renumbering (:meth:`SearchIndex.rebuild`).

Measured at 500,000 residents (bench/search_embedded.py, bench/results/search*.json):
the trigram FTS cannot match fewer than 3 characters and a ``LIKE`` scan of the
526,000 rows takes 65–90 ms, so 1–2 character texts use the markers (a 2-character
prefix, an exact key) and scan only the organisations and places (rank 0, about
1,400 rows: under a millisecond) for substrings.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from graph.model import Node
from graph.names import (
    PLACES,
    RANKS,
    Candidate,
    SearchField,
    search_keys,
    search_text,
    typo_parts,
)

__all__ = ["SearchIndex", "DDL", "VERSION", "GAP", "TAIL_MAX", "match_expression"]

#: bumped when the keys a node gets (graph/names.py) or the tables change: rebuilt
VERSION = 3
#: positions between two neighbours written in id order
GAP = 1 << 16
#: tail rows (all ranks) past which the index is renumbered
TAIL_MAX = 20_000
#: new ids out of order in a rank up to which each finds its neighbours by id; past it,
#: the ordered rows they fall among are read once
LATE_FEW = 64
_RANK = 40
_TAIL = 1 << 39
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

DDL = """
CREATE TABLE IF NOT EXISTS search_docs (
    row INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    labels TEXT NOT NULL,
    name TEXT NOT NULL,
    short TEXT NOT NULL,
    spell TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS search_docs_id ON search_docs(id);
CREATE VIRTUAL TABLE IF NOT EXISTS search_names USING fts5(
    name, short, content='search_docs', content_rowid='row',
    tokenize='trigram', detail='none', columnsize=0);
CREATE VIRTUAL TABLE IF NOT EXISTS search_spell USING fts5(
    spell, content='search_docs', content_rowid='row',
    tokenize='trigram', detail='none', columnsize=0);
CREATE TABLE IF NOT EXISTS search_state (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
"""
#: every table of the index (and those of an older layout, dropped when rebuilt)
TABLES = ("search_names", "search_spell", "search_docs", "search_state")
_OLD = ("search",)
#: each FTS index with the columns it holds
_FTS = (("search_names", "name, short"), ("search_spell", "spell"))


def _bounds(rank: int) -> tuple[int, int, int]:
    """(first row, first tail row, first row of the next rank) of a rank."""
    lo = rank << _RANK
    return lo, lo + _TAIL, lo + (1 << _RANK)


def _row(n: Node) -> tuple[str, str, str, str, str, int]:
    k = search_keys(n.name, n.labels, n.properties.get("short_name"))
    return (n.id, ";".join(n.labels), f"^{k.name}$", "\n".join(f"^{s}$" for s in k.short),
            "\n".join(f"^{s}" for s in k.spell), k.rank)


def _candidate(r: Sequence[Any]) -> Candidate:
    """A row (row, id, labels, name, short, spell) as a candidate."""
    return Candidate(r[1], tuple(r[2].split(";")), r[3][1:-1],
                     tuple(s[1:-1] for s in r[4].split("\n")) if r[4] else (),
                     tuple(s[1:] for s in r[5].split("\n")) if r[5] else (),
                     r[0] >> _RANK)


def _phrase(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def _holding(s: str) -> str:
    """An FTS5 query that every text holding ``s`` (3 characters or more) matches: its
    trigrams, all of them up to 8 characters, four spread over it past that (fewer
    lists to join; the index keeps no positions, so what it finds is checked after)."""
    n = len(s)
    if n <= 3:
        return _phrase(s)
    starts = range(n - 2) if n <= 8 else sorted({0, n // 3, (2 * n) // 3, n - 3})
    return "(" + " AND ".join(_phrase(s[i:i + 3]) for i in starts) + ")"


def match_expression(text: str, field: SearchField) -> list[tuple[str, str]] | None:
    """The FTS5 queries of ``field`` for ``text`` over the ranks past the first, each
    with its index, or None when trigrams cannot find it (1 character; 2 outside a
    prefix). A superset: :func:`queries.search.rank` decides.

    >>> match_expression("上星党委", "contains"), match_expression("上星", "contains")
    ([('search_names', '("上星党" AND "星党委")')], [('search_names', '"^上星"')])
    >>> match_expression("王", "name"), match_expression("zs", "spell")
    ([('search_names', '"^王$"')], [('search_spell', '"^zs"')])
    >>> match_expression("shangxingdangwei", "spell")
    [('search_spell', '("sha" AND "xin" AND "ang" AND "wei")')]
    >>> match_expression("上星社区党季", "typo")
    [('search_names', '"^上星" OR "区党季"'), ('search_spell', '"^上星" OR "区党季"')]
    """
    n = len(text)
    if field in ("name", "short", "exact"):
        return [("search_names", _holding("^" + text + "$"))]
    if field == "typo":
        if n < 3:
            return None
        left, right = typo_parts(text)
        parts = " OR ".join([_holding("^" + left)] + ([_holding(right)] if right else []))
        return [("search_names", parts), ("search_spell", parts)]
    table = "search_names" if field == "contains" else "search_spell"
    if n >= 3:
        return [(table, _holding(text))]
    if n == 2:
        return [(table, _phrase("^" + text))]
    return None


def _scan_condition(text: str, field: SearchField) -> tuple[str, tuple[str, ...]]:
    """A condition on ``search_docs`` for the short texts of rank 0 (a scan)."""
    if field in ("name", "short"):
        return f"instr({field}, ?) > 0", (f"^{text}$",)
    if field == "exact":
        return "(instr(name, ?) > 0 OR instr(short, ?) > 0)", (f"^{text}$",) * 2
    if field == "contains":
        return "(instr(name, ?) > 0 OR instr(short, ?) > 0)", (text, text)
    if field == "spell":
        return "instr(spell, ?) > 0", ((f"^{text}" if len(text) < 3 else text),)
    left, right = typo_parts(text)
    cond = "(instr(name, ?) > 0 OR instr(short, ?) > 0 OR instr(spell, ?) > 0)"
    args: tuple[str, ...] = (f"^{left}",) * 3
    if right:
        cond = f"({cond} OR instr(name, ?) > 0 OR instr(short, ?) > 0 OR instr(spell, ?) > 0)"
        args += (right,) * 3
    return cond, args


_COLS = "d.row, d.id, d.labels, d.name, d.short, d.spell"


class SearchIndex:
    """The search tables of one embedded store file: kept by its write path, read by
    its ``search_names``."""

    def ensure(self, db: sqlite3.Connection, nodes: Iterable[Node]) -> bool:
        """Create the tables; fill them from ``nodes`` when they are new or were made
        by another version of the keys. True when it (re)built them."""
        marks = ",".join("?" * len(TABLES))
        known = {r[0] for r in db.execute(
            f"SELECT name FROM sqlite_master WHERE name IN ({marks})", TABLES)}
        if known == set(TABLES) and self.current(db):
            return False
        db.execute("BEGIN IMMEDIATE")
        try:
            for table in (*_OLD, *TABLES):  # another layout
                db.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in DDL.split(";"):
                if statement.strip():
                    db.execute(statement)
            self.rebuild(db, nodes)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return True

    @staticmethod
    def current(db: sqlite3.Connection) -> bool:
        """Whether the file holds the index, made by this version of the keys."""
        try:
            row = db.execute("SELECT value FROM search_state WHERE key = 'version'").fetchone()
        except sqlite3.OperationalError:  # no such table
            return False
        return row is not None and row[0] == VERSION

    def rebuild(self, db: sqlite3.Connection, nodes: Iterable[Node] | None = None) -> None:
        """Every row renumbered in (rank, id) order, the FTS index built again; with
        ``nodes``: the rows made from them first (every other row gone)."""
        if nodes is not None:
            rows = sorted((_row(n) for n in nodes), key=lambda r: (r[5], r[0]))
            db.execute("DELETE FROM search_docs")
        else:
            rows = [(*r[1:], r[0] >> _RANK) for r in db.execute(
                "SELECT row, id, labels, name, short, spell FROM search_docs")]
            rows.sort(key=lambda r: (r[5], r[0]))
            db.execute("DELETE FROM search_docs")
        numbered, pos, rank = [], 0, -1
        for r in rows:
            if r[5] != rank:
                rank, pos = r[5], 0
            pos += GAP
            numbered.append([(rank << _RANK) + pos, *r[:5]])
        for i in range(0, len(numbered), 50_000):
            db.execute("INSERT INTO search_docs(row, id, labels, name, short, spell) "
                       "SELECT value->>0, value->>1, value->>2, value->>3, value->>4, "
                       "value->>5 FROM json_each(?)", (_dumps(numbered[i:i + 50_000]),))
        for table, _ in _FTS:
            db.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
        db.execute("INSERT INTO search_state(key, value) VALUES ('version', ?) "
                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (VERSION,))

    # ------------------------------------------------------------ writes
    def write(self, db: sqlite3.Connection, nodes: Sequence[Node], deleted: Sequence[str]
              ) -> None:
        """Keep the index in step with a batch, inside its transaction: the nodes it
        writes (whole, as stored after it) and the ids it deletes."""
        new = {r[0]: r for r in map(_row, nodes)}
        for nid in deleted:  # deleted after the batch's writes
            new.pop(nid, None)
        gone: list[int] = []  # rows whose FTS entries and documents go
        same_row: list[list[Any]] = []  # documents changed in place
        if new or deleted:
            ids = list(new) + list(deleted)
            for row, nid, labels, name, short, spell in db.execute(
                    "SELECT row, id, labels, name, short, spell FROM search_docs "
                    "WHERE id IN (SELECT value FROM json_each(?))", (_dumps(ids),)):
                r = new.get(nid)
                if r is not None:
                    if r[1:5] == (labels, name, short, spell):
                        del new[nid]  # unchanged: not written again
                        continue
                    if r[5] == row >> _RANK:
                        same_row.append([row, *r[:5]])
                        del new[nid]
                        continue
                gone.append(row)
        changed = [r[0] for r in same_row]
        if gone or changed:
            self._fts(db, gone + changed, delete=True)
        if gone:
            db.execute("DELETE FROM search_docs WHERE row IN (SELECT value FROM json_each(?))",
                       (_dumps(gone),))
        if same_row:
            db.execute("UPDATE search_docs SET labels = j.value->>2, name = j.value->>3, "
                       "short = j.value->>4, spell = j.value->>5 FROM json_each(?) AS j "
                       "WHERE search_docs.row = j.value->>0", (_dumps(same_row),))
        placed = self._place(db, list(new.values()))
        if placed:
            db.execute("INSERT INTO search_docs(row, id, labels, name, short, spell) "
                       "SELECT value->>0, value->>1, value->>2, value->>3, value->>4, "
                       "value->>5 FROM json_each(?)", (_dumps(placed),))
        fresh = changed + [p[0] for p in placed]
        if fresh:
            self._fts(db, fresh)
        if placed and self._tail_size(db) > TAIL_MAX:
            self.rebuild(db)

    @staticmethod
    def _fts(db: sqlite3.Connection, rows: list[int], delete: bool = False) -> None:
        """The FTS entries of these documents added (as stored now) or taken out (as
        stored now: an external-content index is told what it held)."""
        for table, cols in _FTS:
            if delete:
                db.execute(f"INSERT INTO {table}({table}, rowid, {cols}) SELECT 'delete', "
                           f"row, {cols} FROM search_docs "
                           "WHERE row IN (SELECT value FROM json_each(?))", (_dumps(rows),))
            else:
                db.execute(f"INSERT INTO {table}(rowid, {cols}) SELECT row, {cols} "
                           "FROM search_docs WHERE row IN (SELECT value FROM json_each(?))",
                           (_dumps(rows),))

    def _place(self, db: sqlite3.Connection, rows: list[tuple[str, str, str, str, str, int]]
               ) -> list[list[Any]]:
        """Row numbers for new documents, in id order within their rank: after the last,
        spaced by :data:`GAP`; between two neighbours, spread evenly over the positions
        free between them; else (no position free) at the end of the rank's tail. A
        rank's neighbours are looked up per new id when at most :data:`LATE_FEW` of them
        fall between stored ones; past that, once per batch as one range of rows (the
        ordered rows between the first and the last that a new id falls between), so a
        batch of any size costs a few statements per rank."""
        out: list[list[Any]] = []
        by_rank: dict[int, list[tuple[str, str, str, str, str, int]]] = {}
        for r in rows:
            by_rank.setdefault(r[5], []).append(r)
        for rank, docs in sorted(by_rank.items()):
            docs.sort(key=lambda r: r[0])
            lo, tail, hi = _bounds(rank)
            last = db.execute("SELECT row, id FROM search_docs WHERE row >= ? AND row < ? "
                              "ORDER BY row DESC LIMIT 1", (lo, tail)).fetchone()
            last_row, last_id = last if last else (lo, None)
            late = [r for r in docs if last_id is not None and r[0] < last_id]
            homeless = self._between(db, late, lo, last_row, out)
            for r in docs[len(late):]:
                if last_row + GAP < tail:
                    last_row += GAP
                    out.append([last_row, *r[:5]])
                else:
                    homeless.append(r)
            if homeless:
                end = db.execute("SELECT max(row) FROM search_docs WHERE row >= ? AND row < ?",
                                 (tail, hi)).fetchone()[0] or tail - 1
                for r in homeless:
                    end += 1
                    out.append([end, *r[:5]])
        return out

    @staticmethod
    def _between(db: sqlite3.Connection, late: list[tuple[str, str, str, str, str, int]],
                 lo: int, last_row: int, out: list[list[Any]]
                 ) -> list[tuple[str, str, str, str, str, int]]:
        """Rows for new documents (in id order) whose ids fall before the rank's last
        ordered one (at ``last_row``), appended to ``out``, spread evenly over the free
        positions between their neighbours; those with no free position returned. A few
        find their upper neighbours one by one; many read the ordered rows they fall
        among once (``LATE_FEW``)."""
        if not late:
            return []

        def above(nid: str) -> int:  # the first ordered row with a greater id: exists
            return int(db.execute("SELECT row FROM search_docs WHERE id > ? AND row >= ? "
                                  "AND row <= ? ORDER BY id LIMIT 1",
                                  (nid, lo, last_row)).fetchone()[0])

        def before(row: int) -> int:  # the ordered row before ``row`` (in id order too)
            return int(db.execute("SELECT max(row) FROM search_docs WHERE row >= ? AND "
                                  "row < ?", (lo, row)).fetchone()[0] or lo)

        gaps: list[tuple[int, int, list[tuple[str, str, str, str, str, int]]]] = []
        if len(late) <= LATE_FEW:
            groups: dict[int, list[tuple[str, str, str, str, str, int]]] = {}
            for r in late:
                groups.setdefault(above(r[0]), []).append(r)
            gaps = [(before(a), a, docs) for a, docs in groups.items()]
        else:
            prev, i = before(above(late[0][0])), 0
            for row, nid in db.execute("SELECT row, id FROM search_docs WHERE row > ? AND "
                                       "row <= ? ORDER BY row", (prev, last_row)):
                j = i
                while j < len(late) and late[j][0] < nid:
                    j += 1
                if j > i:
                    gaps.append((prev, row, late[i:j]))
                    i = j
                    if i == len(late):
                        break
                prev = row
        homeless: list[tuple[str, str, str, str, str, int]] = []
        for below, up, docs in gaps:
            fit = min(len(docs), up - below - 1)
            for n in range(fit):
                out.append([below + (n + 1) * (up - below) // (fit + 1), *docs[n][:5]])
            homeless.extend(docs[fit:])
        return homeless

    @staticmethod
    def _tail_size(db: sqlite3.Connection) -> int:
        return sum(db.execute("SELECT count(*) FROM search_docs WHERE row >= ? AND row < ?",
                              (_bounds(r)[1], _bounds(r)[2])).fetchone()[0] for r in RANKS)

    # ------------------------------------------------------------ reads
    def tails(self, db: sqlite3.Connection) -> frozenset[int]:
        """The ranks that have rows in their tail (out of id order)."""
        return frozenset(r for r in RANKS if db.execute(
            "SELECT 1 FROM search_docs WHERE row >= ? AND row < ? LIMIT 1",
            _bounds(r)[1:]).fetchone())

    def stream(self, db: sqlite3.Connection, text: str, field: SearchField,
               ranks: Sequence[int] = RANKS, lock: Any = None,
               tails: frozenset[int] | None = None) -> Iterator[Candidate]:
        """Candidates for ``field`` of ``text`` (a search text: :func:`search_text`), in
        (rank, id) order, read a page at a time (``lock``: a context manager factory
        held while a page is read; ``tails``: :meth:`tails`, if known). Ranks next to
        each other with no tail are read as one range: their rows are in order."""
        text = search_text(text)
        if not text:
            return
        wanted = sorted(set(ranks))
        if PLACES in wanted:
            yield from self._scan_places(db, text, field, lock)
        expr = match_expression(text, field)
        others = [r for r in wanted if r != PLACES]
        if expr is None or not others:
            return
        if tails is None:
            tails = self._read_tails(db, lock)
        i = 0
        while i < len(others):
            if others[i] in tails:
                yield from self._stream_rank(db, expr, others[i], lock)
                i += 1
                continue
            j = i
            while j + 1 < len(others) and others[j + 1] == others[j] + 1 \
                    and others[j + 1] not in tails:
                j += 1
            for r in self._ordered(db, expr, _bounds(others[i])[0], _bounds(others[j])[2],
                                   lock):
                yield _candidate(r)
            i = j + 1

    def _read_tails(self, db: sqlite3.Connection, lock: Any) -> frozenset[int]:
        if lock is None:
            return self.tails(db)
        with lock():
            return self.tails(db)

    def _read(self, db: sqlite3.Connection, sql: str, args: Sequence[Any], lock: Any
              ) -> list[Any]:
        if lock is None:
            return db.execute(sql, args).fetchall()
        with lock():
            return db.execute(sql, args).fetchall()

    def _scan_places(self, db: sqlite3.Connection, text: str, field: SearchField, lock: Any
                     ) -> Iterator[Candidate]:
        lo, _, hi = _bounds(PLACES)
        exprs = match_expression(text, field)
        if exprs is not None and (len(text) >= 3 or field in ("name", "short", "exact")):
            found: dict[int, Any] = {}
            for table, expr in exprs:
                for r in self._read(db, _page(table), (expr, lo - 1, hi, 1 << 62), lock):
                    found[r[0]] = r
            rows = list(found.values())
        else:
            cond, args = _scan_condition(text, field)
            rows = self._read(db, f"SELECT {_COLS} FROM search_docs d WHERE d.row >= ? "
                                  f"AND d.row < ? AND {cond}", (lo, hi, *args), lock)
        for r in sorted(rows, key=lambda r: r[1]):
            yield _candidate(r)

    def _ordered(self, db: sqlite3.Connection, exprs: list[tuple[str, str]], lo: int,
                 hi: int, lock: Any) -> Iterator[Any]:
        """Matching rows from ``lo`` to before ``hi`` in row order (of several indexes:
        merged, each row once), pages growing from 64 rows (a search that has enough
        after the first stops there)."""
        def one(table: str, expr: str) -> Iterator[Any]:
            after, page = lo - 1, 64
            while True:
                rows = self._read(db, _page(table), (expr, after, hi, page), lock)
                yield from rows
                if len(rows) < page:
                    return
                after, page = rows[-1][0], min(page * 4, 4096)

        last = None
        for r in heapq.merge(*(one(t, e) for t, e in exprs), key=lambda r: r[0]):
            if r[0] != last:
                last = r[0]
                yield r

    def _stream_rank(self, db: sqlite3.Connection, exprs: list[tuple[str, str]], rank: int,
                     lock: Any) -> Iterator[Candidate]:
        """A rank with a tail: its ordered rows merged with its tail's, read whole."""
        lo, tail, hi = _bounds(rank)
        found: dict[int, Any] = {}
        for table, expr in exprs:
            for r in self._read(db, _page(table), (expr, tail - 1, hi, 1 << 62), lock):
                found[r[0]] = r
        tail_rows = sorted(found.values(), key=lambda r: r[1])
        for r in heapq.merge(self._ordered(db, exprs, lo, tail, lock), tail_rows,
                             key=lambda r: r[1]):
            yield _candidate(r)


def _page(table: str) -> str:
    """A page of one FTS index's matches in row order, with their documents."""
    return (f"SELECT {_COLS} FROM {table} f JOIN search_docs d ON d.row = f.rowid "
            f"WHERE {table} MATCH ? AND f.rowid > ? AND f.rowid < ? ORDER BY f.rowid LIMIT ?")
