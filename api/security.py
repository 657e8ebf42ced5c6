"""Who may call: bearer tokens (stored only as hashes) and the audit log.

One module past ~400 lines, on purpose: tokens and the audit chain are one SQLite
file, one write connection and one lock (a token's creation or revocation and the audit
writer's commits are serialised on it), and the token cache is invalidated by the
file's ``data_version``, which the audit writer moves too. Split in two, each half
would reach into the other's connection, lock and version.

Both live in one SQLite file of their own (``GOVGRAPH_SECURITY_DB``, default
``./data/security.db``), for either backend and outside the graph, so reloading or
replacing the graph loses neither.

The audit log is append-only and chained: each record holds the HMAC-SHA-256, keyed
with a secret kept *outside* the file (``GOVGRAPH_AUDIT_KEY``, else a key file beside
it, ``security.db.key``, created 0600), of its fields and the record before; the
newest is kept as the head. :meth:`SecurityStore.verify` finds any record edited,
deleted or inserted, and whoever can rewrite the file but not read the key cannot
recompute the chain. :meth:`SecurityStore.anchor` gives the head for the operator to
keep elsewhere; ``verify(anchor=…)`` then also catches a rewrite by someone holding
the key. Records written before the key existed (an older file) stay plain SHA-256
and are covered by the first keyed record. Triggers refuse UPDATE and DELETE on the
log, so nothing but a deliberate edit of the file changes it.

>>> import tempfile, os
>>> s = SecurityStore(os.path.join(tempfile.mkdtemp(), "sec.db"))
>>> token, tid = s.create_token("analyst", label="test")
>>> s.authenticate(token).role, s.authenticate("gg_wrong") is None
('analyst', True)
>>> s.audit(s.authenticate(token), "GET", "/api/v1/nodes/p1", None, ["p1"], 200)
>>> s.verify()
(True, 1, None)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import GraphError

__all__ = ["ROLES", "Caller", "SecurityStore", "hash_token", "clean_text"]

ROLES = ("admin", "analyst", "community", "consumer")

_DDL = """
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    community TEXT,
    label TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    revoked TEXT
);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    token_id TEXT,
    role TEXT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    purpose TEXT,
    node_ids TEXT NOT NULL,
    status INTEGER NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_head (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_meta (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    keyed_from INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""

GENESIS = "0" * 64
#: how long an audit record may wait for its commit
FLUSH_SECONDS = 0.05


def hash_token(token: str) -> str:
    """Tokens are 256 random bits: a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def _record_hash(prev: str, fields: list[Any], key: bytes | None) -> str:
    body = (prev + json.dumps(fields, ensure_ascii=False, separators=(",", ":"))).encode()
    if key is None:  # a record from before the key
        return hashlib.sha256(body).hexdigest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def clean_text(text: str) -> str:
    """Control, format and line-separator characters as visible escapes (``\\x1b``,
    ``\\u2028``): what a caller writes into ``X-Purpose`` cannot forge a line or a
    colour in ``govgraph audit list``."""
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class Caller:
    token_id: str
    role: str
    community: str | None = None
    label: str = ""


class SecurityStore:
    def __init__(self, path: str | Path, key: str | None = None,
                 key_file: str | Path | None = None) -> None:
        """``key`` (hex or any text; default ``GOVGRAPH_AUDIT_KEY``) or else
        ``key_file`` (default: the file's name + ``.key``) keys the audit chain."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        self.path = p
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(p, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            # one fsync per checkpoint, not per record: an OS crash may lose the newest
            # records, never corrupt the chain (verify would say so)
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_DDL)
            # tokens are checked on a connection of their own: the audit writer's
            # commits and checkpoints on the other never hold up a request
            self._auth = sqlite3.connect(p, check_same_thread=False, isolation_level=None)
            self._auth.execute("PRAGMA busy_timeout=5000")
        except sqlite3.Error as e:
            raise GraphError(f"cannot open the security file {str(p)!r}: {e}") from e
        self._cache: dict[str, Caller | None] = {}
        self._cache_lock = threading.Lock()
        self._version = self._data_version()
        self._tokens = self._tokens_state()
        self.key_file = Path(key_file) if key_file else p.with_name(p.name + ".key")
        self._meta_changed = False
        self._key, self._keyed_from = self._open_key(
            key if key is not None else os.environ.get("GOVGRAPH_AUDIT_KEY") or None)
        self._pending: list[list[Any]] = []
        self._pending_lock = threading.Lock()
        self._wake = threading.Event()
        self._writer: threading.Thread | None = None
        self._closing = False

    def _open_key(self, given: str | None) -> tuple[bytes, int]:
        """The chain's key, and the first record it keys (records before it came from a
        file older than the key). A key file holds both, so rewriting ``audit_meta`` to
        pass keyed records off as older ones is caught too."""
        db = self._db
        head = db.execute("SELECT seq FROM audit_head").fetchone()
        first = (head[0] if head else 0) + 1
        db.execute("INSERT OR IGNORE INTO audit_meta(one, keyed_from) VALUES (1, ?)",
                   (first,))
        keyed_from = int(db.execute("SELECT keyed_from FROM audit_meta").fetchone()[0])
        if given:
            return given.encode(), keyed_from
        try:
            text = self.key_file.read_text().split()
        except FileNotFoundError:
            if head is not None and head[0] >= keyed_from:
                raise GraphError(
                    f"the audit key {str(self.key_file)!r} is missing: the audit log "
                    "cannot be checked or extended without it; restore it (or set "
                    "GOVGRAPH_AUDIT_KEY)") from None
            text = self._new_key_file(keyed_from)
        if len(text) != 2 or not text[1].isdigit():
            raise GraphError(f"the audit key {str(self.key_file)!r} is damaged")
        if head is None and int(text[1]) != keyed_from:  # a new log beside an old key
            self.key_file.write_text(f"{text[0]} {keyed_from}\n")
            text[1] = str(keyed_from)
        self._meta_changed = int(text[1]) != keyed_from
        return text[0].encode(), int(text[1])

    def _new_key_file(self, keyed_from: int) -> list[str]:
        text = f"{secrets.token_hex(32)} {keyed_from}\n"
        try:
            fd = os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return self.key_file.read_text().split()
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return text.split()

    def _key_for(self, seq: int) -> bytes | None:
        return self._key if seq >= self._keyed_from else None

    def close(self) -> None:
        self._closing = True
        self._wake.set()
        if self._writer is not None:
            self._writer.join(timeout=5)
        self.flush()
        self._db.close()
        self._auth.close()

    # ------------------------------------------------------------ tokens
    def create_token(self, role: str, community: str | None = None, label: str = ""
                     ) -> tuple[str, str]:
        """A new token (shown once: only its hash is kept) and its id."""
        if role not in ROLES:
            raise GraphError(f"role {role!r} must be one of {', '.join(ROLES)}")
        if (role == "community") != (community is not None):
            raise GraphError("a community token needs --community (and only it may have one)")
        token = "gg_" + secrets.token_urlsafe(32)
        tid = secrets.token_hex(4)
        with self._lock:
            self._db.execute(
                "INSERT INTO tokens(id, hash, role, community, label, created) "
                "VALUES (?,?,?,?,?,?)",
                (tid, hash_token(token), role, community, label[:200],
                 dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
        return token, tid

    def list_tokens(self) -> list[dict[str, Any]]:
        cur = self._db.execute("SELECT id, role, community, label, created, revoked "
                               "FROM tokens ORDER BY created, id")
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur]

    def revoke(self, token_id: str) -> bool:
        with self._lock:
            n = self._db.execute(
                "UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
                (dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), token_id)).rowcount
        with self._cache_lock:
            self._cache.clear()
        return n > 0

    def _tokens_state(self) -> tuple[Any, ...]:
        """What a change of the tokens would change (the audit log changes the file far
        more often than that)."""
        return tuple(self._auth.execute(
            "SELECT count(*), count(revoked), max(rowid), coalesce(max(revoked), '') "
            "FROM tokens").fetchone())

    def _data_version(self) -> int:
        """SQLite's ``data_version`` on the token connection: it moves when any other
        connection (a ``govgraph token revoke`` in another process, or this store's
        audit writer) commits to the file."""
        return int(self._auth.execute("PRAGMA data_version").fetchone()[0])

    def authenticate(self, token: str) -> Caller | None:
        """The caller a token stands for, or None (unknown or revoked). Checked on
        every request: the cache of tokens is dropped whenever another connection has
        committed to the file, so a revocation from the CLI holds from the next request
        (one ``PRAGMA data_version``, a few microseconds)."""
        h = hash_token(token)
        version = self._data_version()
        if version != self._version:  # the file changed: did its tokens?
            tokens = self._tokens_state()
            with self._cache_lock:
                if tokens != self._tokens:
                    self._cache.clear()
                    self._tokens = tokens
                self._version = version
        if h in self._cache:
            return self._cache[h]
        row = self._auth.execute("SELECT id, role, community, label FROM tokens "
                               "WHERE hash = ? AND revoked IS NULL", (h,)).fetchone()
        caller = Caller(*row) if row else None
        with self._cache_lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[h] = caller
        return caller

    # ------------------------------------------------------------ audit
    def audit(self, caller: Caller | None, method: str, path: str, purpose: str | None,
              node_ids: list[str], status: int) -> None:
        """Append one record: who, when, what, which nodes, why. Records are chained
        and committed by a writer thread within :data:`FLUSH_SECONDS` (one transaction
        for many: a busy API does not pay a commit per request)."""
        at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        rec = [at, caller.token_id if caller else None, caller.role if caller else None,
               method, path[:500], (purpose or "")[:200] or None,
               sorted(set(node_ids))[:1000], status]
        with self._pending_lock:
            self._pending.append(rec)
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_loop, daemon=True,
                                                name="audit-writer")
                self._writer.start()
        self._wake.set()

    def _write_loop(self) -> None:
        while not self._closing:
            self._wake.wait(FLUSH_SECONDS)
            self._wake.clear()
            time.sleep(FLUSH_SECONDS)  # gather what else arrives
            self.flush()

    def flush(self) -> None:
        """Chain and commit the records waiting (also before every read of the log). One
        flush at a time: a reader's flush waits for the writer's, so it sees its records."""
        with self._lock:
            with self._pending_lock:
                todo, self._pending = self._pending, []
            if not todo:
                return
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                head = db.execute("SELECT seq, hash FROM audit_head").fetchone()
                seq, prev = (head[0], head[1]) if head else (0, GENESIS)
                rows = []
                for rec in todo:
                    seq += 1
                    fields = [seq, *rec]
                    h = _record_hash(prev, fields, self._key_for(seq))
                    rows.append([*fields[:7], json.dumps(fields[7]), fields[8], prev, h])
                    prev = h
                # one statement for the lot: the sqlite3 module lets go of the GIL at
                # every step, and taking it back from the busy event loop costs up to
                # a switch interval each time (a row at a time, the flush thread and
                # the loop took turns every few milliseconds)
                db.execute("INSERT INTO audit(seq, at, token_id, role, method, path, "
                           "purpose, node_ids, status, prev, hash) "
                           "SELECT value->>0, value->>1, value->>2, value->>3, value->>4, "
                           "value->>5, value->>6, value->>7, value->>8, value->>9, "
                           "value->>10 FROM json_each(?)",
                           (json.dumps(rows, ensure_ascii=False),))
                db.execute("INSERT INTO audit_head(one, seq, hash) VALUES (1, ?, ?) "
                           "ON CONFLICT(one) DO UPDATE SET seq = excluded.seq, "
                           "hash = excluded.hash", (seq, prev))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                with self._pending_lock:  # keep them for the next try
                    self._pending[:0] = todo
                raise

    def records(self, limit: int = 100, offset: int = 0, token_id: str | None = None,
                node_id: str | None = None) -> tuple[list[dict[str, Any]], int]:
        self.flush()
        where, args = [], []
        if token_id:
            where.append("token_id = ?")
            args.append(token_id)
        if node_id:
            where.append("EXISTS (SELECT 1 FROM json_each(audit.node_ids) WHERE value = ?)")
            args.append(node_id)
        sql_where = f"WHERE {' AND '.join(where)}" if where else ""
        total = self._db.execute(f"SELECT count(*) FROM audit {sql_where}", args).fetchone()[0]
        cur = self._db.execute(
            f"SELECT seq, at, token_id, role, method, path, purpose, node_ids, status, hash "
            f"FROM audit {sql_where} ORDER BY seq DESC LIMIT ? OFFSET ?", [*args, limit, offset])
        cols = [c[0] for c in cur.description]
        out = []
        for row in cur:
            d = dict(zip(cols, row, strict=True))
            d["node_ids"] = json.loads(d["node_ids"])
            out.append(d)
        return out, total

    def anchor(self) -> tuple[int, str]:
        """(seq, hash) of the newest record: for the operator to keep outside this
        machine; :meth:`verify` with it catches even a rewrite made with the key."""
        self.flush()
        head = self._db.execute("SELECT seq, hash FROM audit_head").fetchone()
        return (int(head[0]), str(head[1])) if head else (0, GENESIS)

    def verify(self, anchor: tuple[int, str] | None = None) -> tuple[bool, int, str | None]:
        """(intact, records checked, what is wrong): every record's hash recomputed from
        its fields, the one before and the key; numbering without gaps; the head
        matches; with ``anchor`` (an earlier :meth:`anchor`), that record still holds
        that hash."""
        self.flush()
        if self._meta_changed:
            return False, 0, "audit_meta was changed (it no longer matches the key file)"
        prev, expected, n = GENESIS, 1, 0
        anchored = anchor is None or anchor[0] == 0
        cur = self._db.execute("SELECT seq, at, token_id, role, method, path, purpose, "
                               "node_ids, status, prev, hash FROM audit ORDER BY seq")
        for seq, at, tid, role, method, path, purpose, ids, status, rprev, h in cur:
            if seq != expected:
                return False, n, f"record {expected} is missing (next is {seq})"
            try:
                node_ids = json.loads(ids)
            except ValueError:
                return False, n, f"record {seq} is damaged"
            want = _record_hash(prev, [seq, at, tid, role, method, path, purpose, node_ids,
                                       status], self._key_for(seq))
            if rprev != prev or h != want:
                return False, n, f"record {seq} was changed"
            if anchor is not None and seq == anchor[0]:
                if h != anchor[1]:
                    return False, n, f"record {seq} is not the one anchored"
                anchored = True
            prev, expected, n = h, expected + 1, n + 1
        head = self._db.execute("SELECT seq, hash FROM audit_head").fetchone()
        if (head is None and n) or (head is not None and (head[0] != n or head[1] != prev)):
            return False, n, "the newest records were removed (the head does not match)"
        if not anchored:
            return False, n, f"the anchored record {anchor[0] if anchor else 0} is missing"
        return True, n, None
