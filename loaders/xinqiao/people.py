"""Synthetic people for the Xinqiao scenario: names, birth dates, ID numbers, phones.

Everything here is synthetic. The tables are built once per process (names,
region codes) or once per scenario (dates relative to ``as_of``) and people are
made in vectorised batches with a numpy ``Generator``, so a resident costs a few
table look-ups and one string concatenation per field.

ID numbers (居民身份证号码, GB 11643-1999): 6-digit region code, 8-digit birth date,
3-digit sequence (odd for men, even for women), ISO 7064 MOD 11-2 check digit.
Every number handed out by one :class:`PeopleFactory` is unique: the sequence is
drawn from a per (region, birth date, gender) counter. Phones are unique too: the
8 digits after the prefix are a Feistel permutation of the person's number.

>>> check_digit("11010519491231002")
'X'
>>> valid_id_number("11010519491231002X")
True
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import numpy as np

__all__ = [
    "ID_WEIGHTS",
    "REGISTERED_REGION",
    "PeopleFactory",
    "check_digit",
    "valid_id_number",
    "years_before",
]

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
REGISTERED_REGION = "440306"  # 深圳市宝安区


def check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def valid_id_number(s: str) -> bool:
    return (len(s) == 18 and s[:17].isdigit() and s[17] in _CHECK
            and check_digit(s[:17]) == s[17])


def years_before(d: dt.date, n: int) -> dt.date:
    """The same calendar day ``n`` years earlier (29 Feb becomes 28 Feb)."""
    try:
        return d.replace(year=d.year - n)
    except ValueError:
        return d.replace(year=d.year - n, day=28)


# ---------------------------------------------------------------- name tables
# (surname, relative weight): common surnames with rough frequencies, the
# Guangdong ones a little heavier, plus polyphonic surnames whose reading differs
# from the everyday one (曾 Zēng, 单 Shàn, 仇 Qiú, 区 Ōu, 查 Zhā, 解 Xiè, 朴 Piáo, 盖 Gě,
# 乐 Yuè, 缪 Miào, 繁 Pó, 尉 Yù, 翟 Zhái, 覃 Qín, 召 Shào) and a few compound ones.
_SURNAMES = (
    "王8 李8 张7.5 刘6 陈8 杨4 黄6 赵2.5 吴3 周2.5 徐2 孙1.8 马1.5 朱1.5 胡1.5 郭1.4 何1.8 "
    "高1.2 林2.5 罗1.5 郑1.5 梁2 谢1.4 宋1 唐1.1 许1 韩0.9 冯0.9 邓1.3 曹0.8 彭0.9 曾1.6 "
    "肖0.9 田0.7 董0.6 袁0.7 潘0.8 于0.5 蒋0.6 蔡0.9 余0.8 杜0.5 叶1 程0.5 苏0.7 魏0.5 "
    "吕0.5 丁0.5 任0.5 沈0.4 姚0.4 卢0.6 姜0.4 崔0.3 钟0.9 谭0.7 陆0.4 汪0.4 范0.4 金0.3 "
    "石0.4 廖0.8 贾0.3 夏0.3 韦0.6 付0.3 方0.4 白0.3 邹0.4 孟0.2 熊0.4 秦0.3 邱0.5 江0.4 "
    "尹0.2 薛0.2 段0.2 雷0.3 侯0.2 龙0.3 史0.2 陶0.2 黎0.5 贺0.2 顾0.2 毛0.2 郝0.1 龚0.2 "
    "邵0.2 万0.2 钱0.2 严0.2 覃0.3 武0.1 戴0.2 莫0.4 孔0.1 向0.2 汤0.2 文0.3 麦0.2 温0.3 "
    "赖0.4 古0.2 单0.08 仇0.06 区0.08 查0.05 解0.05 朴0.02 盖0.03 乐0.04 缪0.05 繁0.01 "
    "尉0.02 翟0.06 召0.01 欧阳0.08 司马0.02 诸葛0.01 上官0.02"
)
SURNAMES: tuple[str, ...] = tuple(s.rstrip("0123456789.") for s in _SURNAMES.split())
_SURNAME_W = np.array([float(s[len(n):]) for s, n in zip(_SURNAMES.split(), SURNAMES,
                                                           strict=True)])
_MALE_CHARS = ("伟强磊军勇杰涛斌明超华建国平辉鹏飞俊浩宇轩文志海峰波"
               "林东晨阳博思家荣锦振德鸿天嘉泽子成永")
_FEMALE_CHARS = ("芳娜敏静丽艳娟霞燕玲婷雪慧颖琳欣怡佳梦晓丹萍红秀英兰"
                 "桂梅倩璐淑月洁诗雨蓉琪嘉美凤彤悦妍")


def _given(chars: str) -> tuple[str, ...]:
    pairs = [a + b for a in chars for b in chars]
    return tuple(list(chars) * 10 + pairs)  # about one in six given names has one character


# Region codes (行政区划代码) of places people in Bao'an typically come from: Guangdong
# (eastern and western), Hunan, Guangxi, Sichuan, Jiangxi, Hubei, Henan, Chongqing,
# Guizhou, Fujian, Anhui. Codes are real-looking; people are not.
_OTHER_REGIONS = (
    "441502", "441581", "445281", "445221", "445122", "441621", "441622", "440881",
    "440882", "441402", "441424", "440921", "430124", "430426", "430521", "430524",
    "431022", "431121", "431224", "433101", "430903", "430111", "450126", "450821",
    "450881", "450923", "451025", "511025", "511321", "511621", "510522", "510321",
    "360124", "360521", "360731", "360321", "420116", "421087", "421181", "422802",
    "410122", "411327", "411522", "500228", "500240", "520203", "350128", "340827",
)
_OTHER_W = np.array([3.0] * 12 + [2.2] * 10 + [1.8] * 5 + [1.4] * 5 + [1.0] * 4 + [0.9] * 4
                    + [0.7] * 3 + [0.6] * 2 + [0.4, 0.4, 0.3])
REGIONS: tuple[str, ...] = (REGISTERED_REGION, *_OTHER_REGIONS)

_PHONE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "170", "173", "175", "176",
    "177", "178", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
    "191", "198", "199",
)


def _cdf(w: np.ndarray) -> np.ndarray:
    c = np.cumsum(w, dtype=np.float64)
    return np.asarray(c / c[-1])


def _digit_sum(s: str, weights: tuple[int, ...]) -> int:
    return sum(int(c) * w for c, w in zip(s, weights, strict=True))


@functools.cache
def _static_tables() -> dict[str, Any]:
    seq_str = [f"{i:03d}" for i in range(1000)]
    return {
        "male": _given(_MALE_CHARS),
        "female": _given(_FEMALE_CHARS),
        "sur_cdf": _cdf(_SURNAME_W),
        "reg_cdf": _cdf(_OTHER_W),
        "reg_sum": np.array([_digit_sum(r, ID_WEIGHTS[:6]) for r in REGIONS], np.int64),
        "seq_str": seq_str,
        "seq_sum": np.array([_digit_sum(s, ID_WEIGHTS[14:]) for s in seq_str], np.int64),
    }


@functools.cache
def date_tables(as_of: dt.date) -> tuple[int, list[str], list[str], np.ndarray]:
    """(first ordinal, ISO strings, YYYYMMDD strings, ID-number weighted sums) for
    every day from 110 years before ``as_of`` to two years after it."""
    first = years_before(as_of, 110)
    base = first.toordinal()
    n = as_of.toordinal() + 731 - base
    iso = [dt.date.fromordinal(base + i).isoformat() for i in range(n)]
    ymd = [s.replace("-", "") for s in iso]
    digits = np.frombuffer("".join(ymd).encode(), np.uint8).reshape(n, 8).astype(np.int64) - 48
    dsum = digits @ np.array(ID_WEIGHTS[6:14], np.int64)
    return base, iso, ymd, dsum


class PeopleFactory:
    """Makes the personal properties of people in vectorised batches.

    One factory per scenario run: it keeps the sequence counters that make ID
    numbers unique. ``rng`` is the caller's generator, so the caller controls the
    stream and with it determinism.
    """

    def __init__(self, as_of: dt.date, seed: int) -> None:
        t = _static_tables()
        self.male_names: tuple[str, ...] = t["male"]
        self.female_names: tuple[str, ...] = t["female"]
        self.n_given = min(len(self.male_names), len(self.female_names))
        self.sur_cdf: np.ndarray = t["sur_cdf"]
        self.reg_cdf: np.ndarray = t["reg_cdf"]
        self.reg_sum: np.ndarray = t["reg_sum"]
        self.seq_str: list[str] = t["seq_str"]
        self.seq_sum: np.ndarray = t["seq_sum"]
        self.base, self.iso, self.ymd, self.dsum = date_tables(as_of)
        self.ndays = len(self.iso)
        self.counter = np.zeros(len(REGIONS) * self.ndays * 2, np.int16)
        mix = np.random.default_rng([seed, 99])
        self.salt = int(mix.integers(0, 499))
        # Four Feistel rounds on two 4-digit halves: a permutation of 0..99,999,999.
        self.feistel = [mix.integers(0, 10_000, 10_000) for _ in range(4)]

    def iso_of(self, ordinal: int) -> str:
        return self.iso[ordinal - self.base]

    def phone_suffix(self, nos: np.ndarray) -> np.ndarray:
        left, right = nos // 10_000, nos % 10_000
        for f in self.feistel:
            left, right = right, (left + f[right]) % 10_000
        return np.asarray(left * 10_000 + right)

    def make(
        self,
        rng: np.random.Generator,
        nos: np.ndarray,
        births: np.ndarray,
        male: np.ndarray,
        registered: np.ndarray,
    ) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
        """Names, genders, birth dates, ID numbers and phones of ``len(births)`` people.

        ``nos`` are the people's serial numbers (unique, < 10**8), ``births`` day
        ordinals, ``male`` and ``registered`` booleans. Registered people get the
        Bao'an region code, others one of the migrant regions.
        """
        k = len(births)
        sur = np.searchsorted(self.sur_cdf, rng.random(k), side="right").tolist()
        giv = rng.integers(0, self.n_given, k).tolist()
        reg = np.where(registered, 0,
                       1 + np.searchsorted(self.reg_cdf, rng.random(k), side="right"))
        off = births.astype(np.int64) - self.base
        if k and (off.min() < 0 or off.max() >= self.ndays):
            raise ValueError("birth date outside the scenario's date table")
        m = male.astype(np.int64)
        key = (reg * self.ndays + off) * 2 + m
        # rank of each person among same-key people in this batch, plus the counter
        order = np.argsort(key, kind="stable")
        ks = key[order]
        idx = np.arange(k)
        first = np.r_[True, ks[1:] != ks[:-1]] if k else np.zeros(0, bool)
        rank_sorted = idx - np.maximum.accumulate(np.where(first, idx, 0))
        rank = np.empty(k, np.int64)
        rank[order] = rank_sorted
        cnt = self.counter[key].astype(np.int64) + rank
        if k and cnt.max() >= 499:
            raise RuntimeError("ID-number sequence space exhausted for one birth date")
        np.add.at(self.counter, key, 1)
        slot = ((key * 2654435761 + self.salt) + cnt) % 499
        seq = np.where(m == 1, 2 * slot + 1, 2 * slot + 2)
        chk = (self.reg_sum[reg] + self.dsum[off] + self.seq_sum[seq]) % 11
        ymd, iso, seqs = self.ymd, self.iso, self.seq_str
        ids = [REGIONS[r] + ymd[o] + seqs[q] + _CHECK[c]
               for r, o, q, c in zip(reg.tolist(), off.tolist(), seq.tolist(), chk.tolist(),
                                      strict=True)]
        mn, fn = self.male_names, self.female_names
        ml = male.tolist()
        names = [SURNAMES[s] + (mn[g] if x else fn[g])
                 for s, g, x in zip(sur, giv, ml, strict=True)]
        genders = ["male" if x else "female" for x in ml]
        births_iso = [iso[o] for o in off.tolist()]
        pre = rng.integers(0, len(_PHONE_PREFIXES), k).tolist()
        suf = self.phone_suffix(np.asarray(nos, np.int64)).tolist()
        pp = _PHONE_PREFIXES
        phones = [f"{pp[p]}{s:08d}" for p, s in zip(pre, suf, strict=True)]
        return names, genders, births_iso, ids, phones
