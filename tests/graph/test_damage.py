"""Damage found at open (issue 15): what a flipped bit, a lost file or a second writer
leaves, each met with a message naming it — at open, by ``govgraph check``, by
``govgraph serve`` (one line, no traceback) and by ``/health/ready``."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore, check_store
from graph.errors import StoreDamaged, StoreUnavailable
from tests.cli_helpers import GOVGRAPH
from tests.conftest import ROOT
from tests.graphs import two_communities
from tests.rosters import idn
from tests.servers import free_port, serving


def _store(tmp_path: Path) -> Path:
    path = tmp_path / "g.db"
    with EmbeddedStore(path) as s:
        s.upsert(*two_communities())
    return path


def _sql(path: Path, *statements: str) -> None:
    with sqlite3.connect(path) as db:
        for st in statements:
            db.execute(st)


def _cli(path: Path, *args: str, timeout: int = 60) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GOVGRAPH_SECURITY_DB=str(path.parent / "security.db"))
    return subprocess.run([GOVGRAPH, "--store", str(path), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _serve_refuses(path: Path, *words: str) -> None:
    """``govgraph serve`` stops at once with one error line naming the damage."""
    r = _cli(path, "serve", "--port", str(free_port()))
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) <= 3, r.stderr
    for w in words:
        assert w in r.stderr, (w, r.stderr)


# the bit flips of the finding, made by hand: "Community" → "Communitz", a node gone
# from under its relationships, properties that are no longer JSON
DAMAGE = {
    "label": ("UPDATE nodes SET labels = 'Communitz' WHERE id = 'cA'",
              ["node 'cA'", "Communitz", "not in the schema"]),
    "type": ("UPDATE rels SET type = 'LEADZ' WHERE type = 'LEADS' AND start = 'ccA' "
             "AND \"end\" = 'cA'", ["LEADZ", "not in the schema"]),
    "end": ("DELETE FROM nodes WHERE id = 'gridA'", ["ends at node 'gridA'",
                                                      "does not exist"]),
    "json": ("UPDATE nodes SET props = '{\"name\": \"x' WHERE id = 'brA'",
             ["node 'brA'", "not readable JSON"]),
}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_damage_is_named_at_open_by_check_and_by_serve(tmp_path: Path, kind: str) -> None:
    path = _store(tmp_path)
    statement, words = DAMAGE[kind]
    _sql(path, statement)
    with pytest.raises(StoreDamaged) as e:
        EmbeddedStore(path)
    assert all(w in str(e.value) for w in words), str(e.value)
    assert "govgraph check" in str(e.value)
    with pytest.raises(StoreDamaged):
        EmbeddedStore(path, read_only=True)
    problems = check_store(path)
    # one problem each; gridA held three relationships (IN, IN_GRID, RESPONSIBLE_FOR)
    assert len(problems) == (3 if kind == "end" else 1), problems
    assert all(w in p for p in problems for w in words), problems
    r = _cli(path, "check")
    assert r.returncode == 1 and all(w in r.stderr for w in words), r.stderr
    _serve_refuses(path, *words[:1])
    # the failed opens left the file free for the next writer
    with sqlite3.connect(path) as db:
        db.execute("BEGIN IMMEDIATE")
        db.rollback()


def test_check_runs_sqlites_integrity_check(tmp_path: Path) -> None:
    """A key rewritten in place (index order broken, every row still readable): the
    store opens, and ``govgraph check`` reports what SQLite's integrity check finds."""
    path = tmp_path / "g.db"
    with EmbeddedStore(path) as s:
        s.upsert([{"id": f"c{i:05d}", "labels": ["Community"],
                   "properties": {"name": f"社区{i}"}} for i in range(3000)])
    raw = path.read_bytes()
    at = raw.find(b"c01000")
    assert at > 0
    path.write_bytes(raw[:at] + b"c99000" + raw[at + 6:])
    with EmbeddedStore(path, read_only=True) as s:
        assert s.counts().nodes == 3000
    r = _cli(path, "check")
    assert r.returncode == 1 and "SQLite integrity check" in r.stderr, r.stderr
    good = _store(tmp_path / "good")
    r = _cli(good, "check")
    assert r.returncode == 0 and "no damage" in r.stdout


def test_an_empty_or_foreign_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(StoreDamaged, match="empty"):
        EmbeddedStore(empty)
    assert empty.stat().st_size == 0
    _serve_refuses(empty, "empty")
    foreign = tmp_path / "other.db"
    _sql(foreign, "CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL)")
    with pytest.raises(StoreDamaged, match="something else"):
        EmbeddedStore(foreign)
    with sqlite3.connect(foreign) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert tables == {"invoices"}
    assert _cli(foreign, "check").returncode == 1


def test_a_second_writer_gets_one_line(tmp_path: Path) -> None:
    path = _store(tmp_path)
    with EmbeddedStore(path):
        _serve_refuses(path, "open for writing by another process")
        r = _cli(path, "load", "scenario", "xinqiao", "--residents", "5000")
        assert r.returncode == 1 and "Traceback" not in r.stderr
        assert "another process" in r.stderr


def test_a_deleted_write_ahead_log_makes_the_server_unready(tmp_path: Path) -> None:
    """The -wal deleted under a running server: readiness says so (503 naming it) and
    writes are refused, where before /health/ready stayed green and two acknowledged
    uploads were lost."""
    def roster(name: str, first17: str) -> bytes:
        return ("姓名,身份证号,入党日期,所在党组织\n"
                f"{name},{idn(first17)},2020-07-01,上星第一支部\n").encode()

    with serving(tmp_path, two_communities()) as server:
        admin, _ = server.token("admin")
        import httpx

        def upload(body: bytes) -> httpx.Response:
            return httpx.post(f"{server.base}/api/v1/rosters/party_members",
                              params={"as_of": "2026-06-30", "keep_missing": True},
                              headers={"Authorization": f"Bearer {admin}"},
                              files={"file": ("r.csv", body, "text/csv")}, timeout=60)

        assert upload(roster("新党员", "44030619900101123")).status_code == 200
        assert server.get("/health/ready")[0] == 200
        wal = tmp_path / "graph.db-wal"
        assert wal.exists()
        wal.unlink()
        status, body = server.get("/health/ready")
        assert status == 503 and b"changed under this process" in body, body
        r = upload(roster("又一新党员", "44030619910101123"))
        assert r.status_code == 503 and "govgraph check" in r.text, r.text


def test_store_unavailable_is_what_the_api_maps_to_503() -> None:
    assert issubclass(StoreDamaged, StoreUnavailable)
