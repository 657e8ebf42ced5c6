"""Fixed tables of the Xinqiao scenario: the seven communities and the synthetic
calibration around them (see SCENARIO.md for which figure comes from where).

Only the community names and the street's headline counts come from the case
study; every split below (areas per community, populations, grid and building
counts, departments' staff numbers) is synthetic.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from graph.schema import get_schema

__all__ = [
    "Community",
    "COMMUNITIES",
    "NEIGHBOURS",
    "DEPARTMENTS",
    "STREET",
    "TWO_HEADS_TWO_STAFF",
    "ENTERPRISE_KINDS",
    "STATIONED_UNITS",
    "cn_number",
    "labels_of",
]


@dataclass(frozen=True)
class Community:
    slug: str
    zh: str
    area_km2: float
    population: int
    registered: int
    converted: bool  # 村改居
    groups: int  # resident groups
    hollow: int  # of which planted hollow
    branches: int  # community (not embedded) party branches
    base_grids: int
    police_grids: int
    security_grids: int
    fire_grids: int
    buildings: int
    enterprises: int


# Areas: in this order they sum to exactly 30.0 (also with math.fsum in any order);
# largest 12, smallest 2.3 as in the paper; the paper's average 4.7 yields (30/7 = 4.29).
COMMUNITIES: tuple[Community, ...] = (
    Community("xinqiao", "新桥", 3.6, 95_000, 3_600, False, 12, 1, 7, 66, 8, 4, 1, 912, 70),
    Community("shangxing", "上星", 2.9, 62_000, 1_500, True, 14, 1, 8, 44, 6, 3, 0, 595, 95),
    Community("shangliao", "上寮", 3.4, 88_000, 2_100, True, 16, 2, 9, 62, 7, 4, 1, 845, 100),
    Community("wanfeng", "万丰", 2.7, 70_000, 2_000, True, 15, 2, 8, 49, 6, 3, 1, 672, 95),
    Community("shaqi", "沙企", 3.1, 45_000, 1_100, True, 10, 1, 6, 32, 4, 2, 0, 432, 75),
    Community("huangpu", "黄埔", 2.3, 60_000, 1_400, True, 13, 1, 8, 42, 6, 3, 0, 576, 75),
    Community("xiner", "新二", 12.0, 80_000, 1_700, True, 18, 2, 10, 62, 7, 4, 1, 768, 90),
)

# Which communities touch (synthetic): special grids that cross a community
# boundary overlap base grids of a neighbour.
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "xinqiao": ("shangxing", "xiner", "huangpu"),
    "shangxing": ("xinqiao", "shangliao"),
    "shangliao": ("shangxing", "wanfeng"),
    "wanfeng": ("shangliao", "shaqi"),
    "shaqi": ("wanfeng", "huangpu"),
    "huangpu": ("shaqi", "xinqiao", "xiner"),
    "xiner": ("xinqiao", "huangpu"),
}

STREET: dict[str, Any] = {
    "id": "street-xinqiao",
    "name": "新桥街道",
    "area_km2": 30.0,
    "built_up_area_km2": 21.0,
    "population": 500_000,
    "registered_population": 13_400,
    "founded_on": "2016-12-01",  # the paper gives December 2016; the day is a placeholder
}

# (slug, short name, full name, field, staff deployed to communities): 531 in all.
DEPARTMENTS: tuple[tuple[str, str, str, str, int], ...] = (
    ("cgb", "城管办", "新桥街道城市管理办公室", "城市管理", 120),
    ("zzb", "综治办", "新桥街道综合治理办公室", "综合治理", 90),
    ("ajb", "安监办", "新桥街道安全生产监督管理办公室", "安全生产", 80),
    ("ggfw", "公共服务办", "新桥街道公共服务办公室", "公共服务", 60),
    ("sqjs", "社区建设办", "新桥街道社区建设办公室", "社区建设", 50),
    ("zfd", "执法队", "新桥街道综合行政执法队", "行政执法", 81),
    ("xaw", "消安委办", "新桥街道消防安全委员会办公室", "消防安全", 50),
)

# 两长两员: exactly 11,000 people.
TWO_HEADS_TWO_STAFF = {"BuildingHead": 4_400, "ShopManager": 3_600, "PropertyStaff": 1_600,
                       "SecurityGuard": 1_400}

# industry -> (name suffixes, weight among non-retail enterprises, manufacturing?)
ENTERPRISE_KINDS: dict[str, tuple[tuple[str, ...], float, bool]] = {
    "电子制造": (("电子科技", "电子", "光电科技"), 5.0, True),
    "五金加工": (("五金制品", "五金塑胶"), 3.0, True),
    "塑胶制品": (("塑胶制品", "塑胶模具"), 2.5, True),
    "精密模具": (("精密模具", "模具"), 2.0, True),
    "服装": (("服饰", "制衣"), 1.5, True),
    "印刷包装": (("印刷包装", "纸品包装"), 1.2, True),
    "机械设备": (("机械设备", "自动化设备"), 1.5, True),
    "物流": (("物流", "供应链"), 1.5, False),
    "餐饮": (("餐饮管理", "饮食"), 1.5, False),
    "软件信息": (("信息技术", "软件"), 1.0, False),
    "商贸": (("贸易", "实业"), 1.8, False),
}
RETAIL_SUFFIXES = ("百货", "超市", "便利店", "商行", "购物广场", "家居", "药房")
NAME_WORDS = tuple("鑫达华联宏盛兴隆富源永泰创新佳美恒通金桥"
                   "德利嘉信聚丰顺发博锐星辰万和安泰汇智福海")

# (name template, industry, has its own party branch); {c} is the community name.
STATIONED_UNITS: tuple[tuple[str, str, bool], ...] = (
    ("宝安区{c}小学", "教育", True), ("宝安区{c}学校", "教育", True),
    ("宝安区{c}中学", "教育", True), ("宝安区{c}第二小学", "教育", True),
    ("宝安区{c}幼儿园", "教育", False), ("{c}实验幼儿园", "教育", False),
    ("宝安区{c}人民医院", "医疗卫生", True), ("{c}社区健康服务中心", "医疗卫生", True),
    ("{c}第二社区健康服务中心", "医疗卫生", False), ("{c}中医门诊部", "医疗卫生", False),
    ("中国工商银行{c}支行", "金融", True), ("中国建设银行{c}支行", "金融", True),
    ("中国农业银行{c}支行", "金融", True), ("中国银行{c}支行", "金融", False),
    ("深圳农村商业银行{c}支行", "金融", True), ("中国邮政储蓄银行{c}营业所", "金融", False),
    ("宝安公安分局{c}派出所", "公安", True), ("宝安交警大队{c}中队", "公安", True),
    ("宝安区{c}消防救援站", "消防", True), ("{c}供电所", "能源", True),
    ("宝安区{c}市场监督管理所", "市场监管", True), ("宝安区税务局{c}税务所", "税务", True),
    ("{c}邮政支局", "邮政", False), ("{c}水务所", "水务", True),
    ("{c}社会保障服务站", "社会保障", False), ("宝安区{c}图书馆", "文化", True),
    ("{c}文体中心", "文化", False), ("{c}公交首末站", "交通", False),
    ("宝安区{c}职业技术学校", "教育", True), ("{c}燃气服务站", "能源", False),
)

_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals.

    >>> [cn_number(i) for i in (1, 10, 12, 20, 35)]
    ['一', '十', '十二', '二十', '三十五']
    """
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


@functools.cache
def labels_of(*labels: str) -> tuple[str, ...]:
    """The canonical label set (with the labels they extend, sorted), from the schema."""
    return get_schema().closure(labels)
