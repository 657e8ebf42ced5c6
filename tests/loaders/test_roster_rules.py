"""Rosters: every validation rule, one test per rule. Each names the cell, the column and
the rule, with a message in both languages, and the roster it is in writes nothing;
sensitive values are masked in the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.embedded import EmbeddedStore
from loaders.roster import load_roster
from tests.loaders.roster_helpers import HEAD, A, B, issues, member
from tests.rosters import snapshot, write_csv


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
