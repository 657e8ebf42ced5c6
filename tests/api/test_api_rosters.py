"""Roster kinds, templates and uploads over HTTP."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from graph.settings import get_settings
from graph.store import GraphStore
from tests.api_helpers import client_for
from tests.graphs import tiny_street
from tests.rosters import idn, snapshot

HEAD = "姓名,身份证号,入党日期,所在党组织\n"
A = idn("44030619800101001")


@pytest.fixture
def client(store: GraphStore) -> Iterator[TestClient]:
    store.upsert(*tiny_street())
    with client_for(store) as c:
        yield c


def test_kinds_and_template(client: TestClient) -> None:
    kinds = {k["kind"]: k for k in client.get("/api/v1/rosters").json()}
    assert set(kinds) == {"party_orgs", "party_members", "residents", "buildings", "grids",
                          "deployed_staff", "enterprises", "posts", "cases", "building_heads",
                          "shop_managers", "property_staff", "security_guards", "grid_workers"}
    cols = {c["header"]: c for c in kinds["party_members"]["columns"]}
    assert cols["所在党组织"]["required"] and cols["所在党组织"]["link"] == "MEMBER_OF"
    assert "身份证号" in cols["公民身份号码"]["aliases"]
    r = client.get("/api/v1/rosters/党员/template")
    assert r.status_code == 200 and "filename*=UTF-8''" in r.headers["content-disposition"]
    assert load_workbook(io.BytesIO(r.content)).sheetnames == ["党员", "填写说明"]
    assert client.get("/api/v1/rosters/nonsense/template").status_code == 404


def test_upload_gbk_roster(client: TestClient, store: GraphStore) -> None:
    body = (HEAD + f"甲,{A},2001-07-01,上星第一支部\n").encode("gbk")
    r = client.post("/api/v1/rosters/party_members", params={"dry_run": True,
                                                             "as_of": "2026-06-30"},
                    files={"file": ("名册.csv", body, "text/csv")})
    assert r.status_code == 200, r.text
    assert r.json()["changes"]["nodes_added"] == 1 and not r.json()["written"]
    r = client.post("/api/v1/rosters/party_members", params={"as_of": "2026-06-30"},
                    files={"file": ("名册.csv", body, "text/csv")})
    assert r.status_code == 200 and r.json()["written"] and r.json()["file"] == "名册.csv"
    assert len(list(store.nodes("PartyMember"))) == 2


def test_upload_with_errors_is_422_and_writes_nothing(client: TestClient,
                                                      store: GraphStore) -> None:
    before = snapshot(store)
    body = (HEAD + "甲,440306198001010011,2001-07-01,上星第一支部\n").encode()
    r = client.post("/api/v1/rosters/party_members", files={"file": ("r.csv", body)})
    assert r.status_code == 422
    issue = r.json()["issues"][0]
    assert (issue["column"], issue["row"], issue["rule"]) == ("B", 2, "id_number")
    assert "440306198001010011" not in r.text
    r = client.post("/api/v1/rosters/party_members", params={"report": "xlsx"},
                    files={"file": ("r.csv", body)})
    assert r.status_code == 422 and r.headers["content-type"].startswith(
        "application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(r.content))["r"]["B2"].comment is not None
    r = client.post("/api/v1/rosters/party_members", files={"file": ("r.pdf", b"%PDF-1.4")})
    assert r.status_code == 422 and r.json()["issues"][0]["rule"] == "file_type"
    assert snapshot(store) == before


def test_upload_too_large_is_413(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVGRAPH_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    try:
        body = HEAD.encode() + b"x" * (2 << 20)
        r = client.post("/api/v1/rosters/party_members", files={"file": ("r.csv", body)})
        assert r.status_code == 413 and "larger than 1 MB" in r.json()["detail"]
    finally:
        monkeypatch.delenv("GOVGRAPH_MAX_UPLOAD_MB")
        get_settings.cache_clear()


@pytest.mark.parametrize("filename", ["..", "../../etc/passwd", "a\\..\\b.csv", ".", ""])
def test_odd_file_names_stay_in_the_upload_directory(client: TestClient, filename: str) -> None:
    r = client.post("/api/v1/rosters/party_members", files={"file": (filename, b"x,y\n1,2\n")})
    assert r.status_code == 422  # an empty name is no file at all for FastAPI
    assert r.json()["issues"][0]["rule"] in ("no_header", "file_type") if filename else True


def test_upload_refuses_an_excel_mangled_id_number(client: TestClient, store: GraphStore) -> None:
    """The API path: 5.11025E+17 (an ID number Excel turned into a float) is refused with
    what to do about it, and nothing is written."""
    before = snapshot(store)
    body = (HEAD + "甲,5.11025E+17,2001-07-01,上星第一支部\n").encode()
    r = client.post("/api/v1/rosters/party_members", files={"file": ("r.csv", body)})
    assert r.status_code == 422
    (issue,) = r.json()["issues"]
    assert (issue["column"], issue["rule"]) == ("B", "id_number_as_number")
    assert "Excel" in issue["message_zh"] and "文本" in issue["message_zh"]
    assert snapshot(store) == before


def test_upload_reports_what_it_changes_per_node(client: TestClient, store: GraphStore) -> None:
    """A dry run of a roster re-listing 张三 (found by his ID number, whoever wrote him)
    with a new phone says what would change on his node, masked."""
    from tests.graphs import node

    p1 = store.get_node("p1")
    store.upsert([node("p1", *p1.labels, **{**p1.properties, "id_number": A})])
    body = ("姓名,身份证号,入党日期,所在党组织,党内职务,手机号\n"
            f"张三,{A},2020-07-01,上星第一支部,书记,139 1234 5678\n").encode()
    r = client.post("/api/v1/rosters/party_members", params={"dry_run": True,
                                                             "keep_missing": True},
                    files={"file": ("r.csv", body)})
    assert r.status_code == 200, r.text
    (diff,) = r.json()["diffs"]
    assert diff["id"] == "p1" and diff["properties"] == {"phone": ["138****0000",
                                                                   "139****5678"]}
    assert r.json()["changes"]["nodes_added"] == 0
    assert "13912345678" not in r.text
