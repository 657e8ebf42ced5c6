"""三板一队: the three-boards table and its .xlsx (``/reports/three-boards.xlsx``) on the
community page's hand-built street: in 上星 mA1 holds posts in brA (书记), cA (社区书记),
rcA (主任) and wsA (站长) — four organisations; in 黄埔 mB1 in brB, cB and rcB — three."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from api.workbench.text import TEXT
from graph.store import GraphStore
from tests.api.test_workbench_community import HAN, TAG, tree_street
from tests.api_helpers import client_for, security_store
from tests.graphs import node, rel
from tests.queries.test_overview import DAY

#: the page's answers come from JSON routes tested on both backends (tests/conftest.py)
pytestmark = pytest.mark.embedded_only


def _page(c: Any, status: int = 200, **params: Any) -> str:
    r = c.get("/api/v1/workbench/boards", params={"as_of": DAY, **params})
    assert r.status_code == status, r.text[:500]
    text: str = r.text
    return text


def _rows(html: str) -> list[list[str]]:
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return [[" ".join(TAG.sub(" ", "<td" + td).split()) for td in tr.split("<td")[1:]]
            for tr in body.split("<tr")[1:]]


def _book(content: bytes) -> dict[str, list[list[Any]]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_the_table_by_hand(store: GraphStore) -> None:
    store.upsert(*tree_street())
    with client_for(store, "analyst", security=security_store()) as c:
        html = _page(c)
        assert _rows(html) == [
            ["1", "上星社区", "上星书记", "4", "上星第一支部 书记 2015-01-01 起",
             "上星社区 社区书记 2021-01-01 起 ； 上星居委会 主任 2021-01-01 起 ； "
             "上星社区工作站 站长 2022-03-01 起"],
            ["2", "黄埔社区", "黄埔书记", "3", "黄埔第一支部 书记 2015-01-01 起",
             "黄埔社区 社区书记 2021-01-01 起 ； 黄埔居委会 主任 2021-01-01 起"]]
        assert '<option value="">全部社区</option>' in html
        assert 'data-download="/api/v1/reports/three-boards.xlsx?as_of=2024-06-30"' in html
        assert 'data-filename="三块牌子一套人马-2024-06-30.xlsx"' in html and "data-print" in html
        # filtered: one community, or four organisations at least
        html = _page(c, community="cB")
        assert [r[2] for r in _rows(html)] == ["黄埔书记"]
        assert '<option value="cB" selected>黄埔社区</option>' in html
        assert '<option value="cA">上星社区</option>' in html  # the others still offered
        assert "three-boards.xlsx?community=cB&amp;as_of=2024-06-30" in html
        # "all communities" chosen in the form: an empty community
        assert [r[2] for r in _rows(_page(c, community=""))] == ["上星书记", "黄埔书记"]
        html = _page(c, min_orgs="4")
        assert [r[2] for r in _rows(html)] == ["上星书记"]
        assert "three-boards.xlsx?min_orgs=4&amp;as_of=2024-06-30" in html
        # the day before wsA's post: three organisations each, 上星 first by id
        html = _page(c, as_of="2022-01-01")
        assert [(r[2], r[3]) for r in _rows(html)] == [("上星书记", "3"), ("黄埔书记", "3")]
        _page(c, 404, community="nope")
        _page(c, 422, community="brA")  # not a community
        _page(c, 422, min_orgs="1")


def test_paging(store: GraphStore) -> None:
    """25 more people in 黄埔 each holding two posts: 27 rows, 20 a page."""
    nodes, rels = tree_street()
    for i in range(25):
        nodes.append(node(f"h{i:02d}", "Person", name=f"黄埔兼职{i:02d}"))
        rels += [rel("HOLDS_POST", f"h{i:02d}", "rcB", title="委员", since="2020-01-01"),
                 rel("HOLDS_POST", f"h{i:02d}", "gB", title="组长", since="2020-01-01")]
    store.upsert(nodes, rels)
    with client_for(store, "analyst", security=security_store()) as c:
        first = _page(c)
        assert len(_rows(first)) == 20 and "第 1 页，共 2 页（27 条）" in first
        assert 'hx-get="/api/v1/workbench/boards?as_of=2024-06-30&amp;lang=zh&amp;page=2"' in first
        second = _page(c, page="2")
        rows = _rows(second)
        assert [r[0] for r in rows] == [str(i) for i in range(21, 28)]
        assert rows[-1][2] == "黄埔兼职24"  # two organisations each, by person id
        assert "第 2 页，共 2 页（27 条）" in second and "page=3" not in second


def test_the_workbook_reads_back(store: GraphStore) -> None:
    store.upsert(*tree_street())
    sec = security_store()
    with client_for(store, "analyst", security=sec) as c:
        r = c.get("/api/v1/reports/three-boards.xlsx", params={"as_of": DAY})
        assert r.status_code == 200, r.text
        assert "filename*=UTF-8''%E4%B8%89" in r.headers["content-disposition"]
        book = _book(r.content)
        assert list(book) == ["汇总", "上星社区", "黄埔社区"]
        assert book["汇总"][0][0] == ("三块牌子一套人马（截至 2024-06-30，兼任 2 个及以上组织）"
                                    "（汇总）")
        # per community: holders, of them in three organisations or more
        assert book["汇总"][2:] == [["上星社区", 1, 1], ["黄埔社区", 1, 1]]
        assert book["上星社区"][1] == ["姓名", "兼任组织数", "党内职务", "其他职务"]
        assert book["上星社区"][2] == [
            "上星书记", 4, "上星第一支部：书记（2015-01-01 起）",
            "上星社区：社区书记（2021-01-01 起）；上星居委会：主任（2021-01-01 起）；"
            "上星社区工作站：站长（2022-03-01 起）"]
        r = c.get("/api/v1/reports/three-boards.xlsx", params={"as_of": DAY, "min_orgs": 4})
        assert list(_book(r.content)) == ["汇总", "上星社区"]
    with client_for(store, "community", community="cB", security=sec) as c:
        book = _book(c.get("/api/v1/reports/three-boards.xlsx", params={"as_of": DAY}).content)
        assert list(book) == ["汇总", "黄埔社区"]
        assert "上星" not in str(book)
        assert c.get("/api/v1/reports/three-boards.xlsx", params={"community": "cA"}
                     ).status_code == 404
    with client_for(store, "consumer", security=sec) as c:
        assert c.get("/api/v1/reports/three-boards.xlsx").status_code == 403
    # the download names people: audited with them
    records, _ = sec.records(limit=1000, node_id="mA1")
    assert any(r["path"].startswith("/api/v1/reports/three-boards.xlsx") and r["status"] == 200
               for r in records)


def test_a_community_token_and_a_consumer(store: GraphStore) -> None:
    store.upsert(*tree_street())
    sec = security_store()
    with client_for(store, "community", community="cB", security=sec) as c:
        html = _page(c)
        assert [r[2] for r in _rows(html)] == ["黄埔书记"] and "上星" not in html
        assert "全部社区" not in html  # bound: its own community only
        assert 'data-download="/api/v1/reports/three-boards.xlsx?community=cB' in html
        _page(c, 404, community="cA")
    with client_for(store, "consumer", security=sec) as c:
        html = _page(c, 403)  # the JSON refuses people to a consumer: its error box
        assert "error-box" in html and "书记" not in html


def test_in_english_every_word(store: GraphStore) -> None:
    store.upsert(*tree_street())
    with client_for(store, "analyst", security=security_store()) as c:
        html = _page(c, lang="en")
    text = TAG.sub(" ", html)
    names = {n["properties"]["name"] for n in tree_street()[0]}
    titles = {"社区书记", "主任", "站长"}  # posts as written: data
    left = sorted(w for w in TEXT["zh"].values() if HAN.search(w) and "{" not in w
                  and w in text and not any(w in n for n in names | titles))
    assert left == []
    assert _rows(html)[0][4] == "上星第一支部 secretary since 2015-01-01"
    assert re.search(r"<th>Party posts</th><th>Other posts</th>", html)


def test_hostile_names_stay_text(store: GraphStore) -> None:
    nodes, rels = tree_street()
    nodes = [dict(n, properties={**n["properties"], "name": '<img src=x onerror="alert(1)">'})
             if n["id"] == "mA1" else n for n in nodes]
    store.upsert(nodes, rels)
    with client_for(store, "analyst", security=security_store()) as c:
        html = _page(c)
    assert "<img" not in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
