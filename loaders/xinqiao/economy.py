"""The scenario's economy and institutions: 600 enterprises, the industrial parks, the
stationed units, property companies, owners' committees and social work centres.

Enterprise nodes go out last (:func:`emit_enterprises`), once the party branches and
the 两长两员 working there have raised their employee numbers; everything else is
emitted by :func:`economy`.
"""

from __future__ import annotations

from dataclasses import dataclass

from loaders.xinqiao.data import (
    COMMUNITIES,
    ENTERPRISE_KINDS,
    NAME_WORDS,
    RETAIL_SUFFIXES,
    STATIONED_UNITS,
    labels_of,
)
from loaders.xinqiao.emit import Draws, Emitter

__all__ = ["Economy", "Unit", "economy", "emit_enterprises"]

_STREET_LEVEL = ("派出所", "交警", "消防", "供电所", "市场监督", "税务")
_ESTATES = ("花园", "雅苑", "名居", "豪庭", "华府", "新城")


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    community: str
    has_branch: bool
    name: str


@dataclass(frozen=True, slots=True)
class Economy:
    """What :func:`economy` made. ``employees`` are the enterprises' first numbers
    (retail: 0 until their shop managers are known)."""

    enterprises: dict[str, list[str]]  # retail | manufacturing | other -> ids
    community_of: dict[str, str]  # enterprise or park -> community slug
    employees: dict[str, int]
    industry: dict[str, str]
    name: dict[str, str]  # enterprise or park -> name
    parks: list[str]
    units: list[Unit]
    police_station: str
    traffic_unit: str
    property_companies: list[str]
    social_work_centres: dict[str, str]  # community slug or "street" -> centre


def economy(em: Emitter, d: Draws) -> Economy:
    r = d.r
    kinds = list(ENTERPRISE_KINDS)
    weights = [ENTERPRISE_KINDS[k][1] for k in kinds]
    total = sum(c.enterprises for c in COMMUNITIES)
    industries = ["零售"] * 200 + r.choices(kinds, weights, k=total - 200)
    r.shuffle(industries)
    words = [a + b for a in NAME_WORDS for b in NAME_WORDS if a != b]
    names = r.sample(words, total)
    ents: dict[str, list[str]] = {"retail": [], "manufacturing": [], "other": []}
    community_of: dict[str, str] = {}
    employees: dict[str, int] = {}
    n = 0
    for c in COMMUNITIES:
        for _ in range(c.enterprises):
            ind = industries[n]
            n += 1
            eid = f"enterprise-{n:04d}"
            if ind == "零售":
                kind, emp = "retail", 0
            else:
                manu = ENTERPRISE_KINDS[ind][2]
                kind = "manufacturing" if manu else "other"
                emp = int(min(3000, max(8, r.lognormvariate(4.4 if manu else 3.3, 0.9))))
            ents[kind].append(eid)
            community_of[eid] = c.slug
            employees[eid] = emp
    industry: dict[str, str] = {}
    name: dict[str, str] = {}
    for i, (ind, word) in enumerate(zip(industries, names, strict=True)):
        if ind == "零售":
            suffix = RETAIL_SUFFIXES[i % len(RETAIL_SUFFIXES)]
        else:
            suffix = ENTERPRISE_KINDS[ind][0][i % len(ENTERPRISE_KINDS[ind][0])]
        eid = f"enterprise-{i + 1:04d}"
        industry[eid] = ind
        name[eid] = f"深圳市{word}{suffix}有限公司"
    # parks, stationed units, social organisations
    converted = [c for c in COMMUNITIES if c.converted]
    parks: list[str] = []
    pw = r.sample(words, 15)
    for k in range(1, 16):
        c = converted[(k - 1) % len(converted)]
        pid = f"park-{k:02d}"
        name[pid] = f"{c.zh}{pw[k - 1]}工业园"
        em.node(pid, labels_of("IndustrialPark"), name=name[pid],
                area_km2=round(r.uniform(0.05, 0.6), 3))
        em.rel("IN", pid, f"community-{c.slug}")
        parks.append(pid)
        community_of[pid] = c.slug
    units: list[Unit] = []
    seat = next(c for c in COMMUNITIES if c.slug == "xinqiao")
    others = [c for c in COMMUNITIES if c.slug != "xinqiao"]
    for k, (tpl, ind, has_branch) in enumerate(STATIONED_UNITS, 1):
        if any(s in tpl for s in _STREET_LEVEL):
            c = seat
        else:
            c = others[(k * 5) % len(others)] if k % 3 else seat
        uid = f"unit-{k:02d}"
        unit_name = tpl.format(c=c.zh)
        em.node(uid, labels_of("StationedUnit"), name=unit_name, industry=ind)
        em.rel("IN", uid, f"community-{c.slug}")
        units.append(Unit(uid, c.slug, has_branch, unit_name))
    propcos: list[str] = []
    swcs: dict[str, str] = {}
    n_oc = 0
    for ci, c in enumerate(COMMUNITIES):
        for k in range(3):
            pid = em.node(f"propco-{ci * 3 + k + 1:02d}", labels_of("PropertyCompany"),
                          name=f"深圳市{r.choice(words)}物业管理有限公司")
            em.rel("IN", pid, f"community-{c.slug}")
            propcos.append(pid)
        for _ in range(4 if not c.converted else (1 if ci % 2 else 0)):
            n_oc += 1
            oc = em.node(f"owners-{n_oc:02d}", labels_of("OwnersCommittee"),
                         name=f"{c.zh}{r.choice(words)}{r.choice(_ESTATES)}业主委员会")
            em.rel("IN", oc, f"community-{c.slug}")
        swc = em.node(f"swc-{c.slug}", labels_of("SocialWorkCenter"),
                      name=f"{c.zh}社区党群服务中心")
        em.rel("IN", swc, f"community-{c.slug}")
        swcs[c.slug] = swc
    swcs["street"] = em.node("swc-street", labels_of("SocialWorkCenter"),
                             name="新桥街道党群服务中心")
    em.rel("IN", "swc-street", "community-xinqiao")
    return Economy(
        enterprises=ents, community_of=community_of, employees=employees, industry=industry,
        name=name, parks=parks, units=units,
        police_station=next(u.id for u in units if "派出所" in u.name),
        traffic_unit=next(u.id for u in units if "交警" in u.name),
        property_companies=propcos, social_work_centres=swcs)


def emit_enterprises(em: Emitter, eco: Economy, employees: dict[str, int]) -> None:
    """The enterprise nodes, with their final employee numbers."""
    enterprises = sorted(e for e in eco.community_of if e.startswith("enterprise-"))
    for eid in enterprises:
        em.node(eid, labels_of("Enterprise"), name=eco.name[eid],
                industry=eco.industry[eid], employees=employees[eid])
        em.rel("IN", eid, f"community-{eco.community_of[eid]}")
