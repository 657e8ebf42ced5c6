"""Rosters: the files they come in. Encodings (GBK with a title row, UTF-16, a change of
encoding past the sniffed part), delimiters, .xlsx sheets, number and date cells, merged
headers and formulas; unreadable, truncated, empty and oversized files; the workbook
that marks the bad cells.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from loaders import tables
from loaders.report import write_issue_workbook
from loaders.roster import load_roster, person_id
from loaders.tables import open_table
from tests.loaders.roster_helpers import HEAD, A, B, F, issues, member
from tests.rosters import id_key, idn, write_csv, write_xlsx


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
