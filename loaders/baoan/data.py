"""Bao'an District's streets: the published figures the district scenario is sized by,
with where each comes from (SCENARIO.md, "The district").

Only Xinqiao is calibrated (the case study's figures, exactly as the street scenario).
Every other street is synthetic: Xinqiao's structure (seven communities, its grids,
buildings, branches and planted problems) drawn again with a seed of its own, under
the street's name and sized by its population. A figure not found is ``None`` and
the street gets an equal share of what the district's census total leaves.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["District", "DISTRICT", "STREETS", "StreetSpec", "default_residents"]


@dataclass(frozen=True, slots=True)
class StreetSpec:
    slug: str
    zh: str  # without 街道
    population: int | None  # published (see ``source``); None: not found
    communities: int | None  # published number of communities; None: not found
    source: str  # where the figures come from, and their date


@dataclass(frozen=True, slots=True)
class District:
    slug: str
    name: str
    committee: str
    committee_short: str
    department: str
    population: int
    source: str


DISTRICT = District(
    slug="baoan",
    name="宝安区",
    committee="中共深圳市宝安区委员会",
    committee_short="中共深圳市宝安区委",
    department="中共深圳市宝安区委组织部",
    # 第七次全国人口普查 (2020-11-01): 447.66万 resident population
    population=4_476_600,
    source="深圳市第七次全国人口普查公报 (深圳市统计局, 2021-05-17): 宝安区常住人口 447.66 万",
)

_NOT_FOUND = "not found (2026-12-04): sized by an equal share of the district's remainder"

#: Xinqiao first (the street the scenario is calibrated on), then the district's
#: order. ``--streets N`` takes the first N.
STREETS: tuple[StreetSpec, ...] = (
    StreetSpec("xinqiao", "新桥", 500_000, 7,
               "the case study (Xinqiao Street, 2016 reform): about 500,000 people, "
               "7 communities"),
    StreetSpec("xinan", "新安", None, None, _NOT_FOUND),
    StreetSpec("xixiang", "西乡", 1_090_000, 25,
               "《发现另一个深圳：深圳78街“全景画像”·宝安》 (szbaike.com, 2024-12-30): "
               "25 communities, about 1.09 million people under management (实有管理人口)"),
    StreetSpec("hangcheng", "航城", None, None, _NOT_FOUND),
    StreetSpec("fuyong", "福永", 343_000, 7,
               "zhiqingwang.shzq.org (福永街道): 7 communities, 34.3万 resident population "
               "on 2022-12-08"),
    StreetSpec("fuhai", "福海", None, None, _NOT_FOUND),
    StreetSpec("shajing", "沙井", 900_000, 21,
               "gethgdk.com (沙井街道): 21 communities, about 90万 people (June 2021)"),
    StreetSpec("songgang", "松岗", None, None, _NOT_FOUND),
    StreetSpec("yanluo", "燕罗", None, None, _NOT_FOUND),
    StreetSpec("shiyan", "石岩", None, None, _NOT_FOUND),
)

#: residents one street of the district scenario may have at most
MAX_STREET_RESIDENTS = 1_100_000


def default_residents(spec: StreetSpec) -> int:
    """The residents a street gets when none are asked for: its published population,
    else an equal share of what the district's census total leaves after the streets
    whose population was found (the figures are of different years and kinds: a size,
    not a statistic)."""
    if spec.population is not None:
        return min(spec.population, MAX_STREET_RESIDENTS)
    known = sum(s.population for s in STREETS if s.population is not None)
    unknown = sum(1 for s in STREETS if s.population is None)
    return (DISTRICT.population - known) // unknown
