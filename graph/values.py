"""A value as people type it, made into what the schema stores: the one place every
path (rosters, graph CSV, Popolo, the API, the store's own write) takes its rules from.

:func:`coerce` checks one value against its :class:`~graph.schema.PropertyDef`:
the type, an enum's codes with their Chinese display names and declared aliases,
booleans as 是/否, dates as ``2001-07-01``, ``2001/7/1``, ``2001年7月1日`` or, with
their precision kept, ``2009.05`` / ``1983年7月`` / ``1983``; the formats ``id_number``
(GB 11643), ``phone`` (mobile or landline) and ``name`` (NFKC, alignment spaces
out). A long number Excel turned into ``5.11025E+17`` is refused with what to do.
Besides the value it returns the companion properties the schema declares: a partial
date's ``<name>_precision``, a name's ``name_as_typed``, an enum alias kept in the
property the schema names (组织委员 → role ``committee``, title 组织委员).

>>> from graph.schema import get_schema
>>> s = get_schema()
>>> pm, rel = s.node_properties(("PartyMember", "Person")), s.relationships["MEMBER_OF"]
>>> coerce(pm["joined_party_on"], "2009.05")
Coerced(value='2009-05-01', companions={'joined_party_on_precision': 'month'})
>>> coerce(pm["gender"], "男").value, coerce(pm["full_member"], "预备党员").value
('male', False)
>>> coerce(rel.properties["role"], "组织委员")
Coerced(value='committee', companions={'title': '组织委员'})
>>> coerce(pm["phone"], "0755 2701 2345").value
'0755-27012345'
>>> coerce(pm["id_number"], "5.11025E+17")
Traceback (most recent call last):
...
graph.values.ValueProblem: the ID number was turned into 5.11025E+17 by Excel ...
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from graph.formats import (
    PHONE_SEPARATORS,
    check_id_number,
    excel_mangled,
    id_number_key,
    is_normal_name,
    normalise_name,
    normalise_phone,
    valid_id_number,
)
from graph.geo import parse_geometry

if TYPE_CHECKING:
    from graph.schema import PropertyDef

__all__ = ["Coerced", "ValueProblem", "coerce", "coerce_fast", "parse_date", "TRUE_WORDS",
           "FALSE_WORDS", "DATE_RANGE"]

TRUE_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "t", "是的", "有"})
FALSE_WORDS = frozenset({"否", "n", "no", "false", "0", "×", "✗", "f", "不是", "无"})
#: dates outside this range are typing mistakes (the API refuses them too)
DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2099, 12, 31))
_SEP = r"\s*[-/.年]\s*"
_DAY = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})\s*[-/.月]\s*(\d{{1,2}})\s*日?$")
_DAY8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})\s*月?(?:份)?$")
_MONTH6 = re.compile(r"^(\d{4})(\d{2})$")
_YEAR = re.compile(r"^(\d{4})\s*年?$")
_EXCEL_ZH = ("被 Excel 存成了数字（{shown}），后几位已丢失：请把该列设为“文本”格式，"
             "重新填写完整号码")
_EXCEL_EN = ("the {what} was turned into {shown} by Excel (stored as a number, its last "
             "digits are gone): format the column as Text and type the full number again")


class ValueProblem(ValueError):
    """A value its property refuses: ``rule`` (a short code) and why, in Chinese and
    English."""

    def __init__(self, rule: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.rule, self.zh, self.en = rule, zh, en


_NO_COMPANIONS: Mapping[str, Any] = MappingProxyType({})


class Coerced(NamedTuple):
    """A stored value and the companion properties it brings."""

    value: Any
    companions: Mapping[str, Any] = _NO_COMPANIONS


def parse_date(v: Any) -> tuple[str, str | None]:
    """A date as ISO text and its precision (None: a day; ``month``; ``year``, stored
    as the first day of the month or year). Raises ValueProblem.

    >>> parse_date("2001/7/1"), parse_date("20010701"), parse_date("1983年7月")
    (('2001-07-01', None), ('2001-07-01', None), ('1983-07-01', 'month'))
    >>> parse_date(dt.datetime(2001, 7, 1, 0, 0)), parse_date("1983年")
    (('2001-07-01', None), ('1983-01-01', 'year'))
    """
    if isinstance(v, dt.datetime):
        return _in_range(v.date()), None
    if isinstance(v, dt.date):
        return _in_range(v), None
    if isinstance(v, str):
        s = unicodedata.normalize("NFKC", v).strip()  # full-width digits made ASCII
        for pattern, precision in ((_DAY, None), (_DAY8, None), (_MONTH, "month"),
                                   (_MONTH6, "month"), (_YEAR, "year")):
            m = pattern.match(s)
            if m is None:
                continue
            parts = [int(x) for x in m.groups()] + [1] * (3 - len(m.groups()))
            try:
                day = dt.date(*parts)
            except ValueError:
                break
            return _in_range(day), precision
    raise ValueProblem("date", "不是有效日期（应为 2001-07-01、2001年7月1日，或只到月 2001.07）",
                       "must be a valid date YYYY-MM-DD (or a month, 2001-07)")


def excel_date_text(v: float) -> str:
    """A date a spreadsheet cell holds as a number, as text for :func:`parse_date`:
    1983 (a year), 198507 (a month), 19830701, an Excel serial day (39934), 2009.05 (a
    month typed 2009.05). Only for spreadsheet cells: elsewhere a number is not a date.

    >>> [parse_date(excel_date_text(v)) for v in (198507, 2009.05, 39934)]
    [('1985-07-01', 'month'), ('2009-05-01', 'month'), ('2009-05-01', None)]
    """
    if isinstance(v, float) and not v.is_integer():
        text = repr(v)
        if text.endswith(".1"):  # 2009.10 and 2009.1 are both stored as 2009.1
            raise ValueProblem(
                "excel_number", "被 Excel 存成了数字：2009.10（10月）和 2009.1（1月）都会存成"
                "2009.1，无法分辨：请把该列设为“文本”格式后重新填写",
                "Excel stored the month as a number (2009.10 and 2009.1 both become 2009.1): "
                "format the column as Text and type it again")
        return text
    n = int(v)
    if 10_000 <= n <= 99_999:  # an Excel serial day (1 = 1900-01-01, with its 1900 bug)
        return (dt.date(1899, 12, 30) + dt.timedelta(days=n)).isoformat()
    return str(n)


def _in_range(d: dt.date) -> str:
    lo, hi = DATE_RANGE
    if not lo <= d <= hi:
        raise ValueProblem("date", f"日期超出 {lo.year}–{hi.year} 年的范围",
                           f"must be a valid date between {lo} and {hi}")
    return d.isoformat()


def _excel(what_zh: str, what_en: str, shown: str) -> ValueProblem:
    rule = "id_number_as_number" if what_en == "ID number" else "excel_number"
    return ValueProblem(rule, what_zh + _EXCEL_ZH.format(shown=shown),
                        _EXCEL_EN.format(what=what_en, shown=shown))


def _number_text(v: Any) -> str | None:
    """An integer-valued number as digits (a phone Excel stored as a number)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float) and math.isfinite(v) and v.is_integer():
        return str(int(v))
    return None


def coerce(p: PropertyDef, v: Any) -> Coerced:
    """The stored value of a non-empty ``v`` for property ``p``; raises ValueProblem."""
    value, companions = coerce_fast(p, v)
    return Coerced(value, companions) if companions else Coerced(value)


def coerce_fast(p: PropertyDef, v: Any) -> tuple[Any, dict[str, Any] | None]:
    """:func:`coerce` as ``(value, companions or None)``: the write path's hot loop
    (a value already in its stored form returns at once)."""
    t = p.type
    if t == "string":
        if type(v) is str and p.enum is None:
            fmt = p.format
            if fmt is None:
                return v.strip(), None
            if fmt == "name" and is_normal_name(v):
                return v, None
            if fmt == "phone" and len(v) == 11 and v.isascii() and v.isdigit() and (
                    v[0] == "1" and v[1] in "3456789"):
                return v, None
            if fmt == "id_number" and valid_id_number(v):
                return v, None
        return _string(p, v)
    if t == "date":
        if type(v) is str and len(v) == 10 and v[4] == "-" and v[7] == "-" and v.isascii():
            try:
                dt.date.fromisoformat(v)
            except ValueError:
                pass
            else:
                if _LO <= v <= _HI:
                    return v, None
        value, precision = parse_date(v)
        return value, ({f"{p.name}_precision": precision} if precision else None)
    if t == "boolean":
        return (v if type(v) is bool else _boolean(p, v)), None
    if t in ("integer", "float"):
        if t == "integer" and type(v) is int:
            return v, None
        if t == "float" and type(v) is float and math.isfinite(v):
            return v, None
        return _number(t, v), None
    if t == "geojson":
        try:
            return parse_geometry(v), None
        except ValueError as e:
            raise ValueProblem("geometry", f"不是有效的边界：{e}", str(e)) from None
    raise AssertionError(f"unhandled property type {t}")  # schema load forbids this


_LO, _HI = DATE_RANGE[0].isoformat(), DATE_RANGE[1].isoformat()


def _string(p: PropertyDef, v: Any) -> tuple[Any, dict[str, Any] | None]:
    fmt = p.format
    if not isinstance(v, str):
        digits = _number_text(v)
        if fmt == "id_number" and isinstance(v, float):
            raise _excel("身份证号", "ID number", f"{v:.6g}")
        if fmt == "id_number" and isinstance(v, int) and not isinstance(v, bool):
            raise ValueProblem("id_number_as_number",
                               "身份证号应填写为文字（文本格式），不能是数字",
                               "the ID number must be text, not a number")
        if digits is None or fmt != "phone":
            raise ValueProblem("wrong_type", "应为文字",
                               f"must be a string, got {type(v).__name__}")
        v = digits
    s = v.strip()
    if fmt in ("id_number", "phone") and excel_mangled(s):
        raise _excel("身份证号" if fmt == "id_number" else "电话号码",
                     "ID number" if fmt == "id_number" else "phone number", s)
    if p.enum is not None:
        return _enum(p, s)
    if fmt == "id_number":
        s = id_number_key(s)
        why = check_id_number(s)
        if why is not None:
            raise ValueProblem("id_number", "不是有效的公民身份号码（GB 11643）", why)
        return s, None
    if fmt == "phone":
        phone = normalise_phone(s)
        parts = [x for x in PHONE_SEPARATORS.split(s) if x]
        if phone is None and len(parts) > 1 and all(normalise_phone(x) for x in parts):
            raise ValueProblem(
                "phone", f"一格填了 {len(parts)} 个号码：请只留一个（另一个可写在备注里）",
                f"holds {len(parts)} numbers: keep one (note the other elsewhere)")
        if phone is None:
            raise ValueProblem(
                "phone",
                "不是有效的电话号码（手机 11 位，以 13-19 开头；座机带区号，如 0755-27012345）",
                "not a phone number: a mobile (11 digits starting 13-19) or a landline with "
                "its area code (0755-27012345)")
        return phone, None
    if fmt == "name":
        name = normalise_name(s)
        if not name:
            raise ValueProblem("required", "不能为空", "must not be empty")
        return name, ({"name_as_typed": v} if name != v else None)
    return s, None


def _enum(p: PropertyDef, s: str) -> tuple[Any, dict[str, Any] | None]:
    assert p.enum is not None
    if s in p.enum:  # already a code
        return s, None
    hit = _ENUM_SEEN.get((id(p), s))
    if hit is not None and hit[0] is p:  # a roster's 男 / 委员 a hundred thousand times
        return hit[1], (dict(hit[2]) if hit[2] else None)
    found, companions = _enum_word_or_post(p, s)
    if len(_ENUM_SEEN) > 10_000:
        _ENUM_SEEN.clear()
    _ENUM_SEEN[(id(p), s)] = (p, found, companions)
    return found, (dict(companions) if companions else None)


#: (id of the property, text) -> (the property, its code, companions): the words seen
_ENUM_SEEN: dict[tuple[int, str], tuple[PropertyDef, Any, dict[str, Any] | None]] = {}


def _enum_word_or_post(p: PropertyDef, s: str) -> tuple[Any, dict[str, Any] | None]:
    assert p.enum is not None
    low = s.lower()
    found = _enum_word(p, s)
    if found is None and p.typed_into:
        # a post written with another (支部书记兼组织委员, 书记、主任) or with a note
        # (委员（组织）): the highest it names (aliases are listed highest first)
        codes = [c for part in _PARTS.split(_BRACKET_NOTE.sub("", s))
                 if part and (c := _enum_word(p, part)) is not None]
        order = list(p.aliases or {}) + list(p.enum)
        found = min(codes, key=order.index) if codes else None
        if found is not None:
            return found, ({p.typed_into: s} if found not in p.untyped else None)
    if found is not None:
        alias = s not in (found, p.enum.get(found)) and low != found.lower()
        keep = alias and p.typed_into and found not in p.untyped
        return found, ({p.typed_into: s} if keep else None)  # type: ignore[dict-item]
    shown = "、".join(p.enum.values())
    examples = [a for words in (p.aliases or {}).values() for a in words[:1]]
    more = f"（也可写{'、'.join(examples)}等）" if examples else ""
    raise ValueProblem("enum", f"应为以下之一：{shown}{more}",
                       f"must be one of {sorted(p.enum)} ({', '.join(p.enum.values())})")


_PARTS = re.compile(r"[兼、，,/／;；\s]+")
_BRACKET_NOTE = re.compile(r"[（(][^）)]*[）)]")


def _enum_word(p: PropertyDef, s: str) -> str | None:
    """The code a word names: the code, its Chinese name, or one of its aliases."""
    assert p.enum is not None
    low = s.lower()
    for code, zh in p.enum.items():
        if s == zh or low == code.lower():
            return code
    for code, aliases in (p.aliases or {}).items():
        if s in aliases or low in aliases:
            return code
    return None


def _number(t: str, v: Any) -> int | float:
    if isinstance(v, bool):
        raise ValueProblem("number", "应为数字", "must be a number, got bool")
    num: float
    if isinstance(v, int | float):
        num = v
    elif isinstance(v, str):
        try:
            num = float(v.strip().replace(",", ""))
        except ValueError:
            raise ValueProblem("number", "应为数字", "must be a number, got str") from None
    else:
        raise ValueProblem("number", "应为数字", f"must be a number, got {type(v).__name__}")
    if not math.isfinite(num):
        raise ValueProblem("number", "应为有限的数字", "must be a finite number")
    if t == "integer":
        if isinstance(num, float) and not num.is_integer():
            raise ValueProblem("integer", "应为整数", "must be a whole number")
        return int(num)
    return float(num)


def _boolean(p: PropertyDef, v: Any) -> bool:
    if isinstance(v, bool):
        return v
    s = (_number_text(v) or "") if not isinstance(v, str) else v.strip()
    low = s.lower()
    extra = p.aliases or {}
    if low in TRUE_WORDS or s in extra.get("true", ()):
        return True
    if low in FALSE_WORDS or s in extra.get("false", ()):
        return False
    raise ValueProblem("boolean", "应为“是”或“否”",
                       f"must be true or false (是/否), got {type(v).__name__}")
