"""The API over a small hand-built graph: health, schema, stats, OpenAPI, errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.embedded import EmbeddedStore
from graph.errors import NodeNotFound
from tests.api_helpers import client_for, security_store
from tests.graphs import node, rel, tiny_street


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    store = EmbeddedStore(tmp_path / "api.db")
    nodes, rels = tiny_street()
    nodes += [node("g1", "Grid", kind="base"), node("g2", "Grid", kind="base"),
              node("g3", "Grid", kind="police"),
              node("h1", "BuildingHead", name="楼长甲"),
              node("h2", "BuildingHead", "ShopManager", name="身兼两职")]
    rels += [rel("IN", "g1", "c1"), rel("HEADS", "h1", "b1")]
    store.upsert(nodes, rels)
    sec = security_store()
    token, _ = sec.create_token("admin", label="test")
    app = create_app(store, security=sec)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret detail /etc/passwd")

    @app.get("/missing")
    def missing() -> None:
        raise NodeNotFound("zz")

    with TestClient(app, raise_server_exceptions=False,
                    headers={"Authorization": f"Bearer {token}"}) as c:
        yield c
    store.close()


def test_health(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "live": True, "ready": True, "store": "EmbeddedStore",
                        "detail": None}
    assert client.get("/health/live").status_code == 200
    assert client.get("/health/ready").status_code == 200


def test_stats_counts_with_chinese_names(client: TestClient) -> None:
    r = client.get("/api/v1/stats")
    assert r.status_code == 200
    body = r.json()
    assert (body["nodes"], body["relationships"]) == (13, 11)
    labels = {lc["label"]: lc for lc in body["labels"]}
    assert labels["Grid"] == {"label": "Grid", "name_zh": "网格", "name_en": "Grid", "count": 3}
    assert labels["Person"]["count"] == 3 and labels["BuildingHead"]["count"] == 2
    assert labels["Enterprise"]["count"] == 0  # every schema label listed
    kinds = {g["kind"]: (g["name_zh"], g["count"]) for g in body["grids_by_kind"]}
    assert kinds["base"] == ("基础网格", 2) and kinds["police"] == ("警格", 1)
    assert kinds["fire"] == ("消格", 0)
    types = {t["type"]: (t["name_zh"], t["count"]) for t in body["relationship_types"]}
    assert types["PART_OF"] == ("属于", 3) and types["HEADS"] == ("担任楼栋长", 1)
    assert body["two_heads_two_staff"] == 2  # h2 holds two roles, counted once


def test_schema_endpoint_is_the_schema_files(client: TestClient) -> None:
    body = client.get("/api/v1/schema").json()
    labels = {lab["name"]: lab for lab in body["labels"]}
    assert labels["Branch"]["name_zh"] == "党支部" and labels["Branch"]["extends"] == "PartyOrg"
    person = {p["name"]: p for p in labels["Person"]["properties"]}
    assert person["id_number"]["sensitive"] is True and person["gender"]["sensitive"] is False
    rels = {r["name"]: r for r in body["relationships"]}
    assert rels["COVERS"]["allowed"] == [{"from": ["Branch"], "to": ["ResidentGroup"]}]


def test_openapi_docs(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/health", "/api/v1/schema", "/api/v1/stats"} <= set(paths)


def test_errors_are_json_without_traces(client: TestClient) -> None:
    r = client.get("/boom")
    assert r.status_code == 500
    assert r.json() == {"detail": "internal error; see the server log"}
    assert "passwd" not in r.text and "Traceback" not in r.text
    r = client.get("/missing")
    assert (r.status_code, r.json()) == (404, {"detail": "no node with id 'zz'"})
    assert client.get("/api/v1/nope").status_code == 404


def test_health_not_ready_when_store_closed(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "h.db")
    with client_for(store) as c:
        store.close()
        r = c.get("/health")
        assert r.status_code == 503 and r.json()["ready"] is False and r.json()["live"]
        assert "closed" in r.json()["detail"]
        assert c.get("/health/live").status_code == 200
        assert c.get("/health/ready").status_code == 503
        r = c.get("/api/v1/stats")
        assert r.status_code == 503 and r.headers["retry-after"] == "5"
