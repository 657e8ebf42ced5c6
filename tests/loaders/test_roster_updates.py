"""Rosters: every validation rule, all-or-nothing, incremental updates, encodings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.embedded import EmbeddedStore
from graph.store import GraphStore
from loaders import tables
from loaders.report import write_issue_workbook
from loaders.roster import ID_KEY_META, load_roster, person_id
from loaders.tables import open_table
from tests.graphs import tiny_street
from tests.rosters import id_key, idn, snapshot, write_csv, write_xlsx

HEAD = ["姓名", "性别", "身份证号", "手机号", "入党日期", "所在党组织", "党内职务"]
A = idn("44030619800101001")
B = idn("44030619820202002")
C = idn("44030619830303003")
D = idn("44030619840404004")
F = idn("44030619800101002")  # a woman (an even 17th digit) born the same day as A


def member(name: str, id_number: str, org: str = "上星第一支部", phone: str = "13812345678",
           joined: str = "2001-07-01", role: str = "", gender: str | None = None) -> list[Any]:
    if gender is None:  # as the ID number says (its 17th digit: odd for men)
        gender = "男" if len(id_number) > 16 and id_number[16] in "13579" else "女"
    return [name, gender, id_number, phone, joined, org, role]


@pytest.fixture
def street(tmp_path: Path) -> EmbeddedStore:
    s = EmbeddedStore(tmp_path / "g.db")
    s.upsert(*tiny_street())
    return s


def issues(report: Any) -> list[tuple[str | None, str | None, str]]:
    return [(i.cell, i.header, i.rule) for i in report.issues if i.severity == "error"]


# ------------------------------------------------------------ one test per rule
@pytest.mark.parametrize("row, cell, rule", [
    (member("", A), "A2", "required"),
    (member("甲", A, org=""), "F2", "required"),
    (member("甲", A, joined=""), "E2", "required"),
    (member("甲", A[:17] + ("0" if A[17] != "0" else "1")), "C2", "id_number"),
    (member("甲", "440306198002301234"), "C2", "id_number"),  # 30 February
    (member("甲", "44030619800101001"), "C2", "id_number"),  # 17 characters
    (member("甲", A, phone="1381234567"), "D2", "phone"),
    (member("甲", A, phone="12812345678"), "D2", "phone"),
    (member("甲", A, phone="13812345678/13912345678"), "D2", "phone"),  # two in one cell
    (member("甲", A, joined="2001-02-30"), "E2", "date"),
    (member("甲", A, joined="七月一日"), "E2", "date"),
    (member("甲", A, gender="未知"), "B2", "enum"),
    (member("甲", A, role="组长"), "G2", "enum"),
    (member("甲", A, org="不存在的支部"), "F2", "reference"),
    (member("甲", A, org="上星一巷1号"), "F2", "reference"),  # a building, not an org
])
def test_each_row_rule_names_cell_and_rule(street: EmbeddedStore, tmp_path: Path,
                                           row: list[Any], cell: str, rule: str) -> None:
    before = snapshot(street)
    f = write_csv(tmp_path / "r.csv", [HEAD, row])
    report = load_roster(street, f, "party_members", as_of="2026-06-30")
    assert not report.ok and not report.written
    assert (cell, rule) in [(c, r) for c, _, r in issues(report)]
    assert all(i.message_zh and i.message_en for i in report.issues)
    assert snapshot(street) == before


def test_birth_date_must_agree_with_id_number(street: EmbeddedStore, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "r.csv", [HEAD + ["出生日期"], member("甲", A) + ["1980-01-02"]])
    report = load_roster(street, f, "党员", as_of="2026-06-30")
    assert issues(report) == [("H2", "出生日期", "birth_date_mismatch")]
    # neither date is in the message: with the masked ID number it would give it back
    assert "1980-01-0" not in str(report.to_dict())


def test_boolean_and_integer_cells(street: EmbeddedStore, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "r.csv", [
        ["企业名称", "职工人数", "所在社区"], ["甲公司", "十二", "上星社区"],
        ["乙公司", "12.5", "上星社区"]])
    assert issues(load_roster(street, f, "enterprises")) == [
        ("B2", "职工人数", "number"), ("B3", "职工人数", "integer")]
    f = write_csv(tmp_path / "b.csv", [["楼栋名称", "出租屋"], ["一号楼", "也许"]])
    assert issues(load_roster(street, f, "buildings")) == [("B2", "出租屋", "boolean")]


def test_duplicate_ids_in_the_file(street: EmbeddedStore, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "r.csv", [HEAD, member("甲", A), member("乙", B),
                                       member("甲二", A.lower())])
    assert issues(load_roster(street, f, "party_members")) == [
        ("C4", "公民身份号码", "duplicate_id")]
    f = write_csv(tmp_path / "o.csv", [["编号", "党支部名称", "组织类别"],
                                       ["x1", "一支部", "党支部"], ["x1", "二支部", "党支部"]])
    assert issues(load_roster(street, f, "party_orgs")) == [("A3", "编号", "duplicate_id")]


def test_person_without_id_or_id_number(street: EmbeddedStore, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "r.csv", [HEAD, member("甲", "")])
    assert issues(load_roster(street, f, "party_members")) == [(None, "编号", "missing_id")]


def test_ambiguous_name_asks_for_the_id(street: EmbeddedStore, tmp_path: Path) -> None:
    street.upsert([{"id": "br9", "labels": ["Branch"], "properties": {"name": "上星第一支部"}}])
    f = write_csv(tmp_path / "r.csv", [HEAD, member("甲", A)])
    report = load_roster(street, f, "party_members")
    assert issues(report) == [("F2", "所在党组织", "ambiguous_reference")]
    assert "br1" in report.issues[0].message_en and "br9" in report.issues[0].message_en
    f = write_csv(tmp_path / "r2.csv", [HEAD, member("甲", A, org="br9")])
    assert load_roster(street, f, "party_members").ok


def test_missing_required_column_and_unknown_column(street: EmbeddedStore,
                                                    tmp_path: Path) -> None:
    f = write_csv(tmp_path / "r.csv", [["姓名", "身份证号", "入党日期", "爱好"],
                                       ["甲", A, "2001-07-01", "下棋"]])
    report = load_roster(street, f, "party_members")
    assert [(i.header, i.rule, i.severity) for i in report.issues] == [
        ("所在党组织", "missing_column", "error"), ("爱好", "unknown_column", "warning")]


def test_sensitive_values_are_masked_in_the_report(street: EmbeddedStore,
                                                   tmp_path: Path) -> None:
    bad = A[:17] + ("0" if A[17] != "0" else "1")
    f = write_csv(tmp_path / "r.csv", [HEAD, member("甲", bad)])
    report = load_roster(street, f, "party_members")
    assert report.issues[0].value == bad[:6] + "********" + bad[-4:]
    assert bad not in str(report.to_dict())


# ------------------------------------------------------------ files
def test_gbk_csv_with_a_title_row(street: EmbeddedStore, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "gbk.csv", [["上星社区党员花名册（2026年6月）"], [], HEAD,
                                         member("欧阳晓燕", F)],
                  encoding="gbk")
    assert open_table(f).encoding == "gb18030"
    report = load_roster(street, f, "party_members", as_of="2026-06-30")
    assert report.ok, report.lines()
    node = street.get_node(person_id(id_key(street), F))
    assert (node.name, node.properties["gender"], node.properties["birth_date"]) == (
        "欧阳晓燕", "female", "1980-01-01")


@pytest.mark.parametrize("encoding, delimiter", [("utf-8-sig", ","), ("utf-16", "\t"),
                                                 ("gb18030", ","), ("utf-8", ";")])
def test_other_encodings_and_delimiters(street: EmbeddedStore, tmp_path: Path,
                                        encoding: str, delimiter: str) -> None:
    f = write_csv(tmp_path / "r.csv", [HEAD, member("司马懿", A)], encoding, delimiter)
    report = load_roster(street, f, "party_members")
    assert report.ok and report.changes["nodes_added"] == 1


def test_unknown_encoding_is_refused(street: EmbeddedStore, tmp_path: Path) -> None:
    f = tmp_path / "r.csv"
    f.write_bytes("姓名,所在党组织\n".encode() + bytes([0x81, 0x30, 0xFF, 0xFE, 0x00]) * 10)
    report = load_roster(street, f, "party_members")
    assert issues(report) == [(None, None, "encoding")]


def test_encoding_change_after_the_sniffed_part(street: EmbeddedStore, tmp_path: Path) -> None:
    f = tmp_path / "r.csv"
    rows = [",".join(member("甲", idn(f"4403061980010{1 + i // 1000}{i % 1000:03d}")))
            for i in range(3000)]
    f.write_bytes((",".join(HEAD) + "\n" + "\n".join(rows) + "\n").encode()
                  + ",".join(member("乙", B)).encode("gbk"))
    report = load_roster(street, f, "party_members")
    assert [i.rule for i in report.issues] == ["encoding"]
    assert "3002" in report.issues[0].message_en


def test_xlsx_number_cells_dates_and_id_number_stored_as_number(street: EmbeddedStore,
                                                                tmp_path: Path) -> None:
    import datetime as dt

    f = write_xlsx(tmp_path / "r.xlsx", {"党员": [
        HEAD, ["甲", "男", A, 13812345678, dt.datetime(2001, 7, 1), "上星第一支部", "书记"],
        ["乙", "男", 440306198202020020, 13812345678, "2001-07-01", "上星第一支部", ""]]})
    report = load_roster(street, f, "party_members")
    assert issues(report) == [("C3", "公民身份号码", "id_number_as_number")]
    f = write_xlsx(tmp_path / "ok.xlsx", {"党员": [HEAD, [
        "甲", "男", A, 13812345678, dt.datetime(2001, 7, 1), "上星第一支部", "书记"]]})
    report = load_roster(street, f, "party_members", as_of="2026-06-30")
    assert report.ok
    key = id_key(street)
    node = street.get_node(person_id(key, A))
    assert (node.properties["phone"], node.properties["joined_party_on"]) == (
        "13812345678", "2001-07-01")
    # a first membership without 转入日期 began when the member joined the party; the
    # secretary's role is known from this roster (no 任职时间): two stints
    stints = sorted((n.rel.properties.get("since"), n.rel.properties.get("until"),
                     n.rel.properties["role"])
                    for n in street.neighbours(node.id, ["MEMBER_OF"], "out"))
    assert stints == [("2001-07-01", "2026-06-30", "member"), ("2026-06-30", None, "secretary")]


def test_xlsx_sheets_title_row_empty_sheet_and_formulas(street: EmbeddedStore,
                                                        tmp_path: Path) -> None:
    f = write_xlsx(tmp_path / "r.xlsx", {
        "说明": [], "一支部": [["上星第一支部党员名册"], HEAD, member("甲", A)],
        "二支部": [HEAD, member("乙", B)]}, merge=[("一支部", "A1:G1")])
    report = load_roster(street, f, "party_members")
    assert report.ok and report.sheets == ["一支部", "二支部"] and report.rows == 2
    f = write_xlsx(tmp_path / "f.xlsx", {"党员": [HEAD, member("甲", A)[:6] + ['="书"&"记"']]})
    report = load_roster(street, f, "party_members")
    assert issues(report) == [("G2", "党内职务", "formula")]


def test_merged_header_cells_are_refused(street: EmbeddedStore, tmp_path: Path) -> None:
    f = write_xlsx(tmp_path / "r.xlsx", {"党员": [
        HEAD[:5] + ["所在党组织", ""], member("甲", A)]}, merge=[("党员", "F1:G1")])
    report = load_roster(street, f, "party_members")
    assert ("F1", "merged_header") in [(c, r) for c, _, r in issues(report)]


@pytest.mark.parametrize("content, name, rule", [
    (b"PK\x03\x04 not really a zip", "r.xlsx", "corrupt_xlsx"),
    (b"\xd0\xcf\x11\xe0 old excel", "r.xls", "xls"),
    (b"", "r.xlsx", "corrupt_xlsx"),
    (b"{}", "r.json", "file_type"),
])
def test_unreadable_files(street: EmbeddedStore, tmp_path: Path, content: bytes, name: str,
                          rule: str) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    report = load_roster(street, f, "party_members")
    assert [i.rule for i in report.issues] == [rule]


def test_truncated_xlsx_is_corrupt(street: EmbeddedStore, tmp_path: Path) -> None:
    f = write_xlsx(tmp_path / "r.xlsx", {"党员": [HEAD, member("甲", A)]})
    data = f.read_bytes()
    f.write_bytes(data[: len(data) // 2])
    assert [i.rule for i in load_roster(street, f, "party_members").issues] == ["corrupt_xlsx"]


def test_empty_files(street: EmbeddedStore, tmp_path: Path) -> None:
    f = write_xlsx(tmp_path / "r.xlsx", {"Sheet1": []})
    assert [i.rule for i in load_roster(street, f, "party_members").issues] == ["no_header"]
    f = write_csv(tmp_path / "h.csv", [HEAD])
    assert [i.rule for i in load_roster(street, f, "party_members").issues] == ["no_rows"]
    f = tmp_path / "e.csv"
    f.write_bytes(b"")
    assert [i.rule for i in load_roster(street, f, "party_members").issues] == ["no_header"]


def test_oversized_xlsx_sheet_is_refused_before_reading(street: EmbeddedStore, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    f = write_xlsx(tmp_path / "r.xlsx", {"党员": [HEAD] + [member("甲", A)] * 200})
    monkeypatch.setattr(tables, "MAX_XLSX_SHEET_BYTES", 4096)
    report = load_roster(street, f, "party_members")
    assert [i.rule for i in report.issues] == ["too_large"]
    assert "CSV" in report.issues[0].message_zh


def test_issue_workbook_marks_the_bad_cells(street: EmbeddedStore, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    f = write_xlsx(tmp_path / "r.xlsx", {"党员": [HEAD, member("甲", A),
                                                member("乙", B, phone="123")]})
    report = load_roster(street, f, "party_members")
    out = write_issue_workbook(report, open_table(f), tmp_path / "marked.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == ["错误清单", "党员"]
    listing = [[c.value for c in row] for row in wb["错误清单"].iter_rows()]
    assert listing[1][:5] == ["党员", "D3", "手机号码", "***", "phone"]
    bad = wb["党员"]["D3"]
    assert bad.fill.fgColor.rgb.endswith("FFC7CE") and "手机号码" in bad.comment.text
    assert wb["党员"]["D2"].comment is None and wb["党员"]["A3"].value == "乙"


# ------------------------------------------------------------ writing
def test_one_bad_row_writes_nothing(store: GraphStore, tmp_path: Path) -> None:
    store.upsert(*tiny_street())
    before = snapshot(store)
    f = write_csv(tmp_path / "r.csv", [HEAD, member("甲", A), member("乙", B),
                                       member("丙", C, joined="2001-7-32"), member("丁", D)])
    report = load_roster(store, f, "party_members")
    assert issues(report) == [("E4", "入党日期", "date")] and not report.written
    assert snapshot(store) == before and store.get_meta(ID_KEY_META) is None


def test_incremental_update_ends_what_disappeared(store: GraphStore, tmp_path: Path) -> None:
    """v1 (2026-01-01): 甲 乙 丙 in 上星第一支部. v2 (2026-06-30): 甲 has a new phone, 乙 is
    gone, 丙 is unchanged, 丁 is new. 张三 (p1, already in the graph as the branch's
    secretary) is in neither roster: the branch is named, so his membership ends too."""
    from queries.lookups import org_members

    store.upsert(*tiny_street())
    v1 = write_csv(tmp_path / "v1.csv", [HEAD, member("甲", A), member("乙", B),
                                         member("丙", C, role="书记")])
    r1 = load_roster(store, v1, "party_members", as_of="2026-01-01")
    # three memberships, and 丙 a member (since joining) before the secretary's stint
    assert r1.ok and r1.changes["nodes_added"] == 3 and r1.changes["rels_added"] == 4
    assert r1.changes["rels_ended"] == 1  # 张三
    key = id_key(store)
    a, b, c, d = (person_id(key, x) for x in (A, B, C, D))
    v2 = write_csv(tmp_path / "v2.csv", [HEAD, member("甲", A, phone="13900000000"),
                                         member("丙", C, role="书记"), member("丁", D)])
    r2 = load_roster(store, v2, "party_members", as_of="2026-06-30")
    assert r2.changes == {"nodes_added": 1, "nodes_updated": 1, "nodes_unchanged": 1,
                          "rels_added": 1, "rels_updated": 0, "rels_unchanged": 2,
                          "rels_ended": 1}
    assert store.get_node(a).properties["phone"] == "13900000000"
    assert store.get_node(b).name == "乙"  # kept: only the membership ends
    (mb,) = store.neighbours(b, ["MEMBER_OF"], "out")
    # joined 2001-07-01, their first membership: it began then (入党日期)
    assert mb.rel.properties == {"role": "member", "since": "2001-07-01", "until": "2026-06-30"}
    (md,) = store.neighbours(d, ["MEMBER_OF"], "out")
    # 丁 joined in 2001 but the January roster did not list him: he came after it
    assert md.rel.properties["since"] == "2026-06-30"
    march = {m.person.id for m in org_members(store, "br1", as_of="2026-03-01")}
    july = {m.person.id for m in org_members(store, "br1", as_of="2026-07-01")}
    assert march == {a, b, c} and july == {a, c, d}
    before = snapshot(store)
    r3 = load_roster(store, v2, "party_members", as_of="2026-07-31")
    assert r3.changes == {"nodes_added": 0, "nodes_updated": 0, "nodes_unchanged": 3,
                          "rels_added": 0, "rels_updated": 0, "rels_unchanged": 3,
                          "rels_ended": 0}
    assert snapshot(store) == before
    # 乙 comes back in August: a new membership, the old one stays ended
    v4 = write_csv(tmp_path / "v4.csv", [HEAD, member("甲", A, phone="13900000000"),
                                         member("乙", B), member("丙", C, role="书记"),
                                         member("丁", D)])
    assert load_roster(store, v4, "party_members", as_of="2026-08-01").changes[
        "rels_added"] == 1
    stints = sorted((n.rel.properties.get("since"), n.rel.properties.get("until"))
                    for n in store.neighbours(b, ["MEMBER_OF"], "out"))
    assert stints == [("2001-07-01", "2026-06-30"), ("2026-08-01", None)]


def test_partial_roster_keeps_the_rest(store: GraphStore, tmp_path: Path) -> None:
    store.upsert(*tiny_street())
    f = write_csv(tmp_path / "r.csv", [HEAD, member("甲", A)])
    report = load_roster(store, f, "party_members", as_of="2026-06-30", end_missing=False)
    assert report.changes["rels_ended"] == 0
    (m,) = store.neighbours("p1", ["MEMBER_OF"], "out")
    assert "until" not in m.rel.properties


def test_dry_run_reports_changes_and_writes_nothing(store: GraphStore, tmp_path: Path) -> None:
    store.upsert(*tiny_street())
    before = snapshot(store)
    f = write_csv(tmp_path / "r.csv", [HEAD, member("甲", A)])
    report = load_roster(store, f, "party_members", dry_run=True)
    assert report.ok and not report.written
    assert (report.changes["nodes_added"], report.changes["rels_added"],
            report.changes["rels_ended"]) == (1, 1, 1)
    assert snapshot(store) == before


def test_one_person_in_two_rosters_is_one_node(store: GraphStore, tmp_path: Path) -> None:
    store.upsert(*tiny_street())
    res = write_csv(tmp_path / "res.csv", [["姓名", "身份证号", "住址", "居住楼栋", "户籍人口"],
                                           ["甲", A, "上星社区上星一巷1号", "上星一巷1号", "是"]])
    assert load_roster(store, res, "居民", as_of="2026-06-30").ok
    pm = write_csv(tmp_path / "pm.csv", [HEAD, member("甲", A)])
    assert load_roster(store, pm, "党员", as_of="2026-06-30").ok
    key = id_key(store)
    node = store.get_node(person_id(key, A))
    assert set(node.labels) == {"Person", "Resident", "PartyMember"}
    assert node.properties["address"] == "上星社区上星一巷1号"  # kept from the first roster
    assert node.properties["household_registered"] is True
    assert {n.rel.type for n in store.neighbours(node.id, direction="out")} == {
        "LIVES_IN", "MEMBER_OF"}


def test_party_orgs_reference_rows_later_in_the_file(store: GraphStore, tmp_path: Path) -> None:
    store.upsert(*tiny_street())
    f = write_csv(tmp_path / "o.csv", [
        ["党组织名称", "组织类别", "上级党组织", "成立日期"],
        ["上星第一支部第一党小组", "党小组", "上星第二支部", "2020-01-01"],
        ["上星第二支部", "党支部", "上星社区党委", "2015-05-01"]])
    report = load_roster(store, f, "party_orgs", as_of="2026-06-30")
    assert report.ok, report.lines()
    groups = list(store.nodes("PartyGroup"))
    assert [g.name for g in groups] == ["上星第一支部第一党小组"]
    (up,) = store.neighbours(groups[0].id, ["SUB_ORG_OF"], "out")
    assert up.node.name == "上星第二支部" and up.node.has("Branch")
    (up2,) = store.neighbours(up.node.id, ["SUB_ORG_OF"], "out")
    assert up2.node.id == "cc1"


def test_posts_roster_names_existing_people(store: GraphStore, tmp_path: Path) -> None:
    store.upsert(*tiny_street())
    store.upsert([{"id": "rc1", "labels": ["ResidentsCommittee"],
                   "properties": {"name": "上星社区居委会"}}])
    f = write_csv(tmp_path / "p.csv", [["人员编号", "姓名", "任职单位", "职务名称", "任职日期"],
                                       ["p1", "张三", "上星社区居委会", "主任", "2021-05-01"],
                                       ["p1", "李四", "上星社区居委会", "委员", ""],
                                       ["p9", "王五", "上星社区居委会", "委员", ""]])
    report = load_roster(store, f, "posts")
    assert issues(report) == [(None, "姓名", "name_mismatch"), (None, "人员编号", "reference")]
    f = write_csv(tmp_path / "p2.csv", [["人员编号", "姓名", "任职单位", "职务名称", "任职日期"],
                                        ["p1", "张三", "上星社区居委会", "主任", "2021-05-01"]])
    assert load_roster(store, f, "职务", as_of="2026-06-30").ok
    (post,) = store.neighbours("p1", ["HOLDS_POST"], "out")
    assert post.node.id == "rc1" and post.rel.properties == {"title": "主任",
                                                             "since": "2021-05-01"}


def test_template_filled_in_loads(street: EmbeddedStore, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from loaders.xlsx import write_template

    path = write_template("party_members", tmp_path / "t.xlsx")
    wb = load_workbook(path)
    ws = wb["党员"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["编号", "姓名*", "性别"] and "所在党组织*" in headers
    assert ws["D2"].value == "110105********002X"  # a sample, never a real number
    ws.delete_rows(2)
    values = {"姓名*": "甲", "公民身份号码": A, "入党日期*": "2001-07-01",
              "所在党组织*": "上星第一支部", "性别": "男"}
    ws.append([values.get(h) for h in headers])
    wb.save(path)
    report = load_roster(street, path, "party_members")
    assert report.ok and report.changes["nodes_added"] == 1, report.lines()
    assert "填写说明" not in report.sheets


def test_grids_and_deployed_staff(store: GraphStore, tmp_path: Path) -> None:
    """Grid kinds by their Chinese names; a deployed officer moved to another community
    ends the first deployment (one current community per person)."""
    store.upsert(*tiny_street())
    store.upsert([{"id": "c2", "labels": ["Community"], "properties": {"name": "新二社区"}},
                  {"id": "d1", "labels": ["Department"], "properties": {"name": "城管执法队"}}])
    grids = write_csv(tmp_path / "g.csv", [
        ["网格编号", "网格名称", "网格类型", "面积(平方公里)", "所在社区", "上级网格"],
        ["g-b1", "上星第1基础网格", "基础网格", "0.08", "上星社区", ""],
        ["g-p1", "上星警格", "警格", "", "上星社区", ""],
        ["g-x", "错类型", "大网格", "", "上星社区", ""]])
    report = load_roster(store, grids, "网格")
    assert issues(report) == [("C4", "网格类型", "enum")]
    grids.write_text("\n".join(grids.read_text(encoding="utf-8").splitlines()[:3]) + "\n",
                     encoding="utf-8")
    assert load_roster(store, grids, "grids", as_of="2026-01-01").ok
    g = store.get_node("g-p1")
    assert (g.properties["kind"], store.get_node("g-b1").properties["area_km2"]) == (
        "police", 0.08)
    head = ["姓名", "身份证号", "用工性质", "派出部门", "下沉社区", "下沉日期", "负责网格"]
    v1 = write_csv(tmp_path / "s1.csv", [head, ["王", A, "公务员", "城管执法队", "上星社区",
                                                "2025-03-01", "上星第1基础网格"]])
    assert load_roster(store, v1, "deployed_staff", as_of="2026-01-01").ok
    v2 = write_csv(tmp_path / "s2.csv", [head, ["王", A, "公务员", "城管执法队", "新二社区",
                                                "", ""]])
    assert load_roster(store, v2, "deployed_staff", as_of="2026-06-30").ok
    key = id_key(store)
    stints = sorted((n.node.id, n.rel.properties.get("since"), n.rel.properties.get("until"))
                    for n in store.neighbours(person_id(key, A), ["DEPLOYED_TO"], "out"))
    assert stints == [("c1", "2025-03-01", "2026-06-30"), ("c2", "2026-06-30", None)]
    assert store.get_node(person_id(key, A)).properties["employment"] == "civil_servant"


def test_buildings_and_enterprises(street: EmbeddedStore, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "b.csv", [["楼栋名称", "出租屋", "层数", "所属居民小组"],
                                       ["上星一巷2号", "是", "8", "上星一组"]])
    assert load_roster(street, f, "楼栋").ok
    (b,) = [n for n in street.nodes("Building") if n.name == "上星一巷2号"]
    assert (b.properties["rental"], b.properties["floors"]) == (True, 8)
    (up,) = street.neighbours(b.id, ["PART_OF"], "out")
    assert up.node.id == "rg1" and up.rel.properties == {}
    f = write_csv(tmp_path / "e.csv", [["统一社会信用代码", "企业名称", "职工人数", "所在社区"],
                                       ["91440300MA5X", "新桥电子", "1,200", "c1"]])
    assert load_roster(street, f, "企业").ok
    e = street.get_node("91440300MA5X")
    assert e.properties == {"name": "新桥电子", "employees": 1200}
    assert [n.node.id for n in street.neighbours(e.id, ["IN"], "out")] == ["c1"]


# ------------------------------------------------------------ 两长两员 and grid workers
def test_building_heads_roster_one_person_several_buildings(store: GraphStore,
                                                            tmp_path: Path) -> None:
    """楼栋长: a row per building; 甲 heads two. The next roster gives 二号楼 to 乙: 甲's
    HEADS of it ends on that roster's date, his 一号楼 stays."""
    store.upsert(*tiny_street())
    store.upsert([{"id": "b2", "labels": ["Building"], "properties": {"name": "上星一巷2号"}}])
    head = ["姓名", "身份证号", "联系电话", "负责楼栋", "任职日期"]
    v1 = write_csv(tmp_path / "h1.csv", [head,
                                         ["甲", A, "13812345678", "上星一巷1号", "2022-03-01"],
                                         ["甲", A, "", "上星一巷2号", "2023-05-01"]])
    r1 = load_roster(store, v1, "楼栋长", as_of="2026-01-01")
    assert r1.ok and (r1.changes["nodes_added"], r1.changes["rels_added"]) == (1, 2), r1.lines()
    v2 = write_csv(tmp_path / "h2.csv", [head, ["甲", A, "", "上星一巷1号", "2022-03-01"],
                                         ["乙", B, "", "上星一巷2号", ""]])
    r2 = load_roster(store, v2, "building_heads", as_of="2026-06-30")
    assert r2.ok and r2.changes["rels_ended"] == 1 and r2.changes["rels_added"] == 1
    people = {n.name: n.id for n in store.nodes("BuildingHead")}
    heads = sorted((n.node.id, n.rel.properties.get("since"), n.rel.properties.get("until"))
                   for p in people.values() for n in store.neighbours(p, ["HEADS"], "out"))
    assert heads == [("b1", "2022-03-01", None), ("b2", "2023-05-01", "2026-06-30"),
                     ("b2", "2026-06-30", None)]
    clash = write_csv(tmp_path / "h3.csv", [head, ["甲", A, "13812345678", "上星一巷1号", ""],
                                            ["甲", A, "13900000000", "上星一巷2号", ""]])
    assert [(i.cell, i.rule) for i in load_roster(store, clash, "楼栋长").issues] == [
        ("C3", "conflicting_rows")]


def test_a_grid_no_longer_on_a_workers_rows_is_ended(store: GraphStore, tmp_path: Path
                                                     ) -> None:
    """网格员: a row per grid. 甲 looked after 一格 and 二格; the next roster lists him
    with 一格 only, and nobody with 二格 (merged into another grid). His rows are all his
    grids: 二格 ends on that roster's date (before: it stayed his, since no row named
    二格). 乙, not on the roster at all, keeps 三格: the roster is not about him."""
    store.upsert(*tiny_street())
    store.upsert([{"id": g, "labels": ["Grid"], "properties": {"name": n, "kind": "base"}}
                  for g, n in (("g1", "上星一格"), ("g2", "上星二格"), ("g3", "上星三格"))])
    head = ["姓名", "身份证号", "负责网格", "任职日期"]
    v1 = write_csv(tmp_path / "w1.csv", [head, ["甲", A, "上星一格", "2024-01-01"],
                                         ["甲", A, "上星二格", "2024-01-01"],
                                         ["乙", B, "上星三格", "2024-01-01"]])
    assert load_roster(store, v1, "网格员", as_of="2026-01-01").ok
    v2 = write_csv(tmp_path / "w2.csv", [head, ["甲", A, "上星一格", ""]])
    r2 = load_roster(store, v2, "grid_workers", as_of="2026-06-30")
    assert r2.ok and (r2.changes["rels_ended"], r2.changes["rels_added"]) == (1, 0)
    people = {n.name: n.id for n in store.nodes("GridWorker")}
    grids = sorted((p, n.node.id, n.rel.properties.get("until"))
                   for p, pid in people.items()
                   for n in store.neighbours(pid, ["RESPONSIBLE_FOR"], "out"))
    assert grids == [("乙", "g3", None), ("甲", "g1", None), ("甲", "g2", "2026-06-30")]
    again = load_roster(store, v2, "grid_workers", as_of="2026-06-30")
    assert again.ok and again.changes["rels_ended"] == 0


@pytest.mark.parametrize("kind, label, rel_type, column, target", [
    ("shop_managers", "ShopManager", "WORKS_AT", "所在门店", "ent1"),
    ("property_staff", "PropertyStaff", "WORKS_AT", "所在物业公司", "pc1"),
    ("security_guards", "SecurityGuard", "WORKS_AT", "所在单位", "ent1"),
    ("grid_workers", "GridWorker", "RESPONSIBLE_FOR", "负责网格", "grid1"),
])
def test_the_other_role_rosters(street: EmbeddedStore, tmp_path: Path, kind: str, label: str,
                                rel_type: str, column: str, target: str) -> None:
    street.upsert([{"id": "ent1", "labels": ["Enterprise"], "properties": {"name": "星光商行"}},
                   {"id": "pc1", "labels": ["PropertyCompany"],
                    "properties": {"name": "新桥物业公司"}},
                   {"id": "grid1", "labels": ["Grid"],
                    "properties": {"name": "上星一格", "kind": "base"}}])
    name = street.get_node(target).name
    f = write_csv(tmp_path / "r.csv", [["姓名", "身份证号", column, "任职日期"],
                                       ["甲", A, name, "2024-01-01"]])
    report = load_roster(street, f, kind, as_of="2026-06-30")
    assert report.ok, report.lines()
    (p,) = street.nodes(label)
    (link,) = street.neighbours(p.id, [rel_type], "out")
    assert (link.node.id, link.rel.properties) == (target, {"since": "2024-01-01"})


def test_every_roster_kind_has_a_template_that_loads_back(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from loaders.roster_mapping import get_mapping, mapping_kinds
    from loaders.xlsx import write_template

    for kind, zh, _ in mapping_kinds():
        path = write_template(kind, tmp_path / f"{kind}.xlsx")
        wb = load_workbook(path)
        assert wb.sheetnames == [zh, "填写说明"]
        headers = [str(c.value).rstrip("*") for c in wb[zh][1]]
        assert headers == [c.header for c in get_mapping(kind).all_columns]
