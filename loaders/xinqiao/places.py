"""The scenario's places: the street and its working committee, the departments, the
seven communities with their committees, workstations, residents' committees and
resident groups, the grids drawn on the map, and the buildings.

Each builder emits its records and returns what later builders need.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from shapely.geometry import Polygon
from shapely.ops import unary_union
from shapely.strtree import STRtree

from graph.geo import geojson, to_lonlat
from loaders.xinqiao.data import COMMUNITIES, DEPARTMENTS, NEIGHBOURS, STREET, cn_number, labels_of
from loaders.xinqiao.emit import Draws, Emitter
from loaders.xinqiao.geometry import StreetMap

__all__ = ["ADDRESS_PREFIX", "STREET_FOUNDED", "WORKING_COMMITTEE", "Buildings", "Grids",
           "Groups", "buildings", "communities", "grids", "split_sizes", "street"]

ADDRESS_PREFIX = "深圳市宝安区新桥街道"
STREET_FOUNDED = "2016-12-01"
WORKING_COMMITTEE = "wc-xinqiao"


def split_sizes(r: random.Random, total: int, parts: int, min_each: int = 1,
                spread: float = 0.6) -> list[int]:
    """``total`` split into ``parts`` random sizes, each >= ``min_each``, exact sum.

    >>> sizes = split_sizes(random.Random(1), 100, 7, 5)
    >>> sum(sizes), min(sizes) >= 5
    (100, True)
    """
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


@dataclass(frozen=True, slots=True)
class Groups:
    """Resident groups per community, and those planted hollow."""

    by_community: dict[str, list[str]]
    hollow: set[str]


@dataclass(frozen=True, slots=True)
class Grids:
    base: dict[str, list[str]]  # community -> base grids
    special: dict[str, list[tuple[str, str]]]  # community -> (kind, grid)
    crossing: list[str]  # special grids overlapping base grids of >= 2 communities


@dataclass(frozen=True, slots=True)
class Buildings:
    by_community: dict[str, list[str]]
    by_group: dict[str, list[str]]
    address: dict[str, str]
    floors: dict[str, int]


def street(em: Emitter) -> str:
    """The street, its working committee (returned) and the departments."""
    s = STREET
    em.node(s["id"], labels_of("Street"), **{k: v for k, v in s.items() if k != "id"})
    wc = em.node(WORKING_COMMITTEE, labels_of("WorkingCommittee"),
                 name="中共新桥街道工作委员会", founded_on=STREET_FOUNDED)
    em.rel("LEADS", wc, s["id"])
    for slug, _short, full, field, _n in DEPARTMENTS:
        em.node(f"dept-{slug}", labels_of("Department"), name=full, industry=field)
    return wc


def communities(em: Emitter, d: Draws, smap: StreetMap, wc: str) -> Groups:
    """Communities, what their committee leads, their resident groups."""
    r = d.r
    groups: dict[str, list[str]] = {}
    hollow: set[str] = set()
    for c in COMMUNITIES:
        cid = f"community-{c.slug}"
        em.node(cid, labels_of("Community"), name=f"{c.zh}社区", area_km2=c.area_km2,
                geometry=geojson(to_lonlat(smap.communities[c.slug])),
                population=c.population, registered_population=c.registered,
                village_converted=c.converted)
        em.rel("PART_OF", cid, STREET["id"])
        com = em.node(f"committee-{c.slug}", labels_of("Committee"),
                      name=f"中共新桥街道{c.zh}社区委员会",
                      founded_on=d.iso(d.ago(9000, 14000)))
        em.rel("SUB_ORG_OF", com, wc, since=STREET_FOUNDED)
        em.rel("LEADS", com, cid)
        ws = em.node(f"workstation-{c.slug}", labels_of("Workstation"),
                     name=f"{c.zh}社区工作站", duties_count=r.randint(158, 172))
        rc = em.node(f"rc-{c.slug}", labels_of("ResidentsCommittee"),
                     name=f"{c.zh}社区居民委员会")
        em.rel("LEADS", com, ws)
        em.rel("LEADS", com, rc)
        if c.converted:
            jsc = em.node(f"jsc-{c.slug}", labels_of("JointStockCompany"),
                          name=f"深圳市{c.zh}股份合作公司", industry="物业租赁与集体经济",
                          employees=r.randint(25, 160))
            em.rel("LEADS", com, jsc)
        gids = []
        for k in range(1, c.groups + 1):
            gid = em.node(f"group-{c.slug}-{k:02d}", labels_of("ResidentGroup"),
                          name=f"{c.zh}社区第{cn_number(k)}居民小组",
                          former_village_group=c.converted)
            em.rel("PART_OF", gid, cid)
            gids.append(gid)
        groups[c.slug] = gids
        hollow.update(r.sample(gids, c.hollow))
    return Groups(groups, hollow)


def grids(em: Emitter, d: Draws, smap: StreetMap) -> Grids:
    """Base grids tiling each community, special grids drawn over them (OVERLAPS from
    the drawing)."""
    r = d.r
    n = 0
    cell: dict[str, Polygon] = {}  # base grid -> its cell (metres)
    base_grids: dict[str, list[str]] = {}
    com_of: dict[str, str] = {}
    for c in COMMUNITIES:
        split_sizes(r, 10_000, c.base_grids, 20)  # drawn as before: same scenario
        ids = []
        for k, shape in enumerate(smap.cells(c.slug, c.base_grids), 1):
            n += 1
            gid = f"grid-base-{n:03d}"
            cell[gid] = shape
            em.node(gid, labels_of("Grid"), name=f"{c.zh}社区基础网格{k:02d}", kind="base",
                    area_km2=round(shape.area / 1e6, 4), geometry=geojson(to_lonlat(shape)))
            em.rel("IN", gid, f"community-{c.slug}")
            ids.append(gid)
            com_of[gid] = c.slug
        base_grids[c.slug] = ids
    crossing: list[str] = []
    base_ids = [g for c in COMMUNITIES for g in base_grids[c.slug]]
    base_tree = STRtree([cell[g] for g in base_ids])
    counters = {"security": 0, "fire": 0, "police": 0, "traffic": 0}
    zh = {"security": "安格", "fire": "消格", "police": "警格", "traffic": "交格"}
    cross_p = {"security": 0.2, "fire": 1.0, "police": 0.15, "traffic": 0.5}
    special: dict[str, list[tuple[str, str]]] = {}
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
                base = base_grids[c.slug]
                m = min(len(base), r.randint(lo, hi))
                start = r.randrange(len(base) - m + 1)
                over = [cell[t] for t in base[start:start + m]]
                if r.random() < cross_p[kind]:
                    nb = base_grids[r.choice(NEIGHBOURS[c.slug])]
                    near = smap.nearest([cell[t] for t in nb], unary_union(over),
                                        r.randint(1, 3))
                    over += [cell[nb[i]] for i in near]
                for _ in over:  # the planned overlap shares, drawn as before the map
                    r.uniform(0.15, 1.0)  # existed: everything after stays the same
                shape = smap.special(over)
            else:
                shape = smap.free_square(c.slug, r.uniform(0.3, 2.5) * 1e6)
            area = shape.area
            em.node(gid, labels_of("Grid"), name=f"{c.zh}{zh[kind]}{k:02d}", kind=kind,
                    area_km2=round(area / 1e6, 4), geometry=geojson(to_lonlat(shape)))
            em.rel("IN", gid, f"community-{c.slug}")
            # OVERLAPS from the drawing: shared area, its share of the special grid
            # (slivers under 1 % are drawing noise, as in queries/grids.py)
            touched = set()
            for i in base_tree.query(shape, predicate="intersects"):
                t = base_ids[int(i)]
                shared = shape.intersection(cell[t]).area
                if shared / area >= 0.01:
                    em.rel("OVERLAPS", gid, t, area_km2=round(shared / 1e6, 4),
                           share=round(shared / area, 4))
                    touched.add(com_of[t])
            if len(touched) >= 2:
                crossing.append(gid)
        special[c.slug] = mine
    return Grids(base_grids, special, sorted(crossing))


def buildings(em: Emitter, d: Draws, groups: Groups, base_grids: dict[str, list[str]]
              ) -> Buildings:
    """Buildings in contiguous runs per resident group and per base grid (so grids and
    groups correlate), with invented addresses."""
    r = d.r
    n = 0
    by_com: dict[str, list[str]] = {}
    by_group: dict[str, list[str]] = {}
    address: dict[str, str] = {}
    floors_of: dict[str, int] = {}
    for c in COMMUNITIES:
        gids = groups.by_community[c.slug]
        per_group = split_sizes(r, c.buildings, len(gids), 8)
        per_grid = split_sizes(r, c.buildings, len(base_grids[c.slug]), 3)
        grid_of = [g for g, sz in zip(base_grids[c.slug], per_grid, strict=True)
                   for _ in range(sz)]
        roads = [f"{c.zh}{x}路" for x in "东西南北中"] + [f"{c.zh}大道", f"{c.zh}新村"]
        ids: list[str] = []
        i = 0
        for gi, (gid, sz) in enumerate(zip(gids, per_group, strict=True)):
            road = roads[gi % len(roads)]
            lane0 = (gi // len(roads)) * 12
            by_group[gid] = []
            for j in range(sz):
                n += 1
                bid = f"building-{n:05d}"
                name = f"{road}{lane0 + j // 15 + 1}巷{j % 15 + 1}号"
                addr = ADDRESS_PREFIX + f"{c.zh}社区" + name
                if c.converted:
                    rental, floors = r.random() < 0.9, r.randint(4, 9)
                else:
                    rental, floors = r.random() < 0.45, r.choice((6, 8, 12, 18, 26, 32))
                em.node(bid, labels_of("Building"), name=name, address=addr,
                        rental=rental, floors=floors)
                em.rel("IN_GRID", bid, grid_of[i])
                em.rel("PART_OF", bid, gid)
                address[bid] = addr
                floors_of[bid] = floors
                by_group[gid].append(bid)
                ids.append(bid)
                i += 1
        by_com[c.slug] = ids
    return Buildings(by_com, by_group, address, floors_of)
