"""The fixed part of the Xinqiao scenario: everything except the bulk of residents.

:class:`Builder` makes, in memory, the street, communities, organisations, grids,
buildings, staff, the 11,000 "two heads, two staff" and the whole party structure
(see :mod:`loaders.xinqiao_party` and :mod:`loaders.xinqiao_events`), with the
problems of SCENARIO.md planted. Its size does not depend on the number of
residents (a few tens of thousands of records); the residents are streamed
afterwards by :mod:`loaders.xinqiao`.

All randomness comes from ``random.Random(seed)`` (structure) and a numpy
generator seeded from ``seed`` (personal properties), in a fixed order, so the
output is a function of (seed, as_of) alone.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import numpy as np
from shapely.geometry import Polygon
from shapely.ops import unary_union
from shapely.strtree import STRtree

from graph.formats import short_org_name
from graph.geo import geojson, to_lonlat
from loaders.xinqiao_data import (
    COMMUNITIES,
    DEPARTMENTS,
    ENTERPRISE_KINDS,
    NAME_WORDS,
    NEIGHBOURS,
    RETAIL_SUFFIXES,
    STATIONED_UNITS,
    STREET,
    TWO_HEADS_TWO_STAFF,
    Community,
    cn_number,
    labels_of,
)
from loaders.xinqiao_events import EventsMixin
from loaders.xinqiao_forces import ForcesMixin
from loaders.xinqiao_geometry import StreetMap
from loaders.xinqiao_people import PeopleFactory
from queries.common import largest_remainder

__all__ = ["Builder", "labels_of"]

ADDRESS_PREFIX = "深圳市宝安区新桥街道"
STREET_FOUNDED = dt.date(2016, 12, 1)


def split_sizes(r: random.Random, total: int, parts: int, min_each: int = 1,
                spread: float = 0.6) -> list[int]:
    """``total`` split into ``parts`` random sizes, each >= ``min_each``, exact sum."""
    w = [1.0 - spread + 2 * spread * r.random() for _ in range(parts)]
    free = total - min_each * parts
    if free < 0:
        raise ValueError("cannot split")
    raw = [free * x / sum(w) for x in w]
    sizes = [int(x) for x in raw]
    rest = free - sum(sizes)
    order = sorted(range(parts), key=lambda i: (raw[i] - sizes[i], -i), reverse=True)
    for i in order[:rest]:
        sizes[i] += 1
    return [s + min_each for s in sizes]


class Builder(EventsMixin, ForcesMixin):
    """Builds the fixed records; call :meth:`build` once, then read ``nodes``,
    ``rels`` (every relationship after all nodes) and ``planted``."""

    def __init__(self, seed: int, as_of: dt.date) -> None:
        self.seed = seed
        self.as_of = as_of
        self.A = as_of.toordinal()
        self.r = random.Random(seed)
        self.g = np.random.default_rng([seed, 1])
        self.pf = PeopleFactory(as_of, seed)
        self.nodes: list[dict[str, Any]] = []
        self.rels: list[dict[str, Any]] = []
        self.planted: dict[str, Any] = {}
        self.person_no = 0
        self.fixed_residents = 0  # Resident nodes in the fixed part (set by the scenario)
        self._people: list[tuple[str, tuple[str, ...], int, bool, bool, dict[str, Any]]] = []
        self.person_labels: dict[str, tuple[str, ...]] = {}
        self.person_props: dict[str, dict[str, Any]] = {}
        self.person_birth: dict[str, int] = {}
        self.person_reg: dict[str, bool] = {}
        # geography filled by build()
        self.map = StreetMap(seed)
        self.cell: dict[str, Polygon] = {}  # base grid -> its cell (metres)
        self.com: dict[str, Community] = {c.slug: c for c in COMMUNITIES}
        self.groups: dict[str, list[str]] = {}  # community -> group ids
        self.hollow: set[str] = set()
        self.base_grids: dict[str, list[str]] = {}
        self.grid_area: dict[str, float] = {}
        self.buildings: dict[str, list[str]] = {}  # community -> building ids
        self.building_group: dict[str, str] = {}
        self.building_addr: dict[str, str] = {}
        self.building_floors: dict[str, int] = {}
        self.group_buildings: dict[str, list[str]] = {}
        self.ents: dict[str, list[str]] = {}  # kind -> enterprise ids
        self.ent_com: dict[str, str] = {}
        self.ent_emp: dict[str, int] = {}
        # front-line forces, filled by _staff for ForcesMixin._forces
        self.grid_worker: dict[str, str] = {}  # base grid -> its grid worker
        self.staff_with_grid: set[str] = set()
        self.dept_staff: dict[tuple[str, str], list[str]] = {}  # (dept, community) -> staff
        self.staff_com: dict[str, str] = {}

    # ------------------------------------------------------------ helpers
    def iso(self, ordinal: int) -> str:
        return self.pf.iso_of(ordinal)

    def ago(self, lo: int, hi: int) -> int:
        """A day ordinal between ``hi`` and ``lo`` days before as_of."""
        return self.A - self.r.randint(lo, hi)

    def node(self, nid: str, labels: tuple[str, ...], **props: Any) -> str:
        if "PartyOrg" in labels and "name" in props:  # what clerks write (简称)
            props.setdefault("short_name", short_org_name(props["name"]))
        self.nodes.append({"id": nid, "labels": list(labels),
                           "properties": {k: v for k, v in props.items() if v is not None}})
        return nid

    def rel(self, rtype: str, start: str, end: str, rid: str | None = None,
            **props: Any) -> None:
        d: dict[str, Any] = {"type": rtype, "start": start, "end": end,
                             "properties": {k: v for k, v in props.items() if v is not None}}
        if rid is not None:
            d["id"] = rid
        self.rels.append(d)

    def person(self, labels: tuple[str, ...], birth: int, registered: bool = False,
               male: bool | None = None, **props: Any) -> str:
        """Register a person (properties are made in one vectorised pass later)."""
        self.person_no += 1
        pid = f"person-{self.person_no:06d}"
        if male is None:
            male = self.r.random() < 0.52
        labs = labels_of("Person", *labels)
        self._people.append((pid, labs, birth, male, registered, props))
        self.person_labels[pid] = labs
        self.person_props[pid] = props
        self.person_birth[pid] = birth
        self.person_reg[pid] = registered
        return pid

    def job_since(self, pid: str, day: int) -> str:
        """``day`` as an ISO date, but not before the person turned 18."""
        return self.iso(max(day, self.person_birth[pid] + 6575))

    def birth_age(self, lo: float, hi: float) -> int:
        return self.A - self.r.randint(int(lo * 365.25), int(hi * 365.25))

    def _flush_people(self) -> None:
        if not self._people:
            return
        pp = self._people
        nos = np.array([int(p[0][7:]) for p in pp], np.int64)
        births = np.array([p[2] for p in pp], np.int64)
        male = np.array([p[3] for p in pp], bool)
        reg = np.array([p[4] for p in pp], bool)
        names, genders, bds, ids, phones = self.pf.make(self.g, nos, births, male, reg)
        for i, (pid, labs, _b, _m, registered, extra) in enumerate(pp):
            props = {"name": names[i], "gender": genders[i], "birth_date": bds[i],
                     "id_number": ids[i], "phone": phones[i],
                     "household_registered": registered}
            props.update(extra)
            self.node(pid, labs, **props)
        self._people = []

    # ------------------------------------------------------------ build
    def build(self) -> None:
        self._street()
        self._communities()
        self._grids()
        self._buildings()
        self._economy()
        self._party()  # EventsMixin: branches, members, homes, posts, activities
        self._staff()
        self._two_heads_two_staff()
        self._flush_people()
        self._check_party()  # EventsMixin: the planted flags hold, by the definitions
        self._forces()  # ForcesMixin: mobilisation, busy grid workers, patrol cases
        p = self.planted
        n_special = sum(len(v) for v in self.special_grids.values())
        n_br = len(p["branches"]["weak"]) + len(p["branches"]["healthy"])
        n_rg = sum(len(v) for v in self.groups.values())
        p["rates"] = {
            "weak_branches": round(len(p["branches"]["weak"]) / n_br, 4),
            "hollow_resident_groups": round(len(p["resident_groups"]["hollow"]) / n_rg, 4),
            "base_grids_without_worker": round(len(p["grids_without_worker"]) / 357, 4),
            "buildings_without_head": round(len(p["buildings_without_head"]) / 4800, 4),
            "crossing_special_grids": round(len(p["crossing_special_grids"]) / n_special, 4),
            "not_evaluated": round(len(p["not_evaluated"]) / (531 + len(COMMUNITIES)), 4),
        }

    def _street(self) -> None:
        s = STREET
        self.node(s["id"], labels_of("Street"), **{k: v for k, v in s.items() if k != "id"})
        self.wc = self.node("wc-xinqiao", labels_of("WorkingCommittee"),
                            name="中共新桥街道工作委员会", founded_on=STREET_FOUNDED.isoformat())
        self.rel("LEADS", self.wc, s["id"])
        for slug, _short, full, field, _n in DEPARTMENTS:
            self.node(f"dept-{slug}", labels_of("Department"), name=full, industry=field)

    def _communities(self) -> None:
        r = self.r
        for c in COMMUNITIES:
            cid = f"community-{c.slug}"
            self.node(cid, labels_of("Community"), name=f"{c.zh}社区", area_km2=c.area_km2,
                      geometry=geojson(to_lonlat(self.map.communities[c.slug])),
                      population=c.population, registered_population=c.registered,
                      village_converted=c.converted)
            self.rel("PART_OF", cid, STREET["id"])
            com = self.node(f"committee-{c.slug}", labels_of("Committee"),
                            name=f"中共新桥街道{c.zh}社区委员会",
                            founded_on=self.iso(self.ago(9000, 14000)))
            self.rel("SUB_ORG_OF", com, self.wc, since=STREET_FOUNDED.isoformat())
            self.rel("LEADS", com, cid)
            ws = self.node(f"workstation-{c.slug}", labels_of("Workstation"),
                           name=f"{c.zh}社区工作站", duties_count=r.randint(158, 172))
            rc = self.node(f"rc-{c.slug}", labels_of("ResidentsCommittee"),
                           name=f"{c.zh}社区居民委员会")
            self.rel("LEADS", com, ws)
            self.rel("LEADS", com, rc)
            if c.converted:
                jsc = self.node(f"jsc-{c.slug}", labels_of("JointStockCompany"),
                                name=f"深圳市{c.zh}股份合作公司", industry="物业租赁与集体经济",
                                employees=r.randint(25, 160))
                self.rel("LEADS", com, jsc)
            gids = []
            for k in range(1, c.groups + 1):
                gid = self.node(f"group-{c.slug}-{k:02d}", labels_of("ResidentGroup"),
                                name=f"{c.zh}社区第{cn_number(k)}居民小组",
                                former_village_group=c.converted)
                self.rel("PART_OF", gid, cid)
                gids.append(gid)
            self.groups[c.slug] = gids
            self.hollow.update(r.sample(gids, c.hollow))

    def _grids(self) -> None:
        r = self.r
        n = 0
        for c in COMMUNITIES:
            split_sizes(r, 10_000, c.base_grids, 20)  # drawn as before: same scenario
            ids = []
            for k, cell in enumerate(self.map.cells(c.slug, c.base_grids), 1):
                n += 1
                gid = f"grid-base-{n:03d}"
                area = round(cell.area / 1e6, 4)
                self.cell[gid] = cell
                self.node(gid, labels_of("Grid"), name=f"{c.zh}社区基础网格{k:02d}", kind="base",
                          area_km2=area, geometry=geojson(to_lonlat(cell)))
                self.rel("IN", gid, f"community-{c.slug}")
                self.grid_area[gid] = area
                ids.append(gid)
            self.base_grids[c.slug] = ids
        crossing: list[str] = []
        self.base_ids = [g for c in COMMUNITIES for g in self.base_grids[c.slug]]
        self.base_tree = STRtree([self.cell[g] for g in self.base_ids])
        counters = {"security": 0, "fire": 0, "police": 0, "traffic": 0}
        zh = {"security": "安格", "fire": "消格", "police": "警格", "traffic": "交格"}
        cross_p = {"security": 0.2, "fire": 1.0, "police": 0.15, "traffic": 0.5}
        self.special_grids: dict[str, list[tuple[str, str]]] = {}
        for c in COMMUNITIES:
            plan = ([("police", 3, 8)] * c.police_grids + [("security", 3, 9)] * c.security_grids
                    + [("fire", 8, 16)] * c.fire_grids + [("traffic", 4, 10)])
            mine = []
            for kind, lo, hi in plan:
                counters[kind] += 1
                k = counters[kind]
                width = 1 if kind in ("fire", "traffic") else 2
                gid = f"grid-{kind}-{k:0{width}d}"
                mine.append((kind, gid))
                if r.random() < 0.8 or kind == "fire":
                    base = self.base_grids[c.slug]
                    m = min(len(base), r.randint(lo, hi))
                    start = r.randrange(len(base) - m + 1)
                    over = [self.cell[t] for t in base[start:start + m]]
                    if r.random() < cross_p[kind]:
                        nb = self.base_grids[r.choice(NEIGHBOURS[c.slug])]
                        near = self.map.nearest([self.cell[t] for t in nb], unary_union(over),
                                                r.randint(1, 3))
                        over += [self.cell[nb[i]] for i in near]
                    for _ in over:  # the planned overlap shares, drawn as before the map
                        r.uniform(0.15, 1.0)  # existed: everything after stays the same
                    shape = self.map.special(over)
                else:
                    shape = self.map.free_square(c.slug, r.uniform(0.3, 2.5) * 1e6)
                area = shape.area
                self.node(gid, labels_of("Grid"), name=f"{c.zh}{zh[kind]}{k:02d}", kind=kind,
                          area_km2=round(area / 1e6, 4), geometry=geojson(to_lonlat(shape)))
                self.rel("IN", gid, f"community-{c.slug}")
                # OVERLAPS from the drawing: shared area, its share of the special grid
                # (slivers under 1 % are drawing noise, as in queries/grids.py)
                touched = set()
                for i in self.base_tree.query(shape, predicate="intersects"):
                    t = self.base_ids[int(i)]
                    shared = shape.intersection(self.cell[t]).area
                    if shared / area >= 0.01:
                        self.rel("OVERLAPS", gid, t, area_km2=round(shared / 1e6, 4),
                                 share=round(shared / area, 4))
                        touched.add(self.grid_com(t))
                if len(touched) >= 2:
                    crossing.append(gid)
            self.special_grids[c.slug] = mine
        self.planted["crossing_special_grids"] = sorted(crossing)

    def grid_com(self, base_grid: str) -> str:
        for slug, ids in self.base_grids.items():
            if base_grid in ids:
                return slug
        raise KeyError(base_grid)

    def _buildings(self) -> None:
        r = self.r
        n = 0
        for c in COMMUNITIES:
            gids = self.groups[c.slug]
            per_group = split_sizes(r, c.buildings, len(gids), 8)
            per_grid = split_sizes(r, c.buildings, len(self.base_grids[c.slug]), 3)
            grid_of = [g for g, sz in zip(self.base_grids[c.slug], per_grid, strict=True)
                       for _ in range(sz)]
            roads = [f"{c.zh}{d}路" for d in "东西南北中"] + [f"{c.zh}大道", f"{c.zh}新村"]
            ids: list[str] = []
            i = 0
            for gi, (gid, sz) in enumerate(zip(gids, per_group, strict=True)):
                road = roads[gi % len(roads)]
                lane0 = (gi // len(roads)) * 12
                self.group_buildings[gid] = []
                for j in range(sz):
                    n += 1
                    bid = f"building-{n:05d}"
                    name = f"{road}{lane0 + j // 15 + 1}巷{j % 15 + 1}号"
                    addr = ADDRESS_PREFIX + f"{c.zh}社区" + name
                    if c.converted:
                        rental, floors = r.random() < 0.9, r.randint(4, 9)
                    else:
                        rental, floors = r.random() < 0.45, r.choice((6, 8, 12, 18, 26, 32))
                    self.node(bid, labels_of("Building"), name=name, address=addr,
                              rental=rental, floors=floors)
                    self.rel("IN_GRID", bid, grid_of[i])
                    self.rel("PART_OF", bid, gid)
                    self.building_group[bid] = gid
                    self.building_addr[bid] = addr
                    self.building_floors[bid] = floors
                    self.group_buildings[gid].append(bid)
                    ids.append(bid)
                    i += 1
            self.buildings[c.slug] = ids

    # ------------------------------------------------------------ economy
    def _economy(self) -> None:
        r = self.r
        kinds = list(ENTERPRISE_KINDS)
        weights = [ENTERPRISE_KINDS[k][1] for k in kinds]
        total = sum(c.enterprises for c in COMMUNITIES)
        industries = ["零售"] * 200 + r.choices(kinds, weights, k=total - 200)
        r.shuffle(industries)
        words = [a + b for a in NAME_WORDS for b in NAME_WORDS if a != b]
        names = r.sample(words, total)
        self.ents = {"retail": [], "manufacturing": [], "other": []}
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
                self.ents[kind].append(eid)
                self.ent_com[eid] = c.slug
                self.ent_emp[eid] = emp
        self._ent_ind: dict[str, str] = {}
        self._ent_names: dict[str, str] = {}
        for i, (ind, word) in enumerate(zip(industries, names, strict=True)):
            if ind == "零售":
                suffix = RETAIL_SUFFIXES[i % len(RETAIL_SUFFIXES)]
            else:
                suffix = ENTERPRISE_KINDS[ind][0][i % len(ENTERPRISE_KINDS[ind][0])]
            eid = f"enterprise-{i + 1:04d}"
            self._ent_ind[eid] = ind
            self._ent_names[eid] = f"深圳市{word}{suffix}有限公司"
        # parks, stationed units, social organisations
        converted = [c for c in COMMUNITIES if c.converted]
        self.parks: list[str] = []
        self.park_com: dict[str, str] = {}
        self.park_name: dict[str, str] = {}
        pw = r.sample(words, 15)
        for k in range(1, 16):
            c = converted[(k - 1) % len(converted)]
            self.park_name[f"park-{k:02d}"] = f"{c.zh}{pw[k - 1]}工业园"
            pid = self.node(f"park-{k:02d}", labels_of("IndustrialPark"),
                            name=self.park_name[f"park-{k:02d}"],
                            area_km2=round(r.uniform(0.05, 0.6), 3))
            self.rel("IN", pid, f"community-{c.slug}")
            self.parks.append(pid)
            self.park_com[pid] = c.slug
        street_level = ("派出所", "交警", "消防", "供电所", "市场监督", "税务")
        self.units: list[tuple[str, str, bool]] = []  # (id, community, has branch)
        self.unit_name: dict[str, str] = {}
        others = [c for c in COMMUNITIES if c.slug != "xinqiao"]
        for k, (tpl, ind, has_branch) in enumerate(STATIONED_UNITS, 1):
            if any(s in tpl for s in street_level):
                c = self.com["xinqiao"]
            else:
                c = others[(k * 5) % len(others)] if k % 3 else self.com["xinqiao"]
            uid = f"unit-{k:02d}"
            name = tpl.format(c=c.zh)
            self.node(uid, labels_of("StationedUnit"), name=name, industry=ind)
            self.rel("IN", uid, f"community-{c.slug}")
            self.units.append((uid, c.slug, has_branch))
            self.unit_name[uid] = name
        self.police_station = next(u for u, _, _ in self.units
                                   if "派出所" in self.unit_name[u])
        self.traffic_unit = next(u for u, _, _ in self.units if "交警" in self.unit_name[u])
        self.propcos: list[str] = []
        self.swcs: dict[str, str] = {}
        estates = ("花园", "雅苑", "名居", "豪庭", "华府", "新城")
        n_oc = 0
        for ci, c in enumerate(COMMUNITIES):
            for k in range(3):
                pid = self.node(f"propco-{ci * 3 + k + 1:02d}", labels_of("PropertyCompany"),
                                name=f"深圳市{r.choice(words)}物业管理有限公司")
                self.rel("IN", pid, f"community-{c.slug}")
                self.propcos.append(pid)
            for _ in range(4 if not c.converted else (1 if ci % 2 else 0)):
                n_oc += 1
                oc = self.node(f"owners-{n_oc:02d}", labels_of("OwnersCommittee"),
                               name=f"{c.zh}{r.choice(words)}{r.choice(estates)}业主委员会")
                self.rel("IN", oc, f"community-{c.slug}")
            swc = self.node(f"swc-{c.slug}", labels_of("SocialWorkCenter"),
                            name=f"{c.zh}社区党群服务中心")
            self.rel("IN", swc, f"community-{c.slug}")
            self.swcs[c.slug] = swc
        self.swcs["street"] = self.node("swc-street", labels_of("SocialWorkCenter"),
                                        name="新桥街道党群服务中心")
        self.rel("IN", "swc-street", "community-xinqiao")

    def _emit_enterprises(self) -> None:
        """Enterprise nodes go out once employee numbers are known."""
        for eid in sorted(self.ent_com):
            self.node(eid, labels_of("Enterprise"), name=self._ent_names[eid],
                      industry=self._ent_ind[eid], employees=self.ent_emp[eid])
            self.rel("IN", eid, f"community-{self.ent_com[eid]}")

    # ------------------------------------------------------------ staff
    def _staff(self) -> None:
        r = self.r
        coms = list(COMMUNITIES)
        pops = [c.population for c in coms]
        not_eval: list[str] = []
        dept_staff: dict[tuple[str, str], list[str]] = {}
        evaluated: list[str] = []
        staff_com: dict[str, str] = {}
        for slug, _short, _full, _field, count in DEPARTMENTS:
            for c, k in zip(coms, largest_remainder(count, pops), strict=True):
                for _ in range(k):
                    emp = r.choices(("temporary", "auxiliary", "contract", "civil_servant"),
                                    (45, 35, 12, 8))[0]
                    pid = self.person(("DeployedStaff",), self.birth_age(23, 55),
                                      employment=emp)
                    self.rel("FROM_DEPT", pid, f"dept-{slug}")
                    self.rel("DEPLOYED_TO", pid, f"community-{c.slug}",
                             since=self.job_since(pid, self.ago(30, 1800)))
                    dept_staff.setdefault((slug, c.slug), []).append(pid)
                    evaluated.append(pid)
                    staff_com[pid] = c.slug
        skip = set(r.sample(evaluated, round(0.05 * len(evaluated))))
        for pid in evaluated:
            if pid in skip:
                not_eval.append(pid)
                continue
            self.rel("EVALUATES", f"committee-{staff_com[pid]}", pid,
                     weight=r.choice((0.2, 0.3, 0.3, 0.4)))
        # grid workers: one per base grid, except ~4% planted without
        base_all = [g for c in coms for g in self.base_grids[c.slug]]
        without = set(r.sample(base_all, round(0.04 * len(base_all))))
        for c in coms:
            for gid in self.base_grids[c.slug]:
                if gid in without:
                    continue
                pid = self.person(("GridWorker",), self.birth_age(22, 50))
                self.rel("WORKS_AT", pid, f"workstation-{c.slug}",
                         since=self.job_since(pid, self.ago(60, 2500)))
                self.rel("RESPONSIBLE_FOR", pid, gid, since=self.job_since(pid, self.ago(30, 2000)))
                self.grid_worker[gid] = pid
        self.planted["grids_without_worker"] = sorted(without)
        # special grids: police officers, traffic police, deployed staff
        chief_skip = r.choice(coms).slug
        for c in coms:
            chief_done = False
            for kind, gid in self.special_grids[c.slug]:
                start = self.ago(30, 1500)
                if kind == "police":
                    labs = ("PoliceOfficer",) if chief_done else ("PoliceChief",)
                    pid = self.person(labs, self.birth_age(26, 52), male=r.random() < 0.8)
                    self.rel("WORKS_AT", pid, self.police_station,
                             since=self.job_since(pid, start))
                    if not chief_done:
                        chief_done = True
                        if c.slug == chief_skip:
                            not_eval.append(pid)
                        else:
                            self.rel("EVALUATES", f"committee-{c.slug}", pid, weight=0.3)
                elif kind == "traffic":
                    pid = self.person(("PoliceOfficer",), self.birth_age(25, 50),
                                      male=r.random() < 0.85)
                    self.rel("WORKS_AT", pid, self.traffic_unit, since=self.job_since(pid, start))
                else:
                    pool = dept_staff[("ajb" if kind == "security" else "xaw", c.slug)]
                    pid = r.choice(pool)
                    self.staff_with_grid.add(pid)
                self.rel("RESPONSIBLE_FOR", pid, gid, since=self.job_since(pid, start))
        self.planted["not_evaluated"] = sorted(not_eval)
        self.dept_staff, self.staff_com = dept_staff, staff_com
        # social workers and the centres they work at
        for c in coms:
            for _ in range(r.randint(4, 7)):
                pid = self.person(("SocialWorker",), self.birth_age(22, 45),
                                  male=r.random() < 0.3)
                self.rel("WORKS_AT", pid, self.swcs[c.slug],
                         since=self.job_since(pid, self.ago(30, 2500)))

    # ------------------------------------------------------------ 两长两员
    def _two_heads_two_staff(self) -> None:
        r = self.r
        all_b = [b for c in COMMUNITIES for b in self.buildings[c.slug]]
        n_heads = TWO_HEADS_TWO_STAFF["BuildingHead"]
        headed = sorted(r.sample(all_b, n_heads))
        self.planted["buildings_without_head"] = sorted(set(all_b) - set(headed))
        converted_b = {b for c in COMMUNITIES if c.converted for b in self.buildings[c.slug]}
        for b in headed:
            landlord = b in converted_b and r.random() < 0.6
            labs = ("BuildingHead", "Landlord") if landlord else ("BuildingHead",)
            pid = self.person(labs, self.birth_age(28, 72), registered=landlord and
                              r.random() < 0.5, address=self.building_addr[b])
            self.rel("HEADS", pid, b, since=self.job_since(pid, self.ago(30, 3000)))
        # shop managers: every retail enterprise gets at least one
        retail = self.ents["retail"]
        n_shop = TWO_HEADS_TWO_STAFF["ShopManager"]
        sizes = split_sizes(r, n_shop, len(retail), 1, spread=0.9)
        for eid, k in zip(retail, sizes, strict=True):
            self.ent_emp[eid] = k * 3 + r.randint(2, 25)
            for _ in range(k):
                pid = self.person(("ShopManager",), self.birth_age(21, 55))
                self.rel("WORKS_AT", pid, eid, since=self.job_since(pid, self.ago(20, 3000)))
        sizes = split_sizes(r, TWO_HEADS_TWO_STAFF["PropertyStaff"], len(self.propcos), 20)
        for pc, k in zip(self.propcos, sizes, strict=True):
            for _ in range(k):
                pid = self.person(("PropertyStaff",), self.birth_age(20, 58))
                self.rel("WORKS_AT", pid, pc, since=self.job_since(pid, self.ago(20, 3000)))
        # security guards at the larger factories and the industrial parks
        manu = sorted(self.ents["manufacturing"], key=lambda e: (-self.ent_emp[e], e))
        sites = manu[:200] + self.parks
        sizes = split_sizes(r, TWO_HEADS_TWO_STAFF["SecurityGuard"], len(sites), 2, spread=0.9)
        for site, k in zip(sites, sizes, strict=True):
            if site.startswith("enterprise-"):
                self.ent_emp[site] = max(self.ent_emp[site], k * 8)
            for _ in range(k):
                pid = self.person(("SecurityGuard",), self.birth_age(20, 58),
                                  male=r.random() < 0.9)
                self.rel("WORKS_AT", pid, site, since=self.job_since(pid, self.ago(20, 2500)))
        self._emit_enterprises()
