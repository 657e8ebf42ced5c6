"""Red-team fixtures (issue 14), small fixes: non-finite numbers are a 422, hostile ids
are embedded inertly in an HTML export, a hidden person and a missing id look the same,
security headers and local docs, a CSV export private and safe in a spreadsheet, the walk
for ids outside scope on both backends, refusals without a token rate-limited.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph.store import GraphStore
from tests.api.redteam_helpers import TODAY, _all_strings, _calls
from tests.api_helpers import client_for, security_store
from tests.graphs import node, rel, two_communities


# ------------------------------------------------------------------ small fixes
def test_non_finite_numbers_are_a_422(store: GraphStore) -> None:
    store.upsert(*two_communities())
    with client_for(store, "analyst") as c:
        for body in (b'{"capacity": NaN}', b'{"young_age": Infinity}',
                     b'{"new_years": -Infinity}'):
            r = c.post("/api/v1/pairings/proposals", content=body,
                       headers={"Content-Type": "application/json"})
            assert r.status_code == 422, (body, r.status_code, r.text)
            assert r.json()["detail"][0]["loc"][0] == "body"


def test_export_html_embeds_hostile_ids_inertly(store: GraphStore) -> None:
    nodes, rels = two_communities()
    hostile = ["</script><script>alert(1)</script>", "x<!--<script>", "a\u2028b&c>"]
    nodes += [node(h, "Enterprise", name=f"企业{i}") for i, h in enumerate(hostile)]
    rels += [rel("IN", h, "cA") for h in hostile]
    store.upsert(nodes, rels)
    with client_for(store, "analyst") as c:
        plain = c.get("/explorer/export.html", params={"focus": "cA", "depth": 1})
        assert plain.status_code == 200
        scripts = plain.text.count("<script")
        for h in hostile:
            r = c.get("/explorer/export.html", params={"focus": h, "depth": 1})
            assert r.status_code == 200, (h, r.status_code)
            at = r.text.find("window.GOVGRAPH_PRELOAD=")
            data = r.text[at:r.text.find("</script>", at)]
            assert "<" not in data and ">" not in data and "\u2028" not in data
            assert r.text.count("<script") == scripts and "<!--<script" not in r.text
            assert r.headers["content-security-policy"].startswith("default-src 'none'")


def test_a_hidden_person_and_a_missing_id_look_the_same(store: GraphStore) -> None:
    store.upsert(*two_communities())
    with client_for(store, "consumer") as c:
        for url in ("/api/v1/nodes/{}", "/api/v1/chains/leadership/{}",
                    "/api/v1/nodes/{}/neighbors", "/explorer/export.html?focus={}"):
            hidden, missing = c.get(url.format("rA1")), c.get(url.format("zz9"))
            assert hidden.status_code == missing.status_code == 404, url
            assert hidden.content.replace(b"rA1", b"?") == missing.content.replace(b"zz9", b"?")
            assert sorted(hidden.headers.items()) == sorted(missing.headers.items()), url


def test_security_headers_and_local_docs(store: GraphStore) -> None:
    store.upsert(*two_communities())
    with client_for(store, "analyst") as c:
        for url in ("/api/v1/nodes/mA1", "/api/v1/gaps/middle-weakening.xlsx", "/explorer",
                    "/docs", "/health"):
            r = c.get(url)
            assert r.status_code == 200, url
            assert r.headers["x-content-type-options"] == "nosniff"
            assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert c.get("/api/v1/nodes/mA1").headers["cache-control"] == "no-store"
        assert c.get("/explorer/export.html?focus=brA").headers["cache-control"] == "no-store"
        page = c.get("/explorer").headers["content-security-policy"]
        assert "default-src 'self'" in page and "script-src" not in page  # own files only
        docs = c.get("/docs").text
        assert "/docs/static/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
        assert "cdn" not in c.get("/redoc").text.lower()
        js = c.get("/docs/static/swagger-ui-bundle.js")
        assert js.status_code == 200 and len(js.content) > 100_000
        assert c.get("/docs/static/../../etc/passwd").status_code == 404


def test_csv_export_is_private_and_spreadsheet_safe(store: GraphStore, tmp_path: Path) -> None:
    import csv
    import stat

    from graph.embedded import EmbeddedStore
    from loaders.graph_csv import export_graph_csv, load_graph_csv

    nodes, rels = two_communities()
    nodes.append(node("e=1", "Enterprise", name='=HYPERLINK("http://x","点我")'))
    nodes.append(node("e2", "Enterprise", name="'=quoted"))
    rels += [rel("IN", "e=1", "cA"), rel("IN", "e2", "cA")]
    store.upsert(nodes, rels)
    out = tmp_path / "csv"
    export_graph_csv(store, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    files = list(out.iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    with open(out / "nodes_Enterprise.csv", encoding="utf-8") as f:
        cells = [c for row in csv.reader(f) for c in row]
    assert not [c for c in cells if c and c[0] in "=+-@"], "a cell a spreadsheet would run"
    assert "'=HYPERLINK(\"http://x\",\"点我\")" in cells and "''=quoted" in cells
    with EmbeddedStore(tmp_path / "back.db") as back:
        report = load_graph_csv(back, out)
        assert report.ok, report.issues[:3]
        assert back.get_node("e=1").name == '=HYPERLINK("http://x","点我")'
        assert back.get_node("e2").name == "'=quoted"
    export_graph_csv(store, tmp_path / "raw", raw=True)
    assert '=HYPERLINK(""http://x""' in (tmp_path / "raw" / "nodes_Enterprise.csv").read_text()


@pytest.mark.parametrize("role", ["community", "consumer"])
def test_no_answer_names_a_node_outside_scope_on_either_backend(store: GraphStore,
                                                                role: str) -> None:
    """The same walk on the two-community fixture, on both backends."""
    from queries.scope import community_scope

    store.upsert(*two_communities())
    scope = community_scope(store, "cA")
    fills = {"node_id": ["cA", "ccA", "brA", "mA1", "rA1", "pwc"],
             "org_id": ["pwc", "ccA", "brA"], "community_id": ["cA"],
             "kind": ["party_members"]}
    checked = 0
    with client_for(store, role, "cA" if role == "community" else None) as c:
        for method, url, args in _calls(c, fills, TODAY.isoformat()):
            r = (c.post(url, json={}) if method == "post" else c.get(url, params=args))
            if r.status_code != 200:
                assert r.status_code in (403, 404), (url, r.status_code, r.text[:200])
                continue
            found = store.node_labels(_all_strings(r))
            leaked = sorted(i for i, ls in found.items()
                            if (i not in scope if role == "community" else "Person" in ls))
            assert leaked == [], (role, url, leaked[:5])
            checked += 1
    assert checked > 40


def test_refusals_without_a_token_are_rate_limited(store: GraphStore,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the burst, requests without a valid token from one address get 429 and are
    no longer written to the audit log (a flood cannot grow it without bound)."""
    from api.app import create_app
    from graph.settings import get_settings

    monkeypatch.setenv("GOVGRAPH_RATE_LIMIT_PER_SECOND", "1")
    monkeypatch.setenv("GOVGRAPH_RATE_LIMIT_BURST", "5")
    get_settings.cache_clear()
    try:
        store.upsert(*two_communities())
        sec = security_store()
        with TestClient(create_app(store, security=sec), raise_server_exceptions=False,
                        client=(f"203.0.113.{len(store.backend)}", 5000)) as c:
            codes = [c.get("/api/v1/nodes/brA").status_code for _ in range(40)]
        sec.flush()
        assert codes[:5] == [401] * 5 and codes.count(429) >= 30, codes
        records, total = sec.records(100)
        assert total <= 10 and {r["status"] for r in records} == {401}
    finally:
        get_settings.cache_clear()
