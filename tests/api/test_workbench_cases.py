"""The patrol-case page (巡查案件) without a browser, on the cases street of
tests/queries/test_forces_cases.py (its answers worked out there), named, with a second
community added:

    上星社区 (c1): 上星网格一 (g1), 上星网格二 (g2) — cases k1 … k10 as there
    黄埔社区 (c2): 黄埔网格一 (g3) — k11: 占道经营, 执法队 (d2), 巡查员丁 (pD),
                   reported 2026-06-01, closed 06-05 (4 days), quality 4

With k11, 执法队 has k3 k4 k10 k11: closed 2 of 4 (50%), quality (5 + 4) / 2 = 4.5,
days 149, 30, 20, 4 → median 25, no recurrence: score ((4.5 − 1) / 4 + (1 − 25/30) + 1)
/ 3 = 0.681 — first by score, last of two by closure rate; 城管办 (d1) as there: 80%,
score 0.561. 黄埔网格一: one case (closure 100%, score (0.75 + 0.867 + 1) / 3 = 0.872),
too few to rank at two cases needed. As of 2026-06-30, two cases needed to rank."""

from __future__ import annotations

import io
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
from tests.queries.test_forces_cases import DAY, cases_street

#: the page's answers come from JSON routes tested on both backends (tests/conftest.py)
pytestmark = pytest.mark.embedded_only

URL = "/api/v1/workbench/cases"
NAMES = {"c1": "上星社区", "c2": "黄埔社区", "g1": "上星网格一", "g2": "上星网格二",
         "g3": "黄埔网格一", "d1": "城管办", "d2": "执法队", "pA": "巡查员甲", "pB": "巡查员乙",
         "pC": "巡查员丙", "pD": "巡查员丁"}
HAN = re.compile(r"[\u4e00-\u9fff]")
TAG = re.compile(r"<[^>]+>")


def two_communities(rename: dict[str, str] | None = None
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    nodes, rels = cases_street()
    nodes += [node("c2", "Community"), node("g3", "Grid", kind="base"), node("pD", "GridWorker"),
              node("k11", "Case", category="占道经营", reported_on="2026-06-01",
                   closed_on="2026-06-05", quality=4, status="closed")]
    rels += [rel("IN", "g3", "c2"), rel("IN_GRID", "k11", "g3"), rel("HANDLED_BY", "k11", "d2"),
             rel("REPORTED_BY", "k11", "pD")]
    names = {**NAMES, **(rename or {})}
    for n in nodes:
        if n["id"] in names:
            n["properties"]["name"] = names[n["id"]]
    return nodes, rels


@pytest.fixture
def clients(store: GraphStore) -> Iterator[dict[str, TestClient]]:
    store.upsert(*two_communities())
    roles = {
        "analyst": ("analyst", None), "consumer": ("consumer", None), "c1": ("community", "c1"),
        "c2": ("community", "c2")}
    with clients_for(store, roles) as made:
        yield made


def _get(c: TestClient, **params: Any) -> str:
    r = c.get(URL, params={"as_of": DAY, "min_cases": 2, **params})
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    text: str = r.text
    return text


def _rows(html: str, table: str) -> list[str]:
    m = re.search(rf'<table[^>]*id="{table}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert m, f"no table {table}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", m.group(1), re.S)
    return [" ".join(unescape(TAG.sub(" ", r)).split()) for r in rows]


def test_both_rankings_side_by_side_as_the_json_has_them(clients: dict[str, TestClient]
                                                         ) -> None:
    c = clients["analyst"]
    html = _get(c, community="")  # the form's "all communities"
    assert _rows(html, "cases-by-rate") == [
        "1 上星网格一 上星社区 3 2 1 1 66.7% 1",
        "2 上星网格二 上星社区 5 3 2 1 60.0% 2",
        "— 黄埔网格一 黄埔社区 1 1 0 0 100.0% 案件过少"]
    assert _rows(html, "cases-by-score") == [
        "1 上星网格一 3.00 2.00 50.0% 0.644 积压、反复发生 1",
        "2 上星网格二 2.33 5.00 33.3% 0.611 积压、反复发生 2",
        "— 黄埔网格一 4.00 4.00 0.0% 0.872 案件过少"]
    j = c.get("/api/v1/cases/evaluation", params={"as_of": DAY, "min_cases": 2}).json()
    grid = next(r for r in j["rankings"] if r["grouping"] == "grid")
    assert [(x["entity"]["name"], x["rank_by_closure_rate"], x["rank_by_score"], x["score"])
            for x in grid["rows"]] == [("上星网格一", 1, 1, 0.6444), ("上星网格二", 2, 2, 0.6111),
                                       ("黄埔网格一", None, None, 0.8722)]
    assert "统计 2025-06-30 之后至 2026-06-30 上报的 9 件案件" in html
    # the summary of the three groupings: patrollers' ranks run against each other
    assert _rows(html, "cases-summary") == ["网格 3 2 （不足） 0", "承办部门 2 2 （不足） 2",
                                            "巡查员 4 3 -0.50 3"]
    assert ('data-download="/api/v1/cases/evaluation.xlsx?as_of=2026-06-30&amp;window_days=365'
            '&amp;backlog_days=30&amp;recur_days=90&amp;min_cases=2"') in html
    assert "data-print" in html


def test_departments_the_closure_rate_misjudges(clients: dict[str, TestClient]) -> None:
    html = _get(clients["analyst"], grouping="department")
    assert _rows(html, "cases-by-rate") == ["1 城管办 ⚠ — 5 4 1 0 80.0% 2",
                                            "2 执法队 ⚠ — 4 2 2 2 50.0% 1"]
    assert _rows(html, "cases-by-score") == ["1 执法队 ⚠ 4.50 25.00 0.0% 0.681 积压 2",
                                             "2 城管办 ⚠ 2.00 2.00 50.0% 0.561 反复发生 1"]
    # departments serve the whole street: a community filter leaves them, and says so
    html = _get(clients["analyst"], grouping="department", community="c2")
    assert len(_rows(html, "cases-by-rate")) == 2 and "承办部门面向全街道" in html


def test_patrollers_filters_and_paging(clients: dict[str, TestClient]) -> None:
    c = clients["analyst"]
    html = _get(c, grouping="patroller")
    assert [r.split()[:2] for r in _rows(html, "cases-by-rate")] == [
        ["1", "巡查员甲"], ["2", "巡查员丙"], ["3", "巡查员乙"], ["—", "巡查员丁"]]
    assert [r.split()[:2] for r in _rows(html, "cases-by-score")] == [
        ["1", "巡查员乙"], ["2", "巡查员甲"], ["3", "巡查员丙"], ["—", "巡查员丁"]]
    # only those the two rankings set far apart (all three ranked: -0.5)
    html = _get(c, grouping="patroller", disagree_only="true")
    assert len(_rows(html, "cases-by-rate")) == 3 and "巡查员丁" not in html
    assert "disagree_only=true" in html
    # 黄埔 alone: its grid and its patroller, ranked as in the street
    html = _get(c, community="c2")
    assert _rows(html, "cases-by-rate") == ["— 黄埔网格一 黄埔社区 1 1 0 0 100.0% 案件过少"]
    html = _get(c, community="c2", grouping="patroller")
    assert [r.split()[1] for r in _rows(html, "cases-by-score")] == ["巡查员丁"]
    # the filters change the route's answer: three cases needed, pA (2) is unranked
    html = _get(c, grouping="patroller", min_cases=3)
    assert [r.split()[:2] for r in _rows(html, "cases-by-score")][:2] == [["1", "巡查员乙"],
                                                                          ["2", "巡查员丙"]]
    # a page per table (20 rows a page: one page here; past the end, the last)
    html = _get(c, rpage=5, spage=2)
    assert "第 1 页，共 1 页（3 条）" in html


def test_a_community_token_sees_its_own_grids_and_people(clients: dict[str, TestClient]) -> None:
    html = _get(clients["c2"])
    assert _rows(html, "cases-by-rate") == ["— 黄埔网格一 黄埔社区 1 1 0 0 100.0% 案件过少"]
    assert "上星" not in html
    html = _get(clients["c2"], grouping="patroller")
    assert "巡查员丁" in html and "巡查员甲" not in html and "巡查员乙" not in html
    assert "全部社区" not in html
    html = _get(clients["c1"], grouping="patroller")
    assert "巡查员丁" not in html and "黄埔" not in html
    assert clients["c1"].get(URL, params={"community": "c2"}).status_code == 404


def test_a_consumer_sees_no_patroller(clients: dict[str, TestClient]) -> None:
    html = _get(clients["consumer"], grouping="patroller")
    assert _rows(html, "cases-by-rate") == ["无"]
    html = _get(clients["consumer"])
    assert len(_rows(html, "cases-by-rate")) == 3


def test_the_download_is_the_report(clients: dict[str, TestClient]) -> None:
    html = _get(clients["c2"])
    url = unescape(re.search(r'data-download="([^"]+)"', html).group(1))  # type: ignore[union-attr]
    x = clients["c2"].get(url)
    assert x.status_code == 200
    book = load_workbook(io.BytesIO(x.content), read_only=True)
    assert book.sheetnames == ["汇总", "按网格", "按承办部门", "按巡查员"]
    grids = [r[2] for r in book["按网格"].iter_rows(min_row=3, values_only=True) if r[2]]
    assert grids == ["黄埔网格一"]


def test_in_english_every_word_is_english(clients: dict[str, TestClient]) -> None:
    names = set(NAMES.values()) | {"占道经营"}
    interface = sorted(w for w in set(TEXT["zh"].values())
                       if HAN.search(w) and "{" not in w and not any(w in n for n in names))
    for grouping in ("grid", "department", "patroller"):
        text = TAG.sub(" ", _get(clients["analyst"], grouping=grouping, lang="en"))
        left = [w for w in interface if w in text]
        assert not left, left[:10]
        for n in names:
            text = text.replace(n, "")
        assert not HAN.search(text), HAN.findall(text)[:20]
    assert "Ranked by closure rate" in text and "recurring" in text


def test_hostile_names_stay_text(store: GraphStore) -> None:
    store.upsert(*two_communities({"g1": "<script>alert(1)</script>"}))
    with client_for(store, "analyst", security=security_store()) as c:
        html = _get(c)
        assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_bad_input_is_refused_not_a_500(clients: dict[str, TestClient]) -> None:
    c = clients["analyst"]
    for params in ({"window_days": 0}, {"min_cases": 0}, {"grouping": "x"}, {"rpage": 0},
                   {"as_of": "2026-02-30"}, {"lang": "fr"}, {"recur_days": "x"},
                   {"nope": 1}):
        assert c.get(URL, params=params).status_code == 422, params


def test_dynamic_words_exist() -> None:
    keys = [f"cases_grouping_{g}" for g in ("grid", "department", "patroller")]
    keys += [f"cases_flag_{f}" for f in ("filing_for_count", "backlog", "recurring")]
    for key in keys:
        assert key in TEXT["zh"] and key in TEXT["en"], key
