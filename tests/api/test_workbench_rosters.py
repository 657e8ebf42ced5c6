"""The roster upload page (名册导入) without a browser. The browser's part (wb-rosters.js)
is played by the test: the file goes to the JSON route ``/api/v1/rosters/{kind}``, and
its answer to ``/api/v1/workbench/rosters/report`` to be shown.

The street is ``tiny_street()`` with two members of 上星第一支部: 张三 (p1, secretary,
phone 13800000000) and 李四 (p2). The roster lists 张三 with a new phone and a new
member 王五 — so, worked out by hand: one person added (王五), one changed (张三's
phone), one membership added (王五's), one unchanged (张三's), one ended (李四's: he is
no longer on the branch's complete roster). The bad file has 王五's ID number with a
wrong check digit: cell B3 of sheet 党员, rule ``id_number``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from api.workbench.text import TEXT
from graph.store import GraphStore
from tests.api_helpers import client_for, security_store
from tests.graphs import idn, node, rel, tiny_street
from tests.rosters import snapshot

#: the page's answers come from JSON routes tested on both backends (tests/conftest.py)
pytestmark = pytest.mark.embedded_only

DAY = "2026-06-30"
URL = "/api/v1/workbench/rosters"
ZHANG = idn("44030619800101001")
WANG = idn("44030619900202002")
LI = idn("44030619700303003")
WRONG = WANG[:-1] + ("1" if WANG[-1] != "1" else "2")  # the check digit off by one
HEAD = ["姓名", "公民身份号码", "入党日期", "所在党组织", "党内职务", "手机号码"]
TAG = re.compile(r"<[^>]+>")


def roster(wang_id: str = WANG, branch: str = "上星第一支部") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "党员"
    for row in (HEAD, ["张三", ZHANG, "2020-07-01", "上星第一支部", "书记", "13912345678"],
                ["王五", wang_id, "2024-07-01", branch, "党员", ""]):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def street() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    nodes, rels = tiny_street()
    nodes = [node("p1", *n["labels"], **{**n["properties"], "id_number": ZHANG})
             if n["id"] == "p1" else n for n in nodes]
    nodes.append(node("p2", "PartyMember", name="李四", joined_party_on="2010-07-01",
                      full_member=True, id_number=LI))
    rels.append(rel("MEMBER_OF", "p2", "br1", role="member", since="2010-07-01"))
    return nodes, rels


@pytest.fixture
def admin(store: GraphStore) -> Iterator[TestClient]:
    store.upsert(*street())
    with client_for(store, "admin", security=security_store()) as c:
        yield c


def upload(c: TestClient, body: bytes, dry_run: bool, name: str = "名册.xlsx",
           **params: Any) -> tuple[int, Any]:
    """What wb-rosters.js does first: the file to the JSON route."""
    r = c.post("/api/v1/rosters/party_members",
               params={"dry_run": dry_run, "as_of": DAY, **params},
               files={"file": (name, body)})
    return r.status_code, r.json()


def shown(c: TestClient, status: int, answer: Any, step: str = "dry_run",
          lang: str = "zh") -> str:
    """…and then its answer to the page, to be rendered."""
    r = c.post(f"{URL}/report", params={"lang": lang},
               json={"kind": "party_members", "step": step, "status": status,
                     "answer": answer})
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    text: str = r.text
    return text


def _rows(html: str, table: str) -> list[str]:
    m = re.search(rf'<table[^>]*id="{table}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert m, f"no table {table}"
    return [" ".join(TAG.sub(" ", r).split())
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", m.group(1), re.S)]


def _members(store: GraphStore, name: str) -> list[str]:
    return [n.id for n in store.nodes("PartyMember") if n.name == name]


def test_the_page_lists_the_kinds_with_their_templates(admin: TestClient) -> None:
    html = admin.get(URL).text
    kinds = {k["kind"]: k for k in admin.get("/api/v1/rosters").json()}
    rows = _rows(html, "roster-kinds")
    assert len(rows) == len(kinds) == 14
    for kind, k in kinds.items():
        url = f"/api/v1/rosters/{kind}/template"
        assert f'data-download="{url}" data-filename="{k["name_zh"]}花名册模板.xlsx"' in html
        assert f'<option value="{kind}"' in html
    party = next(r for r in rows if r.startswith("党员"))
    assert "姓名*" in party and "所在党组织*" in party and "手机号码" in party
    r = admin.get("/api/v1/rosters/party_members/template")
    assert load_workbook(io.BytesIO(r.content)).sheetnames == ["党员", "填写说明"]
    # the file goes in through a file input inside the drop zone; the script sends it
    assert re.search(r'class="drop-zone".*?<input type="file"', html, re.S)
    assert 'data-report-url="/api/v1/workbench/rosters/report?lang=zh"' in html
    assert '<option value="residents" selected>' in admin.get(URL, params={
        "kind": "residents"}).text
    shell = admin.get("/workbench/rosters").text
    assert "/workbench/static/wb-rosters.js" in shell and "wb-rosters.css" in shell


def test_only_an_admin_has_the_page(store: GraphStore) -> None:
    store.upsert(*street())
    sec = security_store()
    for role, community in (("analyst", None), ("consumer", None), ("community", "c1")):
        with client_for(store, role, community=community, security=sec) as c:
            assert c.get(URL).status_code == 403, role
            r = c.post(f"{URL}/report", json={"kind": "party_members", "step": "dry_run",
                                              "status": 200, "answer": {}})
            assert r.status_code == 403, role
            menu = c.get("/api/v1/workbench/menu").text
            assert "/workbench/rosters" not in menu and "/workbench/grids" in menu
    with client_for(store, "admin", security=sec) as c:
        assert "/workbench/rosters" in c.get("/api/v1/workbench/menu").text


def test_a_bad_cell_is_named_and_nothing_is_written(admin: TestClient,
                                                    store: GraphStore) -> None:
    before = snapshot(store)
    status, answer = upload(admin, roster(WRONG), dry_run=True)
    assert status == 422
    html = shown(admin, status, answer)
    masked = f"{WRONG[:6]}********{WRONG[-4:]}"  # the report masks ID numbers
    assert _rows(html, "roster-issues") == [
        f"错误 党员 B3 公民身份号码 {masked} id_number "
        "“公民身份号码”不是有效的公民身份号码（GB 11643）"]
    assert "有错误，未写入任何数据" in html
    assert "data-roster-annotated" in html and 'data-filename="党员花名册-错误标注.xlsx"' in html
    assert "data-roster-confirm" not in html
    # the annotated file the button fetches: the same upload with report=xlsx
    r = admin.post("/api/v1/rosters/party_members", params={"dry_run": True, "report": "xlsx"},
                   files={"file": ("名册.xlsx", roster(WRONG))})
    assert r.status_code == 422
    book = load_workbook(io.BytesIO(r.content))
    assert book["党员"]["B3"].comment is not None
    assert book["错误清单"]["B2"].value == "B3"
    # even a real write of the bad file writes nothing
    status, answer = upload(admin, roster(WRONG), dry_run=False)
    assert status == 422 and "未写入任何数据" in shown(admin, status, answer, "write")
    assert snapshot(store) == before


def test_the_fixed_file_dry_run_then_confirm_then_again(admin: TestClient,
                                                        store: GraphStore) -> None:
    before = snapshot(store)
    status, answer = upload(admin, roster(), dry_run=True)
    assert status == 200
    html = shown(admin, status, answer)
    assert "检查通过，尚未写入" in html and "data-roster-confirm" in html
    assert _rows(html, "roster-changes") == [
        "新增人员或对象 1", "变更人员或对象 1", "未变人员或对象 0", "新增关系 1", "变更关系 0",
        "未变关系 1", "结束关系（名册中已没有） 1"]
    # 张三, found by his ID number: his phone (masked both ways)
    assert _rows(html, "roster-diffs") == ["张三 p1 — — 联系电话：138****0000 → 139****5678"]
    assert snapshot(store) == before  # a dry run writes nothing
    # confirm: the same file again, for real
    status, answer = upload(admin, roster(), dry_run=False)
    html = shown(admin, status, answer, "write")
    assert "已写入" in html and "data-roster-confirm" not in html
    assert _rows(html, "roster-changes")[0] == "新增人员或对象 1"
    assert len(_members(store, "王五")) == 1
    assert store.get_node("p1").properties["phone"] == "13912345678"
    (li,) = [r for r in store.rels("MEMBER_OF") if r.start == "p2"]
    assert li.properties["until"] == DAY
    # the same file once more: nothing to write, no second 王五
    status, answer = upload(admin, roster(), dry_run=True)
    html = shown(admin, status, answer)
    assert "没有需要写入的变更" in html and "data-roster-confirm" not in html
    assert _rows(html, "roster-changes")[:2] == ["新增人员或对象 0", "变更人员或对象 0"]
    status, answer = upload(admin, roster(), dry_run=False)
    assert status == 200 and answer["changes"]["nodes_added"] == 0
    assert len(_members(store, "王五")) == 1 and len(list(store.nodes("PartyMember"))) == 3


def test_who_is_added_and_whose_membership_ends(
        admin: TestClient, store: GraphStore) -> None:
    """The roster route names what it adds and ends (``added``, ``ended``), and the page
    lists them one by one: 王五 from row 3 of 党员; 李四's membership of 上星第一支部
    ends on the roster's date."""
    status, answer = upload(admin, roster(), dry_run=True)
    added = [(a["name"], a["sheet"], a["row"]) for a in answer["added"]
             if "PartyMember" in a["labels"]]
    assert added == [("王五", "党员", 3)]
    wang = next(a["id"] for a in answer["added"] if a["name"] == "王五")
    assert [(e["type"], e["start"], e["end"], e["until"]) for e in answer["ended"]
            if e["type"] == "MEMBER_OF"] == [("MEMBER_OF", "p2", "br1", DAY)]
    html = shown(admin, status, answer)
    assert f"王五 {wang} 党员 党员 第 3 行" in _rows(html, "roster-added")
    assert f"李四 p2 党员隶属 上星第一支部 {DAY}" in _rows(html, "roster-ended")
    assert "新增和结束的只有数量" not in html
    text = TAG.sub(" ", shown(admin, status, answer, lang="en"))
    assert "party member" in text.lower() and "member of" in text


def test_a_partial_roster_ends_nothing(admin: TestClient, store: GraphStore) -> None:
    status, answer = upload(admin, roster(), dry_run=True, keep_missing=True)
    assert _rows(shown(admin, status, answer), "roster-changes")[-1] \
        == "结束关系（名册中已没有） 0"


def test_a_long_report_lists_its_first_issues(admin: TestClient) -> None:
    """250 rows with a wrong check digit: 250 errors; the script sends the first SHOWN
    (200) with the total, the page lists them and says how many more the marked file
    holds."""
    from api.workbench.fragments.rosters import SHOWN

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEAD)
    for i in range(250):
        good = idn(f"440306199001{i // 28 + 1:02d}{i % 28 + 1:02d}1")
        ws.append([f"党员{i}", good[:-1] + ("1" if good[-1] != "1" else "2"), "2020-07-01",
                   "上星第一支部", "党员", ""])
    out = io.BytesIO()
    wb.save(out)
    status, answer = upload(admin, out.getvalue(), dry_run=True)
    assert status == 422 and answer["errors"] == 250 and SHOWN == 200
    total = len(answer["issues"])
    answer["issues"] = answer["issues"][:SHOWN]
    r = admin.post(f"{URL}/report", json={"kind": "party_members", "step": "dry_run",
                                          "status": status, "answer": answer,
                                          "issues_total": total})
    assert len(_rows(r.text, "roster-issues")) == 200
    assert "另有 50 条未列出" in r.text


def test_in_english(admin: TestClient) -> None:
    zh = {w for k, w in TEXT["zh"].items() if k.startswith("rosters_") or k.startswith("page_")}
    html = admin.get(URL, params={"lang": "en"}).text
    text = TAG.sub(" ", html)
    assert "Check (dry run)" in text and "Download template" in text
    assert not [w for w in zh if w in text]
    assert "party members" in text and "姓名" not in text  # the kinds by their English names
    status, answer = upload(admin, roster(WRONG), dry_run=True)
    text = TAG.sub(" ", shown(admin, status, answer, lang="en"))
    assert "nothing was written" in text and "the check digit" in text
    assert not [w for w in zh if w in text]
    status, answer = upload(admin, roster(), dry_run=True)
    text = TAG.sub(" ", shown(admin, status, answer, lang="en"))
    assert "People or items added 1" in " ".join(text.split())
    assert "phone: 138****0000 → 139****5678" in text  # the property by its name
    assert not [w for w in zh if w in text]


def test_hostile_values_stay_text(admin: TestClient, store: GraphStore) -> None:
    before = snapshot(store)
    status, answer = upload(admin, roster(branch="<script>alert(1)</script>"), dry_run=True,
                            name='<img src=x onerror="alert(2)">.xlsx')
    assert status == 422
    html = shown(admin, status, answer)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert snapshot(store) == before


def test_refusals_and_bad_input(admin: TestClient) -> None:
    # an answer that is no report (the file too large, an unknown kind): its status, boxed
    r = admin.post(f"{URL}/report", json={"kind": "party_members", "step": "dry_run",
                                          "status": 413,
                                          "answer": {"detail": "file larger than 100 MB"}})
    assert r.status_code == 413 and "file larger than 100 MB" in r.text
    assert 'class="error-box"' in r.text
    bad_date = {"detail": [{"loc": ["query", "as_of"], "msg": "not a date"}]}
    r = admin.post(f"{URL}/report", json={"kind": "party_members", "step": "dry_run",
                                          "status": 422, "answer": bad_date})
    assert r.status_code == 422 and "as_of: not a date" in r.text
    # a 200 that is no report: refused, not a 500
    r = admin.post(f"{URL}/report", json={"kind": "party_members", "step": "dry_run",
                                          "status": 200, "answer": {"ok": True}})
    assert r.status_code == 422 and 'class="error-box"' in r.text
    for bad in ({"kind": "x" * 51, "step": "dry_run", "status": 200, "answer": {}},
                {"kind": "party_members", "step": "later", "status": 200, "answer": {}},
                {"kind": "party_members", "step": "dry_run", "status": 99, "answer": {}},
                {"kind": "party_members"}):
        assert admin.post(f"{URL}/report", json=bad).status_code == 422, bad
    assert admin.post(f"{URL}/report", content=b"not json",
                      headers={"content-type": "application/json"}).status_code == 422
    assert admin.get(URL, params={"kind": "x" * 51}).status_code == 422
    # an unknown kind chosen: the page still opens, nothing preselected
    assert 'selected' not in admin.get(URL, params={"kind": "nonsense"}).text.split(
        'name="kind"')[1].split("</select>")[0]
