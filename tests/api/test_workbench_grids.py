"""The grids page (网格) without a browser, on the hand-drawn street of
tests/queries/test_grids.py, its grids renamed so a reader sees whose they are:

    c1 上星社区: base 上星网格一 (b1), 上星网格二 (b2), 上星网格三 (b3), 0.5 km² each;
                 police 上星警格 (p1) over b1/b2 (0.25 km² each, 50%); fire 上星消格 (f1)
                 over b3 and b4 (0.125 km² each, 50%: it crosses into c2); security
                 上星安格 (s1) over b2 (0.5 km², 99.0%; the sliver on b1 left out)
    c2 黄埔社区: base 黄埔网格四 (b4), 黄埔网格五 (b5), 0.75 km² each
    无图网格 (g0): a base grid without a boundary, in no community

People (test_post_duty_person): grid worker w1 for b2; officer o1 for p1; building h in
b2 (head until 2025), h2 in b1 (headed); wx worked b3-b5 until 2020. Every answer
below is worked out from these by hand; each section is also checked against its JSON.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.workbench.text import TEXT
from graph.store import GraphStore
from queries.grids import overlap_analysis, write_overlaps
from tests.api_helpers import client_for, clients_for, security_store
from tests.graphs import node, rel
from tests.queries.test_grids import street

#: the page's answers come from JSON routes tested on both backends (tests/conftest.py)
pytestmark = pytest.mark.embedded_only

DAY = "2026-06-30"
URL = "/api/v1/workbench/grids"
NAMES = {"c1": "上星社区", "c2": "黄埔社区", "b1": "上星网格一", "b2": "上星网格二",
         "b3": "上星网格三", "b4": "黄埔网格四", "b5": "黄埔网格五", "p1": "上星警格",
         "f1": "上星消格", "s1": "上星安格", "g0": "无图网格", "w1": "网格员甲",
         "wx": "网格员乙", "o1": "民警丙"}
HAN = re.compile(r"[\u4e00-\u9fff]")
TAG = re.compile(r"<[^>]+>")


def grid_street() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    made, rels = street()
    nodes: list[dict[str, Any]] = [dict(n) for n in made]
    nodes += [node("o1", "PoliceOfficer"), node("hh", "BuildingHead"), node("h2", "Building"),
              node("hh2", "BuildingHead"), node("wx", "GridWorker")]
    rels += [rel("RESPONSIBLE_FOR", "o1", "p1"), rel("IN_GRID", "h2", "b1"),
             rel("HEADS", "hh", "h", until="2025-01-01"), rel("HEADS", "hh2", "h2")]
    rels += [rel("RESPONSIBLE_FOR", "wx", g, until="2020-01-01") for g in ("b3", "b4", "b5")]
    for n in nodes:
        if n["id"] in NAMES:
            n["properties"]["name"] = NAMES[n["id"]]
    return nodes, rels


def load(store: GraphStore, rename: dict[str, str] | None = None) -> GraphStore:
    nodes, rels = grid_street()
    for n in nodes:
        if rename and n["id"] in rename:
            n["properties"]["name"] = rename[n["id"]]
    store.upsert(nodes, rels)
    write_overlaps(store, overlap_analysis(store))  # the police grids over base grids
    return store


@pytest.fixture
def clients(store: GraphStore) -> Iterator[dict[str, TestClient]]:
    load(store)
    roles = {
        "admin": ("admin", None), "analyst": ("analyst", None), "consumer": ("consumer", None),
        "c1": ("community", "c1"), "c2": ("community", "c2")}
    with clients_for(store, roles) as made:
        yield made


def _get(c: TestClient, **params: Any) -> str:
    r = c.get(URL, params=params)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    text: str = r.text
    return text


def _rows(html: str, table: str) -> list[str]:
    """The text of each body row of the table with id ``table``."""
    m = re.search(rf'<table[^>]*id="{table}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert m, f"no table {table}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", m.group(1), re.S)
    return [" ".join(TAG.sub(" ", r).split()) for r in rows]


def test_overlaps_show_the_json(clients: dict[str, TestClient]) -> None:
    c = clients["analyst"]
    html = _get(c, section="overlaps", as_of=DAY)
    special = _rows(html, "grids-special")
    # by id: f1, p1, s1 — as the JSON lists them
    json = c.get("/api/v1/grids/overlaps", params={"as_of": DAY}).json()
    assert len(special) == len(json["special_grids"]) == 3
    f1, p1, s1 = special
    assert f1.startswith("上星消格 消格 上星社区 0.25")
    assert "上星网格三 50.0%" in f1 and "黄埔网格四 50.0%" in f1
    assert "上星社区、黄埔社区" in f1  # it crosses into c2
    assert p1.startswith("上星警格 警格 上星社区 0.5") and "上星网格一 50.0%" in p1
    assert "上星网格二 99.0%" in s1 and "上星网格一" not in s1  # the sliver left out
    # every base grid is over 0.25 km²: the largest first
    large = _rows(html, "grids-too-large")
    assert [r.split()[0] for r in large] == ["黄埔网格四", "黄埔网格五", "上星网格一",
                                             "上星网格二", "上星网格三"]
    assert large[0] == "黄埔网格四 黄埔社区 0.75 0 0 无人负责 面积过大"
    # b2: 3 residents, worker w1 → 3.0 per worker
    assert large[3] == "上星网格二 上星社区 0.5 3 1 3.0 面积过大"
    assert "未绘制边界的网格 1 个" in html  # g0
    # thresholds go to the JSON: at 0.6 km² only c2's grids are too large
    html = _get(c, section="overlaps", as_of=DAY, max_area_km2=0.6)
    assert [r.split()[0] for r in _rows(html, "grids-too-large")] == ["黄埔网格四", "黄埔网格五"]
    html = _get(c, section="overlaps", max_area_km2=1, max_residents_per_worker=2, as_of=DAY)
    assert _rows(html, "grids-too-large") == ["上星网格二 上星社区 0.5 3 1 3.0 人均服务居民过多"]


def test_overlaps_filter_sort_and_page(clients: dict[str, TestClient]) -> None:
    c = clients["analyst"]
    crossing = _rows(_get(c, section="overlaps", crossing_only="true"), "grids-special")
    assert [r.split()[0] for r in crossing] == ["上星消格"]
    by_area = _rows(_get(c, section="overlaps", sort="area"), "grids-special")
    assert [r.split()[0] for r in by_area] == ["上星安格", "上星警格", "上星消格"]  # .505 .5 .25
    html = _get(c, section="overlaps", community="c2")
    assert _rows(html, "grids-special") == ["无"]  # every special grid is c1's
    assert [r.split()[0] for r in _rows(html, "grids-too-large")] == ["黄埔网格四", "黄埔网格五"]
    assert '<option value="c2" selected>黄埔社区</option>' in html
    html = _get(c, section="overlaps", page=7)  # past the end: the last page
    assert "第 1 页，共 1 页（3 条）" in html


def test_integration_shows_the_proposal(clients: dict[str, TestClient]) -> None:
    c = clients["analyst"]
    html = _get(c, section="integration")
    rows = _rows(html, "grids-changes")
    assert len(rows) == 3
    s1, f1, p1 = rows  # as the JSON lists them: by kind (security, fire, police), then id
    # p1 keeps b1, b2 and gains b3 (nearest in c1), b4 and b5 (c2 has no police grid)
    assert p1.startswith("上星警格 警格 上星社区 5 上星网格三、黄埔网格四、黄埔网格五 — 3")
    assert f1.startswith("上星消格 消格 上星社区 5 上星网格一、上星网格二、黄埔网格五 —")
    assert s1.startswith("上星安格 安格 上星社区 5 "
                         "上星网格一、上星网格三、黄埔网格四、黄埔网格五 —")
    assert "子网格 15 个" in html
    # police 2/1/2, fire 2/2/1, security 2/1/2 (largest overlap / nearest in c1 / nearest)
    assert _rows(html, "grids-how") == ["交叉面积最大 6", "本社区内最近 4", "最近 5"]
    assert "无此类专业网格" in html and "交格" in html
    assert "grids/accept" not in html  # the analyst may not accept
    assert c.post(f"{URL}/accept").status_code == 403  # the JSON route's refusal, boxed
    by_changes = _rows(_get(c, section="integration", sort="changed"), "grids-changes")
    assert [r.split()[0] for r in by_changes] == ["上星安格", "上星消格", "上星警格"]  # 4, 3, 3


def test_the_admin_accepts_the_integration(clients: dict[str, TestClient],
                                           store: GraphStore) -> None:
    c = clients["admin"]
    html = _get(c, section="integration")
    m = re.search(r'hx-post="/api/v1/workbench/grids/accept\?([^"]*)"[^>]*hx-confirm="([^"]*)"',
                  html)
    assert m, "no accept button with a confirmation"
    assert "15 个子网格" in m.group(2)
    r = c.post(f"{URL}/accept?{m.group(1).replace('&amp;', '&')}")
    assert r.status_code == 201 and "已写入 15 个子网格" in r.text
    sub = store.get_node("b4~police")
    assert sub.properties["kind"] == "sub"
    assert sorted(n.node.id for n in store.neighbours("b4~police", ["PART_OF"], "out")) == [
        "b4", "p1"]
    assert c.post(f"{URL}/accept", params={"min_share": 2}).status_code == 422


def test_post_duty_person(clients: dict[str, TestClient]) -> None:
    c = clients["analyst"]
    html = _get(c, section="duty", as_of=DAY)
    rows = _rows(html, "grids-duty")
    json = c.get("/api/v1/grids/duty", params={"as_of": DAY}).json()
    assert len(rows) == len(json["gaps"]) == 6
    # two items lacking first (by id), then one
    assert rows == ["上星网格三 上星社区 缺 缺 0",
                    "黄埔网格四 黄埔社区 缺 缺 0",
                    "黄埔网格五 黄埔社区 缺 缺 0",
                    "无图网格 — 缺 缺 0",
                    "上星网格一 上星社区 缺 0",
                    "上星网格二 上星社区 缺 1"]
    assert "6 个基础网格缺岗（全部基础网格 6 个）" in html
    assert _rows(html, "grids-busy") == ["无"]
    heads = _rows(_get(c, section="duty", as_of=DAY, missing="building_heads"), "grids-duty")
    assert heads == ["上星网格二 上星社区 缺 1"]
    by_community = _rows(_get(c, section="duty", as_of=DAY, sort="community"), "grids-duty")
    assert [r.split()[1] for r in by_community] == ["—", "上星社区", "上星社区", "上星社区",
                                                    "黄埔社区", "黄埔社区"]
    # in 2019 wx was responsible for b3, b4 and b5: more than 2
    assert _rows(_get(c, section="duty", as_of="2019-06-30"), "grids-busy") == ["网格员乙 3"]
    assert _rows(_get(c, section="duty", as_of="2019-06-30", max_grids_per_worker=3),
                 "grids-busy") == ["无"]


def test_each_section_downloads_its_report(clients: dict[str, TestClient]) -> None:
    c = clients["analyst"]
    expected = {"overlaps": ("/api/v1/grids/overlaps.xlsx?max_area_km2=0.6&amp;min_share=0.01&amp;"
                             f"max_residents_per_worker=1000&amp;as_of={DAY}", "网格交叉分析.xlsx",
                             "过大基础网格"),
                "integration": ("/api/v1/grids/integration.xlsx?min_share=0.01",
                                "多网合一方案.xlsx", "子网格"),
                "duty": (f"/api/v1/grids/duty.xlsx?as_of={DAY}&amp;max_grids_per_worker=2",
                         f"定岗定责定人-{DAY}.xlsx", "缺岗网格")}
    for section, (url, name, sheet) in expected.items():
        html = _get(c, section=section, as_of=DAY, max_area_km2=0.6)
        assert f'data-download="{url}" data-filename="{name}"' in html, section
        assert "data-print" in html
        r = c.get(url.replace("&amp;", "&"))
        assert r.status_code == 200
        assert sheet in load_workbook(io.BytesIO(r.content)).sheetnames


def test_a_community_token_sees_its_own_grids_only(clients: dict[str, TestClient]) -> None:
    for who, own, other in (("c1", "上星", "黄埔"), ("c2", "黄埔", "上星")):
        c = clients[who]
        for section in ("overlaps", "integration", "duty"):
            html = _get(c, section=section, as_of=DAY)
            assert other not in html, (who, section)
            assert own in html or section == "integration", (who, section)
            for oid in ("b4", "b5") if who == "c1" else ("b1", "b2", "b3", "p1", "f1", "s1"):
                assert f'"{oid}"' not in html and f">{oid}<" not in html
        # the other community by id: as if it did not exist
        assert c.get(URL, params={"community": "c2" if who == "c1" else "c1"}).status_code \
            == 404
    # c1's fire grid crosses into c2; c1 sees the crossing, not c2's grid or name
    html = _get(clients["c1"], section="overlaps")
    f1 = _rows(html, "grids-special")[0]
    assert f1.startswith("上星消格") and "上星网格三 50.0%" in f1
    assert f1.endswith("上星社区、其他社区")
    # what the JSON left out, counted: b4 in f1's overlaps, c2 crossed, b4 and b5 too
    # large, g0 (in no community) without a boundary
    redacted = clients["c1"].get("/api/v1/grids/overlaps").json()["redacted"]
    assert redacted == 5 and "另有 5 项涉及您无权查看的网格或人员" in html
    # the download is the JSON's, scoped the same way
    r = clients["c1"].get("/api/v1/grids/overlaps.xlsx")
    text = " ".join(str(v) for ws in load_workbook(io.BytesIO(r.content)).worksheets
                    for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert "上星消格" in text and "黄埔" not in text
    # no community option but its own
    html = _get(clients["c2"], section="duty")
    assert re.findall(r'<option value="(c\d)"', html) == ["c2"]


def test_a_consumer_sees_grids_not_people(clients: dict[str, TestClient]) -> None:
    html = _get(clients["consumer"], section="duty", as_of="2019-06-30")
    assert "网格员乙" not in html  # the busy worker is a person
    assert "上星网格一" in html


def test_in_english_every_word_is_english(clients: dict[str, TestClient]) -> None:
    names = set(NAMES.values())
    words = sorted(w for w in set(TEXT["zh"].values())
                   if HAN.search(w) and "{" not in w and not any(w in n for n in names))
    for section in ("overlaps", "integration", "duty"):
        html = _get(clients["admin"], section=section, as_of=DAY, lang="en")
        text = TAG.sub(" ", html)
        left = [w for w in words if w in text]
        assert not left, (section, left[:10])
        stripped = text
        for n in names:
            stripped = stripped.replace(n, "")
        assert not HAN.search(stripped), (section, HAN.findall(stripped)[:10])
    html = _get(clients["admin"], section="overlaps", lang="en")
    assert "Fire grid" in html and "Crossing only" in html and "area too large" in html
    html = _get(clients["admin"], section="integration", lang="en")
    assert "nearest in its community" in html and "Accept: write the sub-grids" in html


def test_dynamic_words_exist() -> None:
    for lang in ("zh", "en"):
        for key in [*(f"grids_kind_{k}" for k in ("base", "security", "fire", "police",
                                                  "traffic", "sub")),
                    *(f"grids_how_{h}" for h in ("largest_overlap", "nearest_in_community",
                                                 "nearest")),
                    *(f"grids_reason_{r}" for r in ("area", "residents_per_worker")),
                    *(f"grids_sort_{s}" for s in ("grid", "area", "overlaps", "changed",
                                                  "missing", "buildings")),
                    *(f"missing_{m}" for m in ("grid_worker", "police_officer",
                                                "building_heads")),
                    "grids_overlaps", "grids_integration", "grids_duty", "sort_community"]:
            assert key in TEXT[lang], (lang, key)


def test_hostile_names_stay_text(store: GraphStore) -> None:
    load(store, {"f1": "<script>alert(1)</script>消格", "b4": '<img src=x onerror="x()">'})
    with client_for(store, "analyst", security=security_store()) as c:
        for section in ("overlaps", "integration", "duty"):
            html = _get(c, section=section)
            assert "<script>alert" not in html and "<img src=x" not in html, section
        assert "&lt;script&gt;alert(1)&lt;/script&gt;消格" in _get(c, section="overlaps")


def test_bad_input_is_refused_not_a_500(clients: dict[str, TestClient]) -> None:
    c = clients["analyst"]
    for params in ({"section": "nope"}, {"max_area_km2": -1}, {"min_share": 2},
                   {"page": 0}, {"as_of": "2026-13-01"}, {"sort": "x"}, {"lang": "fr"},
                   {"missing": "x"}, {"max_grids_per_worker": 0}):
        assert c.get(URL, params=params).status_code == 422, params
    # a sort of another section: the section's default
    assert _rows(_get(c, section="duty", sort="overlaps", as_of=DAY),
                 "grids-duty")[0].startswith("上星网格三")


def test_a_long_list_folds_behind_its_count(xinqiao: GraphStore) -> None:
    """On the scenario a fire grid overlaps dozens of base grids: the first six are
    listed (as the JSON orders them, largest first), the rest behind "另 N 个"."""
    with client_for(xinqiao, "analyst", security=security_store()) as c:
        special = c.get("/api/v1/grids/overlaps").json()["special_grids"]
        first = min(special, key=lambda s: s["grid"]["id"])
        assert len(first["overlaps"]) > 6
        row = _rows(_get(c, section="overlaps"), "grids-special")[0]
        names = [o["base_grid"]["name"] for o in first["overlaps"]]
        assert row.startswith(first["grid"]["name"])
        shown, folded = row.split(f"另 {len(names) - 6} 个")
        assert all(n in shown for n in names[:6]) and not any(n in shown for n in names[6:])
        assert all(n in folded for n in names[6:])
