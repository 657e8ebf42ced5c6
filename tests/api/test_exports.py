"""Query results as printable .xlsx, from the CLI's functions and the API."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from api.exports import middle_weakening_xlsx, pairing_xlsx
from graph.embedded import EmbeddedStore
from graph.store import GraphStore
from queries.middle_weakening import middle_weakening
from queries.pairing import pairing_proposal
from tests.api_helpers import client_for
from tests.graphs import governance
from tests.queries.test_pairing import scored_street

DAY = "2024-06-30"


def _rows(ws: Worksheet) -> list[list[object]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_middle_weakening_workbook(tmp_path: Path) -> None:
    """The hand-worked community of test_middle_weakening: 5 gaps in 上星社区, ranked
    gA4 (no branch), brIdle, brNoSec, brFew, brBig."""
    with EmbeddedStore(tmp_path / "g.db") as s:
        s.upsert(*governance())
        names = {i: s.get_node(i).name for i in ("brIdle", "brNoSec", "brFew", "brBig")}
        r = middle_weakening(s, as_of=DAY)
    wb = load_workbook(middle_weakening_xlsx(r, tmp_path / "gaps.xlsx"))
    assert wb.sheetnames[0] == "汇总" and "上星社区" in wb.sheetnames
    sheet = _rows(wb["上星社区"])
    assert sheet[0][0] == "中间弱化问题清单（截至 2024-06-30）（上星社区）"
    assert sheet[1][:4] == ["排名", "严重度", "问题类型", "党支部"]
    assert [(row[0], row[3]) for row in sheet[2:]] == [
        (1, "（无）"), (2, names["brIdle"]), (3, names["brNoSec"]), (4, names["brFew"]),
        (5, names["brBig"])]
    no_sec = sheet[4]
    assert no_sec[2] == "党支部弱化" and no_sec[4] == "（空缺）"  # brNoSec has no secretary
    assert isinstance(sheet[2][8], str) and "无党支部覆盖" in sheet[2][8]
    summary = {row[0]: row for row in _rows(wb["汇总"])[2:]}
    assert summary["上星社区"][7] == 5  # gaps
    ws = wb["上星社区"]
    assert ws.freeze_panes == "A3" and ws.page_setup.orientation == "landscape"


def test_pairing_workbook(tmp_path: Path) -> None:
    """test_pairing's street: V1–N1 (same branch and group, 6), V2–N2 (7)."""
    s = scored_street()
    with EmbeddedStore(tmp_path / "g.db") as st:
        p = pairing_proposal(s.load(st), capacity=1, as_of=DAY)
    wb = load_workbook(pairing_xlsx(p, tmp_path / "p.xlsx"))
    assert wb.sheetnames == ["汇总", "c", "未结对"]
    rows = _rows(wb["c"])[2:]
    assert sorted((r[1], r[3], r[5], r[7]) for r in rows) == [
        ("V1", "N1", 6, "新结对"), ("V2", "N2", 7, "新结对")]
    assert next(r for r in rows if r[3] == "N1")[6] == "同一支部；同一居民小组"
    assert _rows(wb["汇总"])[2] == ["c", 2, 0, 13, 0]


def test_names_that_look_like_formulas_stay_text(tmp_path: Path) -> None:
    nodes, rels = governance()
    for n in nodes:
        if n["id"] == "brFew":
            n["properties"]["name"] = '=HYPERLINK("http://evil","点我")'
    with EmbeddedStore(tmp_path / "g.db") as s:
        s.upsert(nodes, rels)
        r = middle_weakening(s, as_of=DAY)
    wb = load_workbook(middle_weakening_xlsx(r, tmp_path / "gaps.xlsx"))
    cell = next(c for row in wb["上星社区"].iter_rows() for c in row
                if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert cell.data_type == "s"


def test_api_downloads(store: GraphStore) -> None:
    store.upsert(*governance())
    with client_for(store) as c:
        r = c.get("/api/v1/gaps/middle-weakening.xlsx", params={"as_of": DAY})
        assert r.status_code == 200
        assert r.headers["content-type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        assert 'filename="middle-weakening-2024-06-30.xlsx"' in r.headers[
            "content-disposition"]
        wb = load_workbook(io.BytesIO(r.content))
        assert [row[0] for row in _rows(wb["上星社区"])[2:]] == [1, 2, 3, 4, 5]
        r = c.get("/api/v1/pairings/proposals.xlsx", params={"as_of": DAY, "capacity": 1})
        assert r.status_code == 200
        wb = load_workbook(io.BytesIO(r.content))
        assert wb.sheetnames[0] == "汇总" and wb.sheetnames[-1] == "未结对"
        assert c.get("/api/v1/pairings/proposals.xlsx",
                     params={"capacity": 99}).status_code == 422
        assert c.get("/api/v1/gaps/middle-weakening.xlsx",
                     params={"as_of": "2024-13-01"}).status_code == 422
