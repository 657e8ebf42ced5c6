"""Red-team fixtures (issue 14), tokens and the audit log: a token revoked by the CLI, in
its own process, fails the server's next request; every answer naming a person and every
refusal is audited; a rewritten log is detected (without the key by its chain, with the
key by an anchor kept elsewhere), the key must not go missing, and ``X-Purpose`` cannot
forge lines of ``govgraph audit list``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from api.security import SecurityStore
from graph.store import GraphStore
from tests.api_helpers import client_for, security_store
from tests.graphs import two_communities
from tests.servers import serving


# ------------------------------------------------------------------ revocation
def test_a_token_revoked_by_the_cli_fails_the_next_request(tmp_path: Path) -> None:
    with serving(tmp_path, two_communities()) as server:
        token, tid = server.token("analyst")
        other, _ = server.token("analyst")
        assert server.get("/api/v1/nodes/brA", token)[0] == 200  # now cached by the server
        assert server.get("/api/v1/nodes/brA", other)[0] == 200
        server.cli("token", "revoke", tid)
        status, body = server.get("/api/v1/nodes/brA", token)
        assert status == 401 and b"revoked" in body
        assert server.get("/api/v1/nodes/brA", other)[0] == 200  # only that one



# ------------------------------------------------------------------ audit
def test_every_answer_naming_a_person_and_every_refusal_is_audited(store: GraphStore) -> None:
    store.upsert(*two_communities())
    sec = security_store()
    with client_for(store, "analyst", security=sec) as analyst, \
            client_for(store, "community", "cA", security=sec) as community:
        assert analyst.get("/api/v1/people/mA1/posts").status_code == 200
        assert analyst.get("/api/v1/chains/leadership/brA").status_code == 200
        assert analyst.get("/api/v1/nodes/brA").status_code == 200  # names nobody
        assert analyst.get("/api/v1/audit").status_code == 403
        assert community.get("/api/v1/nodes/mB1").status_code == 404
        assert analyst.get("/api/v1/nodes/nobody", headers={"Authorization": ""}
                           ).status_code == 401
    sec.flush()
    rows, _ = sec.records(100)
    seen = {(r["path"], r["status"]): r for r in rows}
    assert seen[("/api/v1/people/mA1/posts", 200)]["node_ids"] == ["mA1"]
    assert "mA1" in seen[("/api/v1/chains/leadership/brA", 200)]["node_ids"]  # its secretary
    assert ("/api/v1/nodes/brA", 200) not in seen
    assert seen[("/api/v1/audit", 403)]["role"] == "analyst"
    assert seen[("/api/v1/nodes/mB1", 404)]["role"] == "community"
    assert seen[("/api/v1/nodes/nobody", 401)]["token_id"] is None


def _rewrite_without_the_key(path: Path, keep: list[int]) -> None:
    """What an attacker with the file but not the key can do: drop the triggers, keep
    some records, renumber and re-chain them with plain SHA-256, fix the head."""
    import hashlib
    import json
    import sqlite3

    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER IF EXISTS audit_no_update")
    db.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    rows = db.execute("SELECT seq, at, token_id, role, method, path, purpose, node_ids, "
                      "status FROM audit ORDER BY seq").fetchall()
    db.execute("DELETE FROM audit")
    prev = "0" * 64
    for new_seq, row in enumerate((r for r in rows if r[0] in keep), start=1):
        fields = [new_seq, *row[1:7], json.loads(row[7]), row[8]]
        body = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
        h = hashlib.sha256((prev + body).encode()).hexdigest()
        db.execute("INSERT INTO audit VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                   (*fields[:7], row[7], row[8], prev, h))
        prev = h
    db.execute("UPDATE audit_head SET seq = ?, hash = ?", (len(keep), prev))
    db.commit()
    db.close()


def test_a_rewritten_audit_log_is_detected(tmp_path: Path) -> None:
    from api.security import Caller

    path = tmp_path / "security.db"
    sec = SecurityStore(path)
    who = Caller("t1", "analyst")
    for i in range(50):
        sec.audit(who, "GET", f"/api/v1/nodes/p{i}", None, [f"p{i}"], 200)
    seq, head = sec.anchor()
    assert seq == 50 and sec.verify() == (True, 50, None)
    sec.close()
    assert oct(sec.key_file.stat().st_mode & 0o777) == "0o600"
    _rewrite_without_the_key(path, keep=[1, 2, 3])  # 47 records gone
    sec = SecurityStore(path)
    ok, n, why = sec.verify()
    assert not ok and n == 0 and why == "record 1 was changed"
    sec.close()


def test_an_anchor_catches_a_rewrite_made_with_the_key(tmp_path: Path) -> None:
    from api.security import Caller

    path = tmp_path / "security.db"
    sec = SecurityStore(path)
    for i in range(5):
        sec.audit(Caller("t1", "analyst"), "GET", f"/p{i}", None, [], 200)
    seq, head = sec.anchor()
    for i in range(5, 8):
        sec.audit(Caller("t1", "analyst"), "GET", f"/p{i}", None, [], 200)
    assert sec.verify((seq, head)) == (True, 8, None)
    # someone holding the key: a new log with the same key, 3 records, replaces the file
    sec.close()
    path.unlink()
    forged = SecurityStore(path)
    for i in range(3):
        forged.audit(Caller("t1", "analyst"), "GET", f"/p{i}", None, [], 200)
    assert forged.verify() == (True, 3, None)  # a consistent chain …
    ok, _, why = forged.verify((seq, head))
    assert not ok and why == "the anchored record 5 is missing"  # … but not the one kept
    forged.close()


def test_the_audit_key_must_not_go_missing(tmp_path: Path) -> None:
    from api.security import Caller
    from graph.errors import GraphError

    path = tmp_path / "security.db"
    sec = SecurityStore(path)
    sec.audit(Caller("t1", "analyst"), "GET", "/p", None, [], 200)
    sec.close()
    sec.key_file.unlink()
    with pytest.raises(GraphError, match="audit key .* is missing"):
        SecurityStore(path)


def test_purpose_cannot_forge_audit_lines(tmp_path: Path, store: GraphStore) -> None:
    import os
    import subprocess
    from urllib.parse import quote

    from tests.cli_helpers import GOVGRAPH

    store.upsert(*two_communities())
    sec = SecurityStore(tmp_path / "security.db")
    forged = "核查\r\n42  2026-01-01  admin  GET /api/v1/audit\x1b[2K\x1b[1A\u2028[bold]x[/bold]"
    with client_for(store, "analyst", security=sec) as c:
        assert c.get("/api/v1/people/mA1/posts",
                     headers={"X-Purpose": quote(forged)}
                     ).status_code == 200
    sec.flush()
    rows, _ = sec.records(5)
    purpose = rows[0]["purpose"]
    assert "\r" not in purpose and "\n" not in purpose and "\x1b" not in purpose
    assert purpose.startswith("核查\\x0d\\x0a42") and "\\u2028" in purpose
    sec.close()
    listed = subprocess.run([GOVGRAPH, "audit", "list"], capture_output=True, text=True,
                            env={**os.environ, "GOVGRAPH_SECURITY_DB": str(sec.path),
                                 "COLUMNS": "400"})
    assert listed.returncode == 0, listed.stderr
    assert "\x1b" not in listed.stdout and "[bold]" in listed.stdout
    assert "\\x0d\\x0a42" in listed.stdout  # shown escaped, inside its own cell
    assert not any(line.lstrip("│ ").startswith("42") for line in listed.stdout.splitlines())


# ------------------------------------------------------------------ the server's log
def test_the_servers_log_holds_no_search_text_or_query(tmp_path: Path) -> None:
    """A search for a person's name, a node page's id: the access lines keep the path
    and status, never the query string (the audit log records who asked for whom)."""
    log = tmp_path / "serve.log"
    with serving(tmp_path, two_communities(), log=log) as server:
        token, _ = server.token("analyst")
        from urllib.parse import quote

        assert server.get("/api/v1/search?q=" + quote("上星书记"), token)[0] == 200
        assert server.get("/api/v1/people/mA1/posts?as_of=2026-06-30", token)[0] == 200
        assert server.get("/workbench/node?id=mA1&lang=zh")[0] == 200
    text = log.read_text(encoding="utf-8", errors="replace")
    assert '"GET /api/v1/search HTTP/1.1" 200' in text, text[-2000:]
    assert '"GET /api/v1/people/mA1/posts HTTP/1.1" 200' in text
    for leaked in ("q=", "%E4%B8%8A", "上星书记", "as_of=", "id=mA1"):
        assert leaked not in text, leaked
