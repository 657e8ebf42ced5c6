"""Who may see what (issue 7): every endpoint × every role, nothing of one community
reaching the other's token, redaction, the audit trail, limits."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import SecurityStore
from graph.store import GraphStore
from tests.api_helpers import SCANNED, api_routes, client_for, security_store
from tests.graphs import two_communities

ROLES = ("admin", "analyst", "community", "consumer")
A_PEOPLE = ["mA1", "mA2", "rA1", "rA2", "dA", "gwA"]
B_PEOPLE = ["mB1", "mB2", "rB1", "rB2", "dB", "gwB"]
ROSTER = "姓名,身份证号,入党日期,所在党组织\n".encode()


@pytest.fixture
def world(store: GraphStore) -> Iterator[tuple[GraphStore, SecurityStore]]:
    store.upsert(*two_communities())
    yield store, security_store()


def clients(store: GraphStore, sec: SecurityStore) -> dict[str, TestClient]:
    return {"admin": client_for(store, "admin", security=sec),
            "analyst": client_for(store, "analyst", security=sec),
            "community": client_for(store, "community", "cA", security=sec),
            "consumer": client_for(store, "consumer", security=sec)}


OK, DENY, HIDE = 200, 403, 404
# (method, url, body/files, {role: expected status}); the community token is cA's
ALL_OK = dict.fromkeys(ROLES, OK)
ADMIN_ONLY = {"admin": OK, "analyst": DENY, "community": DENY, "consumer": DENY}
MATRIX: list[tuple[str, str, Any, dict[str, int]]] = [
    ("GET", "/api/v1/schema", None, ALL_OK),
    ("GET", "/api/v1/stats", None, ALL_OK),
    ("GET", "/api/v1/overview", None, ALL_OK),
    ("GET", "/api/v1/workbench/overview", None, ALL_OK),
    ("GET", "/api/v1/workbench/gaps", None, ALL_OK),
    ("GET", "/api/v1/workbench/community", None, ALL_OK),
    ("GET", "/api/v1/workbench/boards", None, {**ALL_OK, "consumer": DENY}),
    ("GET", "/api/v1/workbench/node?id=brA", None, ALL_OK),
    ("GET", "/api/v1/workbench/node?id=mB1", None, {**ALL_OK, "community": HIDE,
                                                   "consumer": HIDE}),
    ("GET", "/api/v1/workbench/menu", None, ALL_OK),
    ("GET", "/api/v1/workbench/cases", None, ALL_OK),
    ("GET", "/api/v1/workbench/forces", None, ALL_OK),
    ("GET", "/api/v1/workbench/grids", None, ALL_OK),
    ("GET", "/api/v1/workbench/grids?community=cB", None, {**ALL_OK, "community": HIDE}),
    ("POST", "/api/v1/workbench/grids/accept", {}, {**ADMIN_ONLY, "admin": 201}),
    ("GET", "/api/v1/workbench/pairing", None, {**ALL_OK, "consumer": DENY}),
    # an accept without pairs: the admin's is refused for its body (422), others' for the role
    ("POST", "/api/v1/workbench/pairing/accept", {}, {**ADMIN_ONLY, "admin": 422}),
    ("GET", "/api/v1/workbench/rosters", None, ADMIN_ONLY),
    ("POST", "/api/v1/workbench/rosters/report", {}, {**ADMIN_ONLY, "admin": 422}),
    ("GET", "/api/v1/nodes/mA1", None, {**ALL_OK, "consumer": HIDE}),
    ("GET", "/api/v1/nodes/mB1", None, {**ALL_OK, "community": HIDE, "consumer": HIDE}),
    ("GET", "/api/v1/nodes/brB", None, {**ALL_OK, "community": HIDE}),
    ("GET", "/api/v1/nodes/brA/neighbors", None, ALL_OK),
    ("GET", "/api/v1/nodes/rB1/neighbors", None, {**ALL_OK, "community": HIDE,
                                                   "consumer": HIDE}),
    ("GET", "/api/v1/search?q=%E6%94%AF%E9%83%A8", None, ALL_OK),
    ("GET", "/api/v1/search/grouped?q=%E6%94%AF%E9%83%A8", None, ALL_OK),
    ("GET", "/api/v1/workbench/search?q=%E6%94%AF%E9%83%A8", None, ALL_OK),
    ("GET", "/api/v1/workbench/search/suggest?q=%E6%94%AF%E9%83%A8", None, ALL_OK),
    ("GET", "/api/v1/paths?from=brA&to=ccA", None, ALL_OK),
    ("GET", "/api/v1/paths?from=brA&to=brB", None, {**ALL_OK, "community": HIDE}),
    ("GET", "/api/v1/people/mA1/posts", None, {**ALL_OK, "consumer": DENY}),
    ("GET", "/api/v1/people/mB1/posts", None, {**ALL_OK, "community": HIDE,
                                                "consumer": DENY}),
    ("GET", "/api/v1/orgs/brA/members", None, {**ALL_OK, "consumer": DENY}),
    ("GET", "/api/v1/orgs/brB/members", None, {**ALL_OK, "community": HIDE,
                                                "consumer": DENY}),
    ("GET", "/api/v1/chains/leadership/rA1", None, {**ALL_OK, "consumer": HIDE}),
    ("GET", "/api/v1/chains/leadership/brB", None, {**ALL_OK, "community": HIDE}),
    ("GET", "/api/v1/gaps/middle-weakening", None, ALL_OK),
    ("GET", "/api/v1/gaps/middle-weakening?community=cB", None, {**ALL_OK,
                                                                  "community": HIDE}),
    ("GET", "/api/v1/gaps/middle-weakening.xlsx", None, {**ALL_OK, "consumer": DENY}),
    ("POST", "/api/v1/pairings/proposals", {"capacity": 2}, {**ALL_OK, "consumer": DENY}),
    ("GET", "/api/v1/pairings/proposals.xlsx", None, {**ALL_OK, "consumer": DENY}),
    ("POST", "/api/v1/pairings", {"pairs": [{"mentor": "mA1", "mentee": "mA2"}],
                                  "since": "2026-01-01"},
     {"admin": 201, "analyst": DENY, "community": DENY, "consumer": DENY}),
    ("GET", "/api/v1/communities/cA/summary", None, ALL_OK),
    ("GET", "/api/v1/communities/cB/summary", None, {**ALL_OK, "community": HIDE}),
    ("GET", "/api/v1/reports/three-boards", None, {**ALL_OK, "consumer": DENY}),
    ("GET", "/api/v1/reports/three-boards.xlsx", None, {**ALL_OK, "consumer": DENY}),
    ("GET", "/api/v1/communities/cA/tree", None, ALL_OK),
    ("GET", "/api/v1/communities/cB/tree", None, {**ALL_OK, "community": HIDE}),
    ("GET", "/api/v1/rosters", None, ALL_OK),
    ("GET", "/api/v1/rosters/party_members/template", None, ALL_OK),
    ("POST", "/api/v1/rosters/party_members", {"file": ("r.csv", ROSTER)},
     {"admin": 422, "analyst": DENY, "community": DENY, "consumer": DENY}),
    ("GET", "/api/v1/audit", None, {"admin": OK, "analyst": DENY, "community": DENY,
                                    "consumer": DENY}),
    ("GET", "/api/v1/grids/overlaps", None, ALL_OK),
    ("GET", "/api/v1/grids/integration", None, ALL_OK),
    ("GET", "/api/v1/grids/duty", None, ALL_OK),
    ("GET", "/api/v1/grids/overlaps.xlsx", None, ALL_OK),
    ("GET", "/api/v1/grids/integration.xlsx", None, ALL_OK),
    ("GET", "/api/v1/grids/duty.xlsx", None, ALL_OK),
    ("GET", "/api/v1/forces", None, ALL_OK),
    ("GET", "/api/v1/forces.xlsx", None, ALL_OK),
    ("GET", "/api/v1/cases/evaluation", None, ALL_OK),
    ("GET", "/api/v1/cases/evaluation.xlsx", None, ALL_OK),
    ("GET", "/api/v1/grids/map", None, ALL_OK),
    ("POST", "/api/v1/grids/integration/accept", None,
     {"admin": 201, "analyst": DENY, "community": DENY, "consumer": DENY}),
    ("GET", "/explorer/export.html?focus=brA&depth=1", None, ALL_OK),
    ("GET", "/explorer/export.html?focus=mB1&depth=1", None, {**ALL_OK, "community": HIDE,
                                                              "consumer": HIDE}),
]


def _call(c: TestClient, method: str, url: str, body: Any) -> Any:
    if method == "GET":
        return c.get(url)
    if isinstance(body, dict) and "file" in body:
        return c.post(url, files=body)
    return c.post(url, json=body)


def test_every_endpoint_for_every_role(world: tuple[GraphStore, SecurityStore]) -> None:
    store, sec = world
    cs = clients(store, sec)
    anonymous = TestClient(create_app(store, security=sec), raise_server_exceptions=False)
    wrong = TestClient(create_app(store, security=sec), raise_server_exceptions=False,
                       headers={"Authorization": "Bearer gg_nonsense"})
    with cs["admin"], cs["analyst"], cs["community"], cs["consumer"], anonymous, wrong:
        for method, url, body, want in MATRIX:
            for role in ROLES:
                r = _call(cs[role], method, url, body)
                assert r.status_code == want[role], (role, method, url, r.text[:300])
            for c in (anonymous, wrong):
                r = _call(c, method, url, body)
                assert r.status_code == 401, (method, url)
                assert r.headers["www-authenticate"].startswith("Bearer")
        for c in (anonymous, wrong):
            assert c.get("/health").status_code == 200
            assert c.get("/explorer").status_code == 200  # the page shell: no data in it
    # every API route of the app is in the matrix
    covered = {(m, u.split("?")[0]) for m, u, _, _ in MATRIX}
    app = create_app(store, security=sec)
    routes = [(path, r) for path, r in api_routes(app) if path.startswith("/api/")]
    assert len(routes) >= 30  # the walk sees the routes of the included routers (32)
    for pattern, route in routes:
        assert route.methods is not None, pattern
        for m in route.methods:
            assert any(cm == m and _matches(pattern, cu) for cm, cu in covered), (m, pattern)


def _matches(pattern: str, url: str) -> bool:
    import re

    return re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", pattern), url) is not None


def test_nothing_of_community_b_reaches_community_a(world: tuple[GraphStore, SecurityStore]
                                                    ) -> None:
    """Every person of B by id through every endpoint naming a node, B's names in every
    search, and every list answer: with A's token none of B's ids or names appears."""
    store, sec = world
    secrets_b = set(B_PEOPLE) | {store.get_node(i).name for i in B_PEOPLE}
    with client_for(store, "community", "cA", security=sec) as c:
        bodies = []
        for pid in B_PEOPLE:
            for url in (f"/api/v1/nodes/{pid}", f"/api/v1/nodes/{pid}/neighbors?depth=3",
                        f"/api/v1/people/{pid}/posts", f"/api/v1/chains/leadership/{pid}",
                        f"/api/v1/paths?from=mA1&to={pid}", f"/api/v1/paths?from={pid}&to=mA1",
                        f"/explorer/export.html?focus={pid}"):
                r = c.get(url)
                assert r.status_code == 404, url
                assert r.json() == {"detail": f"no node with id {pid!r}"}  # as if absent
            r = c.get("/api/v1/search", params={"q": store.get_node(pid).name})
            assert r.status_code == 200
            bodies.append(r.text)
        for url in ("/api/v1/gaps/middle-weakening", "/api/v1/reports/three-boards",
                    "/api/v1/orgs/brA/members", "/api/v1/nodes/st/neighbors?depth=3",
                    "/api/v1/nodes/pwc/neighbors?depth=3", "/api/v1/communities/cA/summary",
                    "/api/v1/chains/leadership/mA1", "/api/v1/search?q=%E5%B1%85%E6%B0%91",
                    "/explorer/export.html?focus=st&depth=2", "/api/v1/grids/map",
                    "/api/v1/forces", "/api/v1/cases/evaluation", "/api/v1/overview"):
            r = c.get(url)
            assert r.status_code == 200, url
            at = r.text.find("window.GOVGRAPH_PRELOAD=")  # an export: its data only
            bodies.append(r.text[at:r.text.find("</script>", at)] if at >= 0 else r.text)
        r = c.post("/api/v1/pairings/proposals", json={"capacity": 2})
        bodies.append(r.text)
    for body in bodies:
        leaked = [(s, body[max(0, body.find(s) - 80):body.find(s) + 40]) for s in secrets_b
                  if s in body]
        assert leaked == [], leaked
    assert SCANNED[0] > 0


def test_community_sees_its_own_people_masked(world: tuple[GraphStore, SecurityStore]) -> None:
    store, sec = world
    with client_for(store, "community", "cA", security=sec) as c:
        for pid in A_PEOPLE:
            r = c.get(f"/api/v1/nodes/{pid}")
            assert r.status_code == 200, pid
            assert "PartyMember" in [x["label"] for x in r.json()["labels"]] or pid not in (
                "mA1", "mA2")  # party membership shown to the member's own community
        body = c.get("/api/v1/nodes/rA1").json()
        assert body["properties"]["phone"] == "137****1003"  # 13700001003
        assert body["properties"]["address"] == "新桥街道上星社区***"
        # 星居民 (3 characters: inside a person's name a 2-character text is not looked
        # for, queries/search.py) is in both residents' names and in 黄埔's none
        hits = {h["node"]["id"] for h in c.get("/api/v1/search",
                                               params={"q": "星居民"}).json()}
        assert hits == {"rA1", "rA2"}


def test_consumer_never_gets_a_person(world: tuple[GraphStore, SecurityStore]) -> None:
    store, sec = world
    with client_for(store, "consumer", security=sec) as c:
        nb = c.get("/api/v1/nodes/brA/neighbors?depth=2").json()
        assert nb["nodes"] and all("Person" not in n["labels"] for n in nb["nodes"])
        ids = {n["id"] for n in nb["nodes"]}
        assert all(r["start"] in ids and r["end"] in ids for r in nb["relationships"])
        assert nb["redacted"] > 0 and set(nb["distance"]) == ids
        chain = c.get("/api/v1/chains/leadership/brA").json()
        assert all(s["node"]["id"] in ("", "brA", "ccA", "pwc") for s in chain["steps"])
        assert "mA1" not in json.dumps(chain) and "街道书记" not in json.dumps(chain)
        assert all("Person" not in h["node"]["labels"] for h in
                   c.get("/api/v1/search", params={"q": "上星"}).json())
        gaps = c.get("/api/v1/gaps/middle-weakening").text
        assert "mA1" not in gaps and "上星书记" not in gaps


def test_path_through_a_hidden_node_is_cut(world: tuple[GraphStore, SecurityStore]) -> None:
    """brA and brB meet only through pwc, above both committees: visible. rA1 to rA2 go
    through their building: visible to A. A path from brA to eA: through the community;
    the consumer's path from bA to mA1's building... a person in the middle is cut."""
    store, sec = world
    with client_for(store, "consumer", security=sec) as c:
        # rcA to brA: rcA ← ccA → brA (no person): found
        assert c.get("/api/v1/paths?from=rcA&to=brA").json()["found"]
        # with only HOLDS_POST and MEMBER_OF allowed, rcA reaches brA through mA1 only
        r = c.get("/api/v1/paths?from=rcA&to=brA&type=HOLDS_POST&type=MEMBER_OF").json()
        assert r["found"] is False and r["cut"] is True and r["nodes"] == []
    with client_for(store, "admin", security=sec) as c:
        r = c.get("/api/v1/paths?from=rcA&to=brA&type=HOLDS_POST&type=MEMBER_OF").json()
        assert [n["id"] for n in r["nodes"]] == ["rcA", "mA1", "brA"]


def test_audit_records_personal_reads_and_changes(world: tuple[GraphStore, SecurityStore],
                                                  tmp_path: Path) -> None:
    store, sec = world
    with client_for(store, "analyst", security=sec) as c:
        c.get("/api/v1/nodes/mA1", headers={"X-Purpose": quote("党员发展核查")})
        c.get("/api/v1/nodes/brA")  # an organisation: nothing personal, no record
        c.get("/api/v1/orgs/brA/members")
    with client_for(store, "admin", security=sec) as c:
        c.post("/api/v1/pairings", json={"pairs": [{"mentor": "mA1", "mentee": "mA2"}]})
        page = c.get("/api/v1/audit").json()
    got = [(r["role"], r["method"], r["path"], r["purpose"], r["node_ids"])
           for r in reversed(page["items"])]
    assert got == [
        ("analyst", "GET", "/api/v1/nodes/mA1", "党员发展核查", ["mA1"]),
        ("analyst", "GET", "/api/v1/orgs/brA/members", None, ["mA1", "mA2"]),
        ("admin", "POST", "/api/v1/pairings", None, ["mA1", "mA2"]),  # whom it pairs
    ]
    # and the admin's read of the audit page, which names those people too
    assert page["intact"] and sec.verify() == (True, 4, None)
    assert sec.records(1)[0][0]["path"] == "/api/v1/audit"


def test_audit_verify_fails_after_any_edit(world: tuple[GraphStore, SecurityStore]) -> None:
    """The CLI's verdict after a record is edited, one deleted from the middle, and the
    newest one deleted (the triggers are dropped first, as an attacker would)."""
    import subprocess

    from tests.cli_helpers import GOVGRAPH

    store, sec = world
    with client_for(store, "analyst", security=sec) as c:
        for pid in ("mA1", "mA2", "rA1", "rA2"):
            c.get(f"/api/v1/nodes/{pid}")
    sec.flush()  # the writer thread commits within 50 ms; the CLI below must see all 4
    path = sec.path

    def verify() -> subprocess.CompletedProcess[str]:
        return subprocess.run([GOVGRAPH, "audit", "verify"], capture_output=True, text=True,
                              env={**__import__("os").environ, "GOVGRAPH_SECURITY_DB": str(path)})

    assert verify().returncode == 0 and "4 records" in verify().stdout
    db = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit SET node_ids = '[]' WHERE seq = 2")

    def tamper(sql: str) -> None:  # opening the store re-creates the triggers: drop again
        db.execute("DROP TRIGGER IF EXISTS audit_no_update")
        db.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        db.execute(sql)
        db.commit()

    tamper("""UPDATE audit SET node_ids = '["mB1"]' WHERE seq = 2""")
    r = verify()
    assert r.returncode == 1 and "record 2 was changed" in r.stderr
    tamper("""UPDATE audit SET node_ids = '["mA2"]' WHERE seq = 2""")
    assert verify().returncode == 0
    tamper("DELETE FROM audit WHERE seq = 4")
    r = verify()
    assert r.returncode == 1 and "newest records were removed" in r.stderr
    tamper("DELETE FROM audit WHERE seq = 2")
    r = verify()
    assert r.returncode == 1 and "record 2 is missing" in r.stderr
    db.close()


def test_rate_limit_and_body_limit(world: tuple[GraphStore, SecurityStore],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.settings import get_settings

    store, sec = world
    monkeypatch.setenv("GOVGRAPH_RATE_LIMIT_PER_SECOND", "1")
    monkeypatch.setenv("GOVGRAPH_RATE_LIMIT_BURST", "3")
    get_settings.cache_clear()
    try:
        with client_for(store, "analyst", security=sec) as c, \
                client_for(store, "analyst", security=sec) as other:
            codes = [c.get("/api/v1/stats").status_code for _ in range(5)]
            assert codes[:3] == [200, 200, 200] and 429 in codes[3:]
            r = c.get("/api/v1/stats")
            assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
            assert other.get("/api/v1/stats").status_code == 200  # per token
            big = {"pairs": [{"mentor": "x" * 100, "mentee": "y"}] * 20_000}
            assert c.post("/api/v1/pairings/proposals", json=big).status_code == 413
    finally:
        get_settings.cache_clear()


def test_token_cli(tmp_path: Path, world: tuple[GraphStore, SecurityStore]) -> None:
    import os
    import subprocess

    from tests.cli_helpers import GOVGRAPH

    env = {**os.environ, "GOVGRAPH_SECURITY_DB": str(tmp_path / "s.db")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([GOVGRAPH, *args], capture_output=True, text=True, env=env)

    made = run("token", "create", "--role", "analyst", "--label", "王科长")
    assert made.returncode == 0
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("gg_")
    listing = json.loads(run("token", "list", "--json").stdout)
    assert [(t["role"], t["label"], t["revoked"]) for t in listing] == [
        ("analyst", "王科长", None)]
    assert token not in (tmp_path / "s.db").read_bytes().decode("latin-1")  # only a hash
    sec = SecurityStore(tmp_path / "s.db")
    assert sec.authenticate(token) is not None
    assert run("token", "revoke", listing[0]["id"]).returncode == 0
    assert SecurityStore(tmp_path / "s.db").authenticate(token) is None
    bad = run("token", "create", "--role", "community")
    assert bad.returncode == 1 and "--community" in bad.stderr
    bad = run("token", "create", "--role", "boss")
    assert bad.returncode == 1 and "must be one of" in bad.stderr
