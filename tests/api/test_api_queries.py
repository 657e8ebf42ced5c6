"""Every query endpoint on the hand-built community, with its 404 and 422 cases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from graph.store import GraphStore
from tests.api_helpers import client_for
from tests.graphs import governance, node, rel

DAY = "2024-06-30"


@pytest.fixture
def client(store: GraphStore) -> Iterator[TestClient]:
    """The API over the hand-built community, on every backend."""
    nodes, rels = governance()
    nodes.append(node("p-id", "PartyMember", name="赵敏", joined_party_on="2023-01-01",
                      id_number="440306199001011236", phone="13812345678",
                      birth_date="1990-01-01"))
    rels += [rel("HOLDS_POST", "sA", "cA", title="社区书记兼主任", since="2022-01-01")]
    store.upsert(nodes, rels)
    with client_for(store) as c:
        yield c


def test_get_node_masks_sensitive_properties(client: TestClient, store: GraphStore) -> None:
    admin = client.get("/api/v1/nodes/p-id").json()  # the fixture's token is an admin's
    assert admin["properties"]["id_number"] == "440306199001011236" and admin["masked"] == []
    with client_for(store, "analyst") as analyst:
        r = analyst.get("/api/v1/nodes/p-id")
    assert r.status_code == 200
    body = r.json()
    assert body["label"] == "PartyMember" and body["label_zh"] == "党员"
    assert body["properties"]["id_number"] == "440306********1236"
    assert body["properties"]["phone"] == "138****5678"
    assert body["properties"]["birth_date"].endswith("岁")
    assert body["masked"] == ["birth_date", "id_number", "phone"]
    assert body["property_names_zh"]["id_number"] == "身份证号"
    assert "13812345678" not in r.text and "199001011236" not in r.text
    assert client.get("/api/v1/nodes/nobody").status_code == 404


def test_search(client: TestClient) -> None:
    for q in ("张三", "zhangsan", "zs"):
        r = client.get("/api/v1/search", params={"q": q})
        assert r.status_code == 200 and r.json()[0]["node"]["id"] == "m1", q
    r = client.get("/api/v1/search", params={"q": "zhang", "label": "PartyMember"})
    assert [h["node"]["id"] for h in r.json()] == ["m1", "m2"]
    assert client.get("/api/v1/search", params={"q": ""}).status_code == 422
    assert client.get("/api/v1/search", params={"q": "z", "limit": 0}).status_code == 422
    r = client.get("/api/v1/search", params={"q": "z", "label": "Martian"})
    assert r.status_code == 422 and "Martian" in r.text


def test_neighbours(client: TestClient) -> None:
    r = client.get("/api/v1/nodes/brOK/neighbors", params={"type": "MEMBER_OF"})
    assert r.status_code == 200
    body = r.json()
    assert [n["id"] for n in body["nodes"]] == ["brOK", "m1", "m2", "m3", "m4"]
    assert body["relationships"][0]["type_zh"] == "党员隶属"
    r = client.get("/api/v1/nodes/cA/neighbors",
                   params={"depth": 2, "type": ["PART_OF", "IN_GRID"], "label": "Building"})
    # depth 2 over PART_OF keeping only buildings: none adjacent to cA directly
    assert [n["id"] for n in r.json()["nodes"]] == ["cA"]
    r = client.get("/api/v1/nodes/cA/neighbors", params={"depth": 2, "limit": 5})
    assert r.json()["truncated"] is True and len(r.json()["nodes"]) == 5
    assert client.get("/api/v1/nodes/cA/neighbors", params={"depth": 4}).status_code == 422
    r = client.get("/api/v1/nodes/cA/neighbors", params={"type": "LOVES"})
    assert r.status_code == 422 and "LOVES" in r.text
    assert client.get("/api/v1/nodes/cA/neighbors",
                      params={"direction": "up"}).status_code == 422
    assert client.get("/api/v1/nodes/zz/neighbors").status_code == 404


def test_paths(client: TestClient) -> None:
    r = client.get("/api/v1/paths", params={"from": "r1", "to": "sA"})
    body = r.json()
    # sA also holds a post at cA: the shortest way is through the community.
    assert body["found"] and body["length"] == 4
    assert [n["id"] for n in body["nodes"]] == ["r1", "bA1", "gA1", "cA", "sA"]
    r = client.get("/api/v1/paths", params={"from": "r1", "to": "sA",
                                            "type": ["LIVES_IN", "IN_GRID", "IN", "LEADS",
                                                     "MEMBER_OF"]})
    assert [n["id"] for n in r.json()["nodes"]] == ["r1", "bA1", "gridA1", "cA", "ccA", "sA"]
    r = client.get("/api/v1/paths", params={"from": "r1", "to": "sA", "type": "LIVES_IN"})
    assert r.json() == {"found": False, "length": None, "nodes": [], "relationships": [],
                        "types": ["LIVES_IN"]}
    assert client.get("/api/v1/paths", params={"from": "r1", "to": "zz"}).status_code == 404
    assert client.get("/api/v1/paths", params={"from": "r1"}).status_code == 422
    assert client.get("/api/v1/paths", params={"from": "r1", "to": "sA",
                                               "max_length": 11}).status_code == 422


def test_org_members_with_sub_orgs(client: TestClient) -> None:
    r = client.get("/api/v1/orgs/ccA/members", params={"as_of": DAY, "limit": 500})
    body = r.json()
    # sA + brOK 4 + brNoSec 3 + brFew 3 + brIdle 3 (m14 left) + brEnt 3 + brBig 51
    assert body["total"] == 1 + 4 + 3 + 3 + 3 + 3 + 51
    r = client.get("/api/v1/orgs/ccA/members", params={"as_of": DAY, "include_sub": False})
    assert [(m["person"]["id"], m["role"], m["role_zh"]) for m in r.json()["items"]] == [
        ("sA", "secretary", "书记")]
    page = client.get("/api/v1/orgs/brBig/members", params={"limit": 10, "offset": 50}).json()
    assert (page["total"], len(page["items"]), page["items"][0]["person"]["id"]) == (
        51, 1, "x50")
    assert client.get("/api/v1/orgs/cA/members").status_code == 422  # not a party org
    assert client.get("/api/v1/orgs/zz/members").status_code == 404
    assert client.get("/api/v1/orgs/ccA/members", params={"limit": 501}).status_code == 422


def test_leadership_chain(client: TestClient) -> None:
    r = client.get("/api/v1/chains/leadership/r21", params={"as_of": DAY})
    body = r.json()
    assert [s["node"]["id"] for s in body["steps"]] == ["r21", "bA2", "gridA2", "cA", "ccA",
                                                        "pwc"]
    assert [b["reason"] for b in body["breaks"]] == ["building_without_head",
                                                     "grid_without_worker"]
    assert body["steps"][1]["reached_by"]["name_zh"] == "居住于"
    assert client.get("/api/v1/chains/leadership/zz").status_code == 404
    r = client.get("/api/v1/chains/leadership/r21", params={"as_of": "2024-02-30"})
    assert r.status_code == 422


def test_middle_weakening(client: TestClient) -> None:
    r = client.get("/api/v1/gaps/middle-weakening", params={"as_of": DAY})
    body = r.json()
    assert [g["rank"] for g in body["gaps"]] == [1, 2, 3, 4, 5]
    assert body["gaps"][0]["reasons_zh"] == ["居民小组虚化", "无党支部覆盖(中间环节缺失)"]
    page = client.get("/api/v1/gaps/middle-weakening",
                      params={"as_of": DAY, "limit": 2, "offset": 2}).json()
    assert [g["rank"] for g in page["gaps"]] == [3, 4]
    r = client.get("/api/v1/gaps/middle-weakening", params={"as_of": DAY, "max_members": 60})
    assert "brBig" not in {b["branch"]["id"] for b in r.json()["weak_branches"]}
    assert client.get("/api/v1/gaps/middle-weakening",
                      params={"community": "zz"}).status_code == 404
    assert client.get("/api/v1/gaps/middle-weakening",
                      params={"community": "brOK"}).status_code == 422
    assert client.get("/api/v1/gaps/middle-weakening",
                      params={"inactive_days": -1}).status_code == 422


def test_pairing_propose_and_accept(client: TestClient) -> None:
    r = client.post("/api/v1/pairings/proposals", json={"capacity": 1, "as_of": DAY})
    assert r.status_code == 200
    body = r.json()
    assert body["objective"]["paired"] == len(body["pairs"]) > 0
    first = body["pairs"][0]
    r = client.post("/api/v1/pairings", json={"pairs": [
        {"mentor": first["mentor"]["id"], "mentee": first["mentee"]["id"],
         "score": first["score"]}], "since": DAY})
    mentor, mentee = first["mentor"]["id"], first["mentee"]["id"]
    assert (r.status_code, r.json()) == (201, {"written": 1, "since": DAY, "ids": [
        f"MENTORS:{mentor}->{mentee}:{DAY}"]})
    again = client.post("/api/v1/pairings/proposals", json={"capacity": 1, "as_of": DAY}).json()
    assert [(k["mentor"]["id"], k["mentee"]["id"]) for k in again["kept"]] == [
        (first["mentor"]["id"], first["mentee"]["id"])]
    assert client.post("/api/v1/pairings/proposals", json={"capacity": -1}).status_code == 422
    assert client.post("/api/v1/pairings/proposals",
                       json={"community": "zz"}).status_code == 404
    assert client.post("/api/v1/pairings", json={"pairs": []}).status_code == 422
    r = client.post("/api/v1/pairings", json={"pairs": [{"mentor": "m1", "mentee": "brOK"}]})
    assert r.status_code == 409 and "not a party member" in r.json()["detail"]
    assert client.post("/api/v1/pairings", json={"pairs": [{"mentor": "zz", "mentee": "m1"}]}
                       ).status_code == 404
    assert client.post("/api/v1/pairings", content=b"{not json").status_code == 422


def test_community_summary_and_three_boards(client: TestClient) -> None:
    r = client.get("/api/v1/communities/cA/summary", params={"as_of": DAY})
    body = r.json()
    assert body["committee"]["id"] == "ccA" and body["secretary"]["id"] == "sA"
    assert body["counts"]["resident_groups"] == 6 and body["counts"]["grids"] == 2
    assert body["counts"]["buildings"] == 4 and body["counts"]["residents"] == 12
    assert body["grids_by_kind"] == {"base": 2}
    assert body["party_structure"]["weak_branches"] == 4
    assert [(h["person"]["id"], h["organisations"]) for h in body["post_holders"]] == [
        ("sA", 2)]
    r = client.get("/api/v1/reports/three-boards", params={"as_of": DAY})
    assert [h["person"]["id"] for h in r.json()["items"]] == ["sA"]
    assert {p["title"] for p in r.json()["items"][0]["posts"]} == {"书记", "社区书记兼主任"}
    assert client.get("/api/v1/communities/ccA/summary").status_code == 422
    assert client.get("/api/v1/communities/zz/summary").status_code == 404
    assert client.get("/api/v1/reports/three-boards", params={"min_orgs": 1}).status_code == 422


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {"/api/v1/nodes/{node_id}", "/api/v1/search", "/api/v1/nodes/{node_id}/neighbors",
            "/api/v1/paths", "/api/v1/orgs/{org_id}/members",
            "/api/v1/chains/leadership/{node_id}", "/api/v1/gaps/middle-weakening",
            "/api/v1/pairings/proposals", "/api/v1/pairings",
            "/api/v1/communities/{community_id}/summary"} <= paths
