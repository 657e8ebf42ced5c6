"""Formats of personal identifiers and names, as the schema's ``format`` names them.

ID numbers (居民身份证号码) follow GB 11643-1999: 6-digit region code, birth date
YYYYMMDD, 3-digit sequence, and an ISO 7064 MOD 11-2 check character (0-9 or X).
Phones are mainland mobiles (11 digits, 13-19…) or landlines with their area code
(0755-27012345); spaces, hyphens and a +86 prefix are what people type, so they are
taken off. Names are compared and stored in NFKC with the spaces people use to align
two-character names (卢　芳) taken out.

>>> check_digit("11010519491231002")
'X'
>>> check_id_number("11010519491231002X"), check_id_number("110105194912310021")
(None, 'the check digit (the last character) is wrong (GB 11643)')
>>> normalise_phone("138 1234 5678"), normalise_phone("+86 138-1234-5678")
('13812345678', '13812345678')
>>> normalise_phone("0755 2701 2345"), normalise_phone("(0755)27012345-801")
('0755-27012345', '0755-27012345-801')
>>> normalise_phone("+372 631 6629"), normalise_phone("6316629")
('+3726316629', None)
>>> normalise_name("卢　芳"), normalise_name(" Ｊüri  Ratas "), normalise_name("张 三 丰")
('卢芳', 'Jüri Ratas', '张三丰')
>>> excel_mangled("5.11025E+17"), excel_mangled("440306199001011236")
(True, False)

Party organisations are written two ways: 中共上星社区第一支部委员会 in the records,
上星社区第一党支部 by the people who keep them. :func:`short_org_name` gives the second
from the first; :func:`org_key` reduces both to one key.

>>> org_key("中共上星社区第一支部委员会") == org_key("上星社区第一党支部")
True
>>> org_key("中共新桥街道上星社区委员会"), org_key("上星社区党委")
('新桥街道上星社区委', '上星社区委')
>>> org_key("中共新桥街道工作委员会") == org_key("新桥街道党工委")
True
>>> for n in ("中共新桥街道上星社区委员会", "中共上星社区第一支部委员会", "中共新桥街道工作委员会",
...           "中共深圳市上星股份合作公司支部委员会", "中共上星社区东片总支部委员会"):
...     print(short_org_name(n))
上星社区党委
上星社区第一党支部
新桥街道党工委
上星股份合作公司党支部
上星社区东片党总支
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import time
import unicodedata
from typing import Any

__all__ = ["check_digit", "check_id_number", "valid_id_number", "id_number_key", "id_birth_date",
           "id_gender", "normalise_phone", "post_key",
           "check_phone", "normalise_name", "excel_mangled", "org_key", "short_org_name"]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII digits: \d takes full-width ones too
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_EXTENSION = re.compile(r"^(.*?\d)\s*(?:转|分机|ext\.?|x|#)\s*(\d{1,6})$", re.I)
_HYPHEN_EXTENSION = re.compile(r"^(.*\d)\s*-\s*(\d{1,6})$")
_NOTE = re.compile(r"\s*\([^()\d]*\)\s*$")  # a trailing (本人) (after NFKC: ASCII brackets)
#: what separates two numbers typed in one cell
PHONE_SEPARATORS = re.compile(r"\s*[/、,;，；]\s*|\s+或\s*")
_SERVICE = re.compile(r"^([48]00)(\d{3})(\d{4})$")  # 400 / 800 numbers
_PHONE_NOISE = re.compile(r"[\s\-()（）]")
# Excel shows a long number it stored as a float in scientific notation
_EXCEL = re.compile(r"^[+-]?\d(?:\.\d+)?E\+?\d+$", re.I)
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003ffff·•"
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")


_DIGITS = bytes.maketrans(b"0123456789", bytes(range(10)))


def check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits (of a million ID numbers in
    a load: the digits' weighted sum in C)."""
    if len(first17) != 17:
        raise ValueError("17 digits are needed")
    return _CHECK[sum(map(operator.mul, first17.encode().translate(_DIGITS), _WEIGHTS)) % 11]


def id_birth_date(id_number: str) -> dt.date | None:
    """The birth date an 18-digit ID number carries, or None when it is no date."""
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def id_number_key(value: str) -> str:
    """An ID number as stored: NFKC (full-width digits, as Chinese input methods type
    them, made ASCII), no spaces, an upper-case X.

    >>> id_number_key(" ４４０３０６ 199001011236 "), id_number_key("11010519491231002x")
    ('440306199001011236', '11010519491231002X')
    """
    # (a leading apostrophe is how Excel keeps a number as text)
    return unicodedata.normalize("NFKC", value).replace(" ", "").strip().lstrip("'").upper()


def id_gender(id_number: str) -> str | None:
    """The gender an ID number carries (its 17th digit: odd for men), or None.

    >>> id_gender("11010519491231002X"), id_gender("440306199001011236")
    ('female', 'male')
    """
    c = id_number[16:17]
    return None if not c.isdigit() else "male" if int(c) % 2 else "female"


def check_id_number(value: str, birth_date: str | None = None) -> str | None:
    """None when ``value`` is a valid 18-digit ID number (consistent with
    ``birth_date`` when given), else what is wrong (English; callers name the item).
    The reason never shows digits: with the masked value beside it (440306********1234)
    they would give the number back."""
    v = value.strip().upper()
    if not _ID.match(v):
        return "must be 18 characters: 17 digits and a digit or X"
    born = id_birth_date(v)
    if born is None or not dt.date(1900, 1, 1) <= born <= _today():
        return "the birth date in the ID number is not a real date"
    if v[17] != check_digit(v[:17]):
        return "the check digit (the last character) is wrong (GB 11643)"
    if birth_date is not None and born.isoformat() != birth_date:
        return "the birth date in the ID number differs from birth_date"
    return None


_day: list[Any] = [0.0, dt.date.today()]


def _today() -> dt.date:
    """Today, asked of the clock once a minute (a load checks a million birth dates)."""
    now = time.monotonic()
    if now - _day[0] > 60:
        _day[:] = [now, dt.date.today()]
    return _day[1]  # type: ignore[no-any-return]


def valid_id_number(v: str) -> bool:
    """Whether ``v`` is already a valid ID number as stored (upper-case X): the quick
    test for the million of a big load; :func:`check_id_number` says what is wrong.

    >>> valid_id_number("11010519491231002X"), valid_id_number("11010519491231002x")
    (True, False)
    """
    if len(v) != 18 or not v.isascii() or not v[:17].isdigit():
        return False
    try:
        born = dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return False
    return born.year >= 1900 and born <= _today() and v[17] == check_digit(v[:17])


def normalise_phone(value: str) -> str | None:
    """A phone as stored: a mobile's 11 digits, a landline ``0755-27012345[-ext]``,
    a service number ``400-123-4567``, another country's number ``+3726316629``; None
    when it is none of these. Area codes starting 01 or 02 have three digits (010
    Beijing, 020 Guangzhou …), others four."""
    # NFKC: full-width digits as typed with a Chinese input method; a trailing note in
    # brackets (本人), the apostrophe Excel keeps text with, long dashes
    raw = unicodedata.normalize("NFKC", value).strip().lstrip("'")
    raw = _NOTE.sub("", raw).replace("—", "-").replace("–", "-").strip()
    ext = ""
    m = _EXTENSION.match(raw)
    if m:
        raw, ext = m[1], f"-{m[2]}"
    s = _PHONE_NOISE.sub("", raw)
    if s.startswith("00") and not s.startswith("0086"):
        s = "+" + s[2:]
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("0086"):
        s = s[4:]
    elif len(s) == 13 and s.startswith("861"):
        s = s[2:]
    if not s.isdigit():
        if s.startswith("+") and s[1:].isdigit() and 8 <= len(s) - 1 <= 15 and not ext:
            return s  # another country's number, E.164
        return None
    if not ext and _MOBILE.match(s):
        return s
    m = _SERVICE.match(s)
    if m and not ext:
        return f"{m[1]}-{m[2]}-{m[3]}"
    if s.startswith("0") and len(s) > 4:
        cut = 3 if s[1] in "12" else 4
        if 7 <= len(s) - cut <= 8:
            return f"{s[:cut]}-{s[cut:]}{ext}"
    if not ext:  # 0755-27012345-801: the last hyphen may start an extension
        m = _HYPHEN_EXTENSION.match(raw)
        if m:
            line = normalise_phone(m[1])
            if line is not None and line.startswith("0"):
                return f"{line}-{m[2]}"
    return None


def check_phone(value: str) -> str | None:
    """None for a phone :func:`normalise_phone` accepts, else what is wrong."""
    return None if normalise_phone(value) is not None else (
        "not a phone number: a mobile (11 digits starting 13-19) or a landline with its "
        "area code (0755-27012345)")


#: the dots people type between the parts of a transliterated name (阿卜杜·热合曼)
_DOTS = str.maketrans(dict.fromkeys("•・‧∙˙･⋅", "·"))
_CJK_DOT = re.compile(r"(?<=[\u2e80-\u9fff\uf900-\ufaff])\.(?=[\u2e80-\u9fff\uf900-\ufaff])")


_NAME_ODD = frozenset("•・‧∙˙･⋅.")


def is_normal_name(v: str) -> bool:
    """Whether a name is already as :func:`normalise_name` makes it, quickly (most
    are): no space at all (isprintable is False for every other kind of space), no dot
    but the middle one, NFKC.

    >>> [is_normal_name(n) for n in ("张三", "阿卜杜·热合曼", "阿卜杜•热合曼", "卢　芳")]
    [True, True, False, False]
    """
    return (" " not in v and v.isprintable() and _NAME_ODD.isdisjoint(v)
            and unicodedata.is_normalized("NFKC", v))


def normalise_name(value: str) -> str:
    """A name as stored: NFKC (full-width letters and spaces made plain), one middle
    dot for all the dots typed between a name's parts, no spaces between Chinese
    characters, other runs of spaces one space.

    >>> names = ("阿卜杜•热合曼", "阿卜杜˙热合曼", "阿卜杜.热合曼", "阿卜杜．热合曼")
    >>> {normalise_name(n) for n in names}, normalise_name("J. Smith")
    ({'阿卜杜·热合曼'}, 'J. Smith')
    """
    s = unicodedata.normalize("NFKC", value.translate(_DOTS)).strip()
    s = _CJK_DOT.sub("·", _CJK_SPACE.sub("", s))
    return _SPACES.sub(" ", s)


def excel_mangled(value: str) -> bool:
    """Whether a text is a long number Excel turned into scientific notation (its
    last digits are gone)."""
    return bool(_EXCEL.match(value.strip()))


_PREFIX = re.compile(r"^(中国共产党|中共)")
# longest first: 党总支部委员会 before 支部委员会 before 委员会
_SUFFIXES = (("党总支部委员会", "总支"), ("总支部委员会", "总支"), ("党总支", "总支"),
             ("党支部委员会", "支部"), ("支部委员会", "支部"), ("党支部", "支部"),
             ("工作委员会", "工委"), ("党工委", "工委"), ("党委员会", "委"), ("委员会", "委"),
             ("党委", "委"), ("党小组", "小组"))


def _cn_number(m: re.Match[str]) -> str:
    n = int(m[1])
    if not 0 < n < 100:
        return m[0]
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    text = ("" if tens < 2 else digits[tens]) + ("十" if tens else "") + (
        digits[ones] if ones else "")
    return f"第{text}"


def org_key(name: str) -> str:
    """A party organisation's name with the ways of writing it made one: no 中共,
    支部委员会 / 党支部 → 支部, 委员会 / 党委 → 委, 第1 → 第一 (and so on).

    >>> org_key("上星社区第12党支部") == org_key("中共上星社区第十二支部委员会")
    True
    """
    s = _PREFIX.sub("", normalise_name(name).replace(" ", ""))
    s = re.sub(r"第(\d+)", _cn_number, s)
    for long, short in _SUFFIXES:
        s = s.replace(long, short)
    return s


_SHORT_ENDS = (("总支部委员会", "党总支"), ("支部委员会", "党支部"), ("工作委员会", "党工委"),
               ("委员会", "党委"))


def short_org_name(name: str) -> str:
    """The name people use for a party organisation (简称): no 中共 and no city or
    street before a community, 委员会 as 党委 / 党支部 / 党总支 / 党工委."""
    s = _PREFIX.sub("", normalise_name(name))
    s = re.sub(r"^深圳市", "", s)
    s = re.sub(r"^\w{2,4}街道(?=\w+社区)", "", s)
    for long, short in _SHORT_ENDS:
        if s.endswith(long):
            return s[: -len(long)] + short
    return s


def post_key(title: str) -> str:
    """A post's title with the ways of writing it made one (党支部书记, 支部书记, 书记 of
    a branch are one post; 组织委员 and 宣传委员 are two).

    >>> post_key("党支部书记") == post_key("支部书记") == post_key("书记")
    True
    >>> post_key("组织委员") == post_key("宣传委员")
    False
    """
    s = normalise_name(title).replace(" ", "")
    for part in ("中共", "党支部", "党总支", "党委", "党工委", "总支", "支部", "党"):
        s = s.replace(part, "")
    return s or title
