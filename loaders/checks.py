"""Checks of personal identifiers in rosters (issue 6 builds its row validation on these).

Resident ID numbers follow GB 11643-1999: 6-digit region code, birth date YYYYMMDD,
3-digit sequence, and an ISO 7064 MOD 11-2 check character (0-9 or X).

>>> check_digit("11010519491231002")
'X'
>>> check_id_number("11010519491231002X")
>>> check_id_number("110105194912310021")
'check digit is 1, GB 11643 wants X'
>>> check_id_number("11010519491231002X", birth_date="1949-12-30")
'birth date 1949-12-31 in the ID number differs from birth_date 1949-12-30'
>>> check_phone("13812345678"), check_phone("12812345678")
(None, 'not a mainland mobile number (11 digits starting 13-19)')
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["check_digit", "check_id_number", "id_birth_date", "check_phone"]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    total = 0
    for c, w in zip(first17, _WEIGHTS, strict=True):
        total += (ord(c) - 48) * w
    return _CHECK[total % 11]


def id_birth_date(id_number: str) -> dt.date | None:
    """The birth date an 18-digit ID number carries, or None when it is no date."""
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def check_id_number(value: str, birth_date: str | None = None) -> str | None:
    """None when ``value`` is a valid 18-digit ID number (consistent with
    ``birth_date`` when given), else what is wrong (English; the caller names the row)."""
    v = value.strip().upper()
    if not _ID.match(v):
        return "must be 18 characters: 17 digits and a digit or X"
    born = id_birth_date(v)
    if born is None or not dt.date(1900, 1, 1) <= born <= dt.date.today():
        return f"birth date {v[6:14]} in the ID number is not a real date"
    want = check_digit(v[:17])
    if v[17] != want:
        return f"check digit is {v[17]}, GB 11643 wants {want}"
    if birth_date is not None and born.isoformat() != birth_date:
        return (f"birth date {born.isoformat()} in the ID number differs from "
                f"birth_date {birth_date}")
    return None


def check_phone(value: str) -> str | None:
    """None for a mainland mobile number, else what is wrong."""
    return None if _MOBILE.match(value.strip()) else (
        "not a mainland mobile number (11 digits starting 13-19)")
