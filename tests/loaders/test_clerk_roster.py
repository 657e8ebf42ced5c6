"""A clerk's 党员花名册 as kept in a community office loads as typed (issue 13).

The sheet below has what such sheets have (shared/NOTES.md): a title row, a 填报单位 /
填报日期 row, a two-level header (序号 and 姓名 merged down, 基本情况 / 党籍情况 / 居住情况
over their columns), 出生年月 and 入党时间 to the month (1985.07, 1983年7月), committee
posts (组织委员, 宣传委员, 纪检委员, 支部书记), 正式党员 / 预备党员 in 人员类别 and in the
role column, short and common branch names, a landline, a phone typed with spaces, a
name aligned with an ideographic space, 转正时间, 现居住地址, 房号, and a 合计 and
填表人 footer. Every stored value below is worked out from the sheet by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.store import GraphStore
from loaders.roster import load_roster
from tests.graphs import idn, node, rel
from tests.rosters import snapshot, write_xlsx

DAY = "2026-06-30"
LU, WANG, LI, ZHAO, QIAN, SUN = (idn("44030619850712002"), idn("44030619600315001"),
                                 idn("44030619980220003"), idn("44030619900508004"),
                                 idn("44030619700101005"), idn("44030619750606006"))
HEAD = [None, None, "性别", "公民身份号码", "出生年月", "联系电话", "入党时间", "转正时间",
        "人员类别", "所在党支部", "党内职务", "现居住地址", "居住楼栋", "房号"]
GROUPS = ["序号", "姓名", "基本情况", None, None, None, "党籍情况", None, None, None, None,
          "居住情况", None, None]
ADDRESS = "新桥街道上星社区上星一巷1号"


def street(store: GraphStore) -> None:
    """The community's party structure as the records name it: the committee without a
    short name, the branches with theirs."""
    store.upsert([
        node("st", "Street", name="新桥街道"),
        node("wc", "WorkingCommittee", name="中共新桥街道工作委员会", short_name="新桥街道党工委"),
        node("c1", "Community", name="上星社区"),
        node("cc1", "Committee", name="中共新桥街道上星社区委员会"),
        node("br1", "Branch", name="中共上星社区第一支部委员会", short_name="上星社区第一党支部"),
        node("br2", "Branch", name="中共上星社区第二支部委员会", short_name="上星社区第二党支部"),
        node("b1", "Building", name="上星一巷1号"),
    ], [rel("PART_OF", "c1", "st"), rel("SUB_ORG_OF", "cc1", "wc"), rel("LEADS", "cc1", "c1"),
        rel("SUB_ORG_OF", "br1", "cc1"), rel("SUB_ORG_OF", "br2", "cc1")])


def person(num: int, name: str, gender: str, number: str, born: str, phone: str,
           joined: str, full_on: str, status: str, org: str, role: str) -> list[Any]:
    return [num, name, gender, number, born, phone, joined, full_on, status, org, role,
            ADDRESS, "上星一巷1号", f"{num}02"]


def clerks_sheet(path: Path) -> Path:
    rows: list[list[Any]] = [
        ["上星社区第一党支部党员花名册"],
        ["填报单位：中共上星社区第一支部委员会", None, None, None, None, None, None, None,
         None, None, "填报日期：2026年6月30日"],
        GROUPS, HEAD,
        person(1, "卢　芳", "女", LU, "1985.07", "0755-2701 2345", "2009.05", "2010.05",
               "正式党员", "上星社区第一党支部", "组织委员"),
        person(2, "王建国", "男", WANG, "1960年3月", "138 1234 5678", "1983年7月", "1984年7月",
               "正式党员", "上星社区第一党支部", "支部书记"),
        person(3, "李小明", "男", LI, "1998.02", "13912345678", "2025.11", "", "预备党员",
               "上星社区第一支部", "党员"),  # the branch written a third way
        person(4, "赵 丽", "女", ZHAO, "1990.05", "13712345678", "2026.01", "", "",
               "上星社区第一党支部", "预备党员"),  # the status in the role column
        person(5, "钱进", "男", QIAN, "1970.01", "13612345678", "1995.07", "1996.07",
               "正式党员", "上星社区党委", "宣传委员"),  # a member of the committee itself
        person(6, "孙红", "女", SUN, "1975.06", "13512345678", "2001.07", "2002.07",
               "正式党员", "上星社区第一党支部", "纪检委员"),
        ["合计", "6人"],
        ["填表人：张三", None, None, "审核人：李四", None, None, "2026年6月30日"],
    ]
    return write_xlsx(path, {"党员花名册": rows}, merge=[
        ("党员花名册", "A1:N1"), ("党员花名册", "A3:A4"), ("党员花名册", "B3:B4"),
        ("党员花名册", "C3:F3"), ("党员花名册", "G3:K3"), ("党员花名册", "L3:N3")])


def by_name(store: GraphStore) -> dict[str, Any]:
    return {n.name: n for n in store.nodes("PartyMember")}


def stints(store: GraphStore, pid: str) -> list[tuple[Any, ...]]:
    return sorted((n.node.id, n.rel.properties.get("since"), n.rel.properties.get("until"),
                   n.rel.properties["role"], n.rel.properties.get("title"))
                  for n in store.neighbours(pid, ["MEMBER_OF"], "out"))


def test_a_clerks_sheet_loads_as_typed(store: GraphStore, tmp_path: Path) -> None:
    street(store)
    report = load_roster(store, clerks_sheet(tmp_path / "花名册.xlsx"), "党员", as_of=DAY)
    assert report.ok and report.errors == 0, report.lines()
    assert report.rows == 6 and report.changes["nodes_added"] == 6
    # the two footer rows are skipped with a note, nothing else is said
    assert [(i.row, i.rule, i.severity) for i in report.issues] == [
        (11, "footer_row", "warning"), (12, "footer_row", "warning")]
    people = by_name(store)
    assert set(people) == {"卢芳", "王建国", "李小明", "赵丽", "钱进", "孙红"}
    lu = people["卢芳"].properties
    assert lu == {
        "name": "卢芳", "name_as_typed": "卢　芳", "gender": "female", "id_number": LU,
        "birth_date": "1985-07-12",  # the ID number's day, agreeing with 1985.07
        "phone": "0755-27012345", "joined_party_on": "2009-05-01",
        "joined_party_on_precision": "month", "full_member_on": "2010-05-01",
        "full_member_on_precision": "month", "full_member": True, "address": ADDRESS,
        "room": "102"}
    assert people["王建国"].properties["phone"] == "13812345678"
    assert people["王建国"].properties["joined_party_on"] == "1983-07-01"
    assert (people["李小明"].properties["full_member"],
            people["赵丽"].properties["full_member"]) == (False, False)
    # a first roster: a member since joining (to the month), the post from the roster's date
    assert stints(store, people["卢芳"].id) == [
        ("br1", "2009-05-01", DAY, "member", None), ("br1", DAY, None, "committee", "组织委员")]
    assert stints(store, people["王建国"].id) == [
        ("br1", "1983-07-01", DAY, "member", None), ("br1", DAY, None, "secretary", "支部书记")]
    assert stints(store, people["李小明"].id) == [("br1", "2025-11-01", None, "member", None)]
    assert stints(store, people["赵丽"].id) == [("br1", "2026-01-01", None, "member", None)]
    assert stints(store, people["钱进"].id)[-1] == ("cc1", DAY, None, "committee", "宣传委员")
    assert stints(store, people["孙红"].id)[-1][3:] == ("committee", "纪检委员")
    first = store.neighbours(people["卢芳"].id, ["MEMBER_OF"], "out")
    assert {n.rel.properties.get("since_precision") for n in first} == {"month", None}
    homes = {n.node.id for p in people.values()
             for n in store.neighbours(p.id, ["LIVES_IN"], "out")}
    assert homes == {"b1"}
    again = load_roster(store, clerks_sheet(tmp_path / "again.xlsx"), "党员", as_of=DAY)
    assert again.ok and again.changes["nodes_unchanged"] == 6
    assert (again.changes["rels_added"], again.changes["rels_ended"]) == (0, 0)


def test_search_finds_the_name_typed_with_alignment_spaces(store: GraphStore,
                                                           tmp_path: Path) -> None:
    from queries.search import search

    street(store)
    assert load_roster(store, clerks_sheet(tmp_path / "r.xlsx"), "党员", as_of=DAY).ok
    assert [h.node.name for h in search(store, "卢芳")] == ["卢芳"]
    assert [h.node.name for h in search(store, "卢　芳")] == ["卢芳"]


def test_an_unknown_branch_lists_the_nearest_names(store: GraphStore, tmp_path: Path) -> None:
    street(store)
    before = snapshot(store)
    f = write_xlsx(tmp_path / "r.xlsx", {"党员": [
        ["姓名", "身份证号", "入党时间", "所在党支部"],
        ["卢芳", LU, "2009.05", "上星社区第三党支部"]]})
    report = load_roster(store, f, "党员", as_of=DAY)
    (issue,) = report.issues
    assert (issue.cell, issue.rule) == ("D2", "reference")
    assert "最接近的有：中共上星社区第一支部委员会" in issue.message_zh or (
        "最接近的有：中共上星社区第二支部委员会" in issue.message_zh)
    assert "中共上星社区第二支部委员会" in issue.message_zh
    assert snapshot(store) == before


def test_a_short_name_two_nodes_share_asks_which(store: GraphStore, tmp_path: Path) -> None:
    street(store)
    store.upsert([node("br9", "Branch", name="中共新桥社区第一支部委员会",
                       short_name="新桥社区第一党支部")])
    f = write_xlsx(tmp_path / "r.xlsx", {"党员": [
        ["姓名", "身份证号", "入党时间", "所在党支部"], ["卢芳", LU, "2009.05", "第一支部"]]})
    (issue,) = load_roster(store, f, "党员", as_of=DAY).issues
    assert issue.rule == "ambiguous_reference"
    assert "br1（中共上星社区第一支部委员会）" in issue.message_zh and "br9" in issue.message_zh


@pytest.mark.parametrize("merge_down", [True, False])
def test_a_two_level_header_missing_a_column_says_so(store: GraphStore, tmp_path: Path,
                                                     merge_down: bool) -> None:
    """The header read over both rows; the branch column is really missing, and the
    message says both rows were read (before: 入党日期 reported missing while it was in
    the second row)."""
    street(store)
    rows: list[list[Any]] = [["序号", "姓名", "党籍情况", None],
                             [None, None, "入党时间", "转正时间"],
                             [1, "卢芳", "2009.05", "2010.05"]]
    merge = [("党员", "C1:D1")] + ([("党员", "A1:A2"), ("党员", "B1:B2")] if merge_down
                                   else [])
    report = load_roster(store, write_xlsx(tmp_path / "r.xlsx", {"党员": rows}, merge=merge),
                         "党员", as_of=DAY)
    assert [(i.rule, i.header) for i in report.issues] == [("missing_column", "所在党组织")]
    if not merge_down:  # (merged down, 序号 and 姓名 are in the second row too)
        assert "已读取第 1–2 行的两级表头" in report.issues[0].message_zh


def test_a_messier_sheet_loads_as_typed(store: GraphStore, tmp_path: Path) -> None:
    """What else clerks' sheets have: a party group's name as a heading row inside the
    sheet, a note in a header's brackets, dates Excel stored as numbers (1985.07,
    196003) or as a date cell under a header of months (入党年月), a dash or a slash for
    nothing, a branch cell merged down over two people, a compound post (支部副书记兼
    组织委员: the higher rank, the post as written kept), a phone with a note, a name's
    dot typed as a full stop, 第1 for 第一. Worked out by hand from the rows below."""
    import datetime as dt

    street(store)
    rows: list[list[Any]] = [
        ["姓名", "身份证号码（18位）", "出生年月", "联系电话", "入党年月", "转正时间",
         "所在党支部", "党内职务"],
        ["第一党小组"],
        ["卢芳", LU, 1985.07, "13812345678（本人）", dt.datetime(2009, 5, 17), "—",
         "上星社区第1党支部", "支部副书记兼组织委员"],
        ["王建国", WANG, 196003, "138 1234 5678", 198307, "/", None, "支部书记"],
        ["第二党小组"],
        ["阿依古丽.买买提", LI, 1998.02, "13912345678", "2025.11", "", "上星社区第二党支部",
         "党员"],
    ]
    f = write_xlsx(tmp_path / "r.xlsx", {"花名册": rows}, merge=[("花名册", "G3:G4")])
    report = load_roster(store, f, "党员", as_of=DAY)
    assert report.ok and report.rows == 3, report.lines()
    assert [(i.row, i.rule) for i in report.issues] == [(2, "heading_row"), (5, "heading_row")]
    people = by_name(store)
    assert set(people) == {"卢芳", "王建国", "阿依古丽·买买提"}
    lu = people["卢芳"].properties
    assert (lu["birth_date"], lu["phone"], lu["joined_party_on"],
            lu["joined_party_on_precision"]) == ("1985-07-12", "13812345678", "2009-05-01",
                                                 "month")
    assert "full_member_on" not in lu
    wang = people["王建国"].properties
    assert (wang["birth_date"], wang["joined_party_on"], wang["joined_party_on_precision"]
            ) == ("1960-03-15", "1983-07-01", "month")
    ay = people["阿依古丽·买买提"]
    assert ay.properties["name_as_typed"] == "阿依古丽.买买提"
    assert stints(store, people["卢芳"].id) == [
        ("br1", "2009-05-01", DAY, "member", None),
        ("br1", DAY, None, "deputy", "支部副书记兼组织委员")]
    assert stints(store, people["王建国"].id) == [
        ("br1", "1983-07-01", DAY, "member", None), ("br1", DAY, None, "secretary", "支部书记")]
    assert stints(store, ay.id) == [("br2", "2025-11-01", None, "member", None)]


def test_a_column_of_months_meets_the_required_date(store: GraphStore, tmp_path: Path) -> None:
    """入党年月 is 入党日期 to the month: either column meets the requirement, a row
    needs one of them filled, and the template shows one column (before: a sheet with
    入党年月 only was said to lack 入党日期, or a day in it was kept)."""
    street(store)
    months = write_xlsx(tmp_path / "m.xlsx", {"党员": [
        ["姓名", "身份证号", "入党年月", "所在党支部"],
        ["卢芳", LU, "2009.05", "上星社区第一党支部"]]})
    assert load_roster(store, months, "党员", as_of=DAY).ok
    both = write_xlsx(tmp_path / "b.xlsx", {"党员": [
        ["姓名", "身份证号", "入党日期", "入党年月", "所在党支部"],
        ["卢芳", LU, None, "2009.05", "上星社区第一党支部"],
        ["王建国", WANG, "1983-07-01", None, "上星社区第一党支部"],
        ["孙红", SUN, None, None, "上星社区第一党支部"]]})
    before = snapshot(store)
    report = load_roster(store, both, "党员", as_of=DAY)
    assert [(i.cell, i.rule) for i in report.issues] == [("C4", "required")]
    assert snapshot(store) == before
    from loaders.roster_mapping import get_mapping
    headers = [c.header for c in get_mapping("party_members").all_columns]
    assert "入党日期" in headers and "入党年月" not in headers
