"""What the roster modules share: the party members' roster header, five ID numbers, a
member's row, and a report's errors as (cell, header, rule)."""

from __future__ import annotations

from typing import Any

from tests.rosters import idn

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


def issues(report: Any) -> list[tuple[str | None, str | None, str]]:
    return [(i.cell, i.header, i.rule) for i in report.issues if i.severity == "error"]
