"""The front-line forces page (一线力量) without a browser, on the forces street of
tests/queries/test_forces_cases.py (its answers worked out there), named:

    上星社区 (c1): 2 km², 40,000 residents, 2 base grids, 100 duties; staff 下沉甲 (s1),
                   下沉乙 (s2), 下沉丙 (s3): 3 — 0.75 per 10,000, 1.5 per km² and grid, 3 per
                   100 duties; split by area it would get 1, by residents 3, grids 2, duties 3
    黄埔社区 (c2): 8 km², 20,000, 4 grids, 50 duties; 下沉丁 (s4), 下沉己 (s6): 2 — 1.0,
                   0.25, 0.5, 4.0; by need 4, 2, 3, 2 (下沉戊 s5 left on 2026-01-01)

城管办 (d1) sent s1, s3, s4; 执法队 (d2) s2, s6. Not mobilised in the 90 days to
2026-06-30: 下沉丙 (last case 03-01, last activity 04-01) and 下沉己 (nothing). Not
evaluated: 下沉乙 (rated by 黄埔's committee, not 上星's), 下沉己 and 警长乙 (pc2)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.workbench.text import TEXT
from graph.store import GraphStore
from tests.api_helpers import client_for, clients_for, security_store
from tests.graphs import node, rel
from tests.queries.test_forces_cases import DAY, forces_street

#: the page's answers come from JSON routes tested on both backends (tests/conftest.py)
pytestmark = pytest.mark.embedded_only

URL = "/api/v1/workbench/forces"
NAMES = {"c1": "上星社区", "c2": "黄埔社区", "kc1": "上星社区党委", "kc2": "黄埔社区党委",
         "d1": "城管办", "d2": "执法队", "s1": "下沉甲", "s2": "下沉乙", "s3": "下沉丙",
         "s4": "下沉丁", "s5": "下沉戊", "s6": "下沉己", "pc1": "警长甲", "pc2": "警长乙",
         "g1": "上星网格一", "g2": "上星网格二", "g3": "黄埔网格三", "g4": "黄埔网格四",
         "g5": "黄埔网格五", "g6": "黄埔网格六", "p1": "上星警格", "p2": "黄埔警格"}
HAN = re.compile(r"[\u4e00-\u9fff]")
TAG = re.compile(r"<[^>]+>")


def named(rename: dict[str, str] | None = None, idle: int = 0
          ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The street named; with ``idle`` more staff of 执法队 in 黄埔 who do nothing."""
    nodes, rels = forces_street()
    names = {**NAMES, **(rename or {})}
    for n in nodes:
        if n["id"] in names:
            n["properties"]["name"] = names[n["id"]]
    for i in range(idle):
        nodes.append(node(f"x{i:02d}", "DeployedStaff", name=f"闲置{i:02d}"))
        rels += [rel("FROM_DEPT", f"x{i:02d}", "d2"),
                 rel("DEPLOYED_TO", f"x{i:02d}", "c2", since="2020-01-01")]
    return nodes, rels


@pytest.fixture
def clients(store: GraphStore) -> Iterator[dict[str, TestClient]]:
    store.upsert(*named())
    roles = {
        "analyst": ("analyst", None), "consumer": ("consumer", None), "c1": ("community", "c1"),
        "c2": ("community", "c2")}
    with clients_for(store, roles) as made:
        yield made


def _get(c: TestClient, **params: Any) -> str:
    r = c.get(URL, params={"as_of": DAY, **params})
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    text: str = r.text
    return text


def _rows(html: str, table: str) -> list[str]:
    m = re.search(rf'<table[^>]*id="{table}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert m, f"no table {table}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", m.group(1), re.S)
    return [" ".join(unescape(TAG.sub(" ", r)).split()) for r in rows]


C1 = "上星社区 3 2.00 40,000 2 100 0.75 1.50 1.50 3.00 1 3 2 3"
C2 = "黄埔社区 2 8.00 20,000 4 50 1.00 0.25 0.50 4.00 4 2 3 2"


def test_the_report_is_the_jsons(clients: dict[str, TestClient]) -> None:
    c = clients["analyst"]
    html = _get(c, community="")  # the form's "all communities"
    assert _rows(html, "forces-allocation") == [C1, C2]
    j = c.get("/api/v1/forces", params={"as_of": DAY}).json()
    assert [(a["community"]["name"], a["staff"], a["per_10k_residents"], a["by_need"])
            for a in j["allocation"]] == [
        ("上星社区", 3, 0.75, {"area": 1, "residents": 3, "grids": 2, "duties": 3}),
        ("黄埔社区", 2, 1.0, {"area": 4, "residents": 2, "grids": 3, "duties": 2})]
    assert "街道合计 5" in " ".join(TAG.sub(" ", html).split())
    assert _rows(html, "forces-spread") == ["每平方公里 0.25 1.50 6.00", "每万人 0.75 1.00 1.33",
                                            "每个基础网格 0.50 1.50 3.00",
                                            "每百项职责 3.00 4.00 1.33"]
    assert _rows(html, "forces-departments") == ["城管办 2 1 3", "执法队 1 1 2"]
    assert _rows(html, "forces-not-mobilised") == [
        "下沉丙 城管办 上星社区 2026-03-01 2026-04-01", "下沉己 执法队 黄埔社区 — —"]
    assert [x["person"]["name"] for x in j["not_mobilised"]] == ["下沉丙", "下沉己"]
    assert _rows(html, "forces-not-evaluated") == [
        "下沉乙 下沉人员 上星社区 黄埔社区党委", "下沉己 下沉人员 黄埔社区 —",
        "警长乙 社区警长 黄埔社区 —"]
    assert "下沉到社区的街道职能部门人员，共 5 人" in html
    # the charts: per 10,000 residents, and the staff against a split by need
    charts = re.findall(r'data-chart="bars"[^>]*data-categories="([^"]*)"\s*'
                        r'data-series="([^"]*)"', html)
    assert len(charts) == 2
    assert json.loads(unescape(charts[0][0])) == ["上星社区", "黄埔社区"]
    assert json.loads(unescape(charts[0][1])) == [{"name": "每万人下沉人员", "data": [0.75, 1.0]}]
    assert [s["data"] for s in json.loads(unescape(charts[1][1]))] == [[3, 2], [3, 2], [1, 4]]
    assert 'data-download="/api/v1/forces.xlsx?as_of=2026-06-30&amp;days=90"' in html
    assert "data-print" in html


def test_filter_sort_and_the_route_parameters(clients: dict[str, TestClient]) -> None:
    c = clients["analyst"]
    assert _rows(_get(c, sort="per_km2"), "forces-allocation") == [C2, C1]  # fewest first
    assert _rows(_get(c, sort="per_10k_residents"), "forces-allocation") == [C1, C2]
    assert _rows(_get(c, sort="staff"), "forces-allocation") == [C1, C2]
    html = _get(c, community="c2", sort="per_grid")
    assert _rows(html, "forces-allocation") == [C2]
    assert _rows(html, "forces-not-mobilised") == ["下沉己 执法队 黄埔社区 — —"]
    assert len(_rows(html, "forces-not-evaluated")) == 2
    assert _rows(html, "forces-departments") == ["城管办 1 1", "执法队 1 1"]
    assert "community=c2" in html and "sort=per_grid" in html  # the page's URL keeps them
    # 91 days reach 下沉丙's activity of 04-01: only 下沉己 is idle
    html = _get(c, days=91)
    assert [r.split()[0] for r in _rows(html, "forces-not-mobilised")] == ["下沉己"]
    assert "days=91" in html
    # a year earlier 下沉丙 still had a grid and 下沉戊 was still there (idle)
    html = _get(c, as_of="2025-06-30")
    assert [r.split()[0] for r in _rows(html, "forces-not-mobilised")] == [
        "下沉甲", "下沉乙", "下沉戊", "下沉己"]


def test_each_staff_list_pages_on_its_own(store: GraphStore) -> None:
    store.upsert(*named(idle=25))  # 27 not mobilised: 20 and 7
    with client_for(store, "analyst", security=security_store()) as c:
        html = _get(c)
        rows = _rows(html, "forces-not-mobilised")
        assert len(rows) == 20 and rows[0].startswith("下沉丙")
        assert "第 1 页，共 2 页（27 条）" in html
        nxt = re.search(r'data-table="forces-not-mobilised">.*?hx-get="/api/v1/workbench/forces'
                        r'\?([^"]*)"', html, re.S)
        assert nxt and "ipage=2" in nxt.group(1)
        html = c.get(f"{URL}?{unescape(nxt.group(1))}").text
        assert len(_rows(html, "forces-not-mobilised")) == 7
        assert len(_rows(html, "forces-not-evaluated")) == 20  # still its first page
        assert "第 2 页，共 2 页（27 条）" in html and "ipage=2" in html


def test_a_community_token_sees_its_own_community(clients: dict[str, TestClient]) -> None:
    html = _get(clients["c1"])
    assert _rows(html, "forces-allocation") == [C1]
    assert "黄埔" not in html and "下沉己" not in html and "警长乙" not in html
    # 下沉乙 is rated by the other committee, which 上星's token does not see
    assert _rows(html, "forces-not-evaluated") == ["下沉乙 下沉人员 上星社区 —"]
    assert "全部社区" not in html
    assert clients["c1"].get(URL, params={"community": "c2"}).status_code == 404
    html = _get(clients["c2"])
    assert _rows(html, "forces-allocation") == [C2] and "上星" not in html


def test_a_consumer_sees_the_figures_not_the_people(clients: dict[str, TestClient]) -> None:
    html = _get(clients["consumer"])
    assert _rows(html, "forces-allocation") == [C1, C2]
    assert _rows(html, "forces-not-mobilised") == ["无"]
    assert _rows(html, "forces-not-evaluated") == ["无"]
    assert not [n for i, n in NAMES.items() if i[0] == "s" or i[:2] == "pc" if n in html]


def test_the_download_is_the_report(clients: dict[str, TestClient]) -> None:
    html = _get(clients["c1"])
    url = unescape(re.search(r'data-download="([^"]+)"', html).group(1))  # type: ignore[union-attr]
    x = clients["c1"].get(url)
    assert x.status_code == 200
    book = load_workbook(io.BytesIO(x.content), read_only=True)
    assert book.sheetnames == ["社区配置", "差异", "未调动人员", "未纳入社区考核"]
    alloc = [r[:2] for r in book["社区配置"].iter_rows(min_row=3, values_only=True) if r[0]]
    assert alloc == [("上星社区", 3)]
    idle = [r[0] for r in book["未调动人员"].iter_rows(min_row=3, values_only=True) if r[0]]
    assert idle == ["下沉丙"]


def test_in_english_every_word_is_english(clients: dict[str, TestClient]) -> None:
    names = set(NAMES.values())
    interface = sorted(w for w in set(TEXT["zh"].values())
                       if HAN.search(w) and "{" not in w and not any(w in n for n in names))
    text = TAG.sub(" ", _get(clients["analyst"], lang="en"))
    left = [w for w in interface if w in text]
    assert not left, left[:10]
    html = _get(clients["analyst"], lang="en")
    for n in sorted(names, key=len, reverse=True):  # 上星社区党委 before 上星社区
        html = html.replace(n, "")
    assert not HAN.search(TAG.sub(" ", html)), HAN.findall(TAG.sub(" ", html))[:20]
    assert "Deployed staff per 10,000 residents" in html  # the chart's title


def test_hostile_names_stay_text(store: GraphStore) -> None:
    store.upsert(*named({"s3": "<script>alert(1)</script>", "c1": '"><img src=x>'}))
    with client_for(store, "analyst", security=security_store()) as c:
        html = _get(c)
        assert "<script>alert" not in html and "<img src=x>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_bad_input_is_refused_not_a_500(clients: dict[str, TestClient]) -> None:
    c = clients["analyst"]
    for params in ({"days": 0}, {"days": 4000}, {"sort": "x"}, {"ipage": 0},
                   {"as_of": "1800-01-01"}, {"lang": "fr"}, {"nope": 1}):
        assert c.get(URL, params=params).status_code == 422, params


def test_dynamic_words_exist() -> None:
    from api.workbench.fragments.forces import SORTS
    from queries.forces import MEASURES

    keys = [f"forces_sort_{s}" for s in SORTS] + [f"forces_need_{m}" for m in MEASURES]
    keys += [f"forces_measure_{m}" for m in MEASURES]
    keys += [f"forces_role_{r}" for r in ("deployed_staff", "police_chief")]
    for key in keys:
        assert key in TEXT["zh"] and key in TEXT["en"], key
