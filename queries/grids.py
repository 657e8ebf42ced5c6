"""Grids on the map: where special grids (security, fire, police, traffic) overlap the
base grids, which of them cross community boundaries, and which base grids are too
large (docs/domain.md §3 item 4, §5.4: grids overlap and cross, some are too big).

Geometry is GeoJSON in WGS 84 (longitude, latitude) on ``Grid.geometry`` and
``Community.geometry``. Areas are computed in a local equirectangular projection
centred on the street (metres; at street scale its error is far below a rounding of
the areas to square metres). Intersections use shapely with an STRtree, never
hand-written geometry.

Projections and areas: :mod:`graph.geo`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from graph.geo import from_geojson
from graph.model import Rel
from graph.store import GraphReader, GraphStore
from queries.common import NodeRef, current, day_of, node_ref

__all__ = ["overlap_analysis", "OverlapReport", "write_overlaps", "SPECIAL"]

SPECIAL = ("security", "fire", "police", "traffic")


class Overlap(BaseModel):
    base_grid: NodeRef
    community: NodeRef | None
    area_km2: float
    share: float  # of the special grid's area


class SpecialGridReport(BaseModel):
    grid: NodeRef
    kind: str
    community: NodeRef | None
    area_km2: float
    overlaps: list[Overlap]
    communities_crossed: list[NodeRef]  # the communities its area reaches, when > 1


class LargeGrid(BaseModel):
    grid: NodeRef
    community: NodeRef | None
    area_km2: float
    residents: int  # living in its buildings now
    workers: int  # responsible for it now
    residents_per_worker: float | None  # None: nobody is responsible
    reasons: list[str]  # "area", "residents_per_worker"


class OverlapReport(BaseModel):
    special_grids: list[SpecialGridReport]
    crossing: list[str]  # ids of special grids reaching more than one community
    too_large: list[LargeGrid]
    max_area_km2: float
    min_share: float
    max_residents_per_worker: int
    without_geometry: list[str]


@dataclass
class _Grid:
    ref: NodeRef
    kind: str
    community: NodeRef | None
    geom: BaseGeometry  # metres


def _load(store: GraphReader) -> tuple[list[_Grid], list[str]]:
    schema = store.schema
    grids = list(store.nodes("Grid"))
    homes = store.adjacent_many([g.id for g in grids], ["IN"], "out", ["Community"])
    communities = {c.id: c for c in store.nodes("Community")}
    out, missing = [], []
    for g in grids:
        raw = g.properties.get("geometry")
        if not raw:
            missing.append(g.id)
            continue
        home = homes.get(g.id) or []
        cref = node_ref(schema, communities[home[0].other]) if home else None
        out.append(_Grid(node_ref(schema, g), str(g.properties.get("kind")), cref,
                         from_geojson(raw)))
    return out, sorted(missing)


def _grid_load(store: GraphReader, ids: list[str], day: str) -> dict[str, tuple[int, int]]:
    """Base grid -> (residents living in its buildings, workers responsible for it)."""
    adj = store.adjacent_many(ids, ["IN_GRID", "RESPONSIBLE_FOR"], "in")
    buildings = {a.other for rels in adj.values() for a in rels
                 if a.rel.type == "IN_GRID" and "Building" in a.other_labels}
    living = store.count_current(sorted(buildings), "LIVES_IN", "in", ["Resident"], day)
    out = {}
    for gid, rels in adj.items():
        workers = len(current([a for a in rels if a.rel.type == "RESPONSIBLE_FOR"], day))
        residents = sum(living.get(a.other, 0) for a in rels if a.rel.type == "IN_GRID")
        out[gid] = (residents, workers)
    return out


def overlap_analysis(store: GraphReader, max_area_km2: float = 0.25,
                     min_share: float = 0.01, max_residents_per_worker: int = 1_000,
                     as_of: dt.date | str | None = None, census: bool = True
                     ) -> OverlapReport:
    """For each special grid, the base grids it overlaps (shared area, and its share of
    the special grid; overlaps under ``min_share`` are slivers of drawing, left out),
    the communities it reaches; and the base grids too large: over ``max_area_km2``, or
    with more than ``max_residents_per_worker`` residents per responsible worker (a
    grid nobody is responsible for counts as one worker). ``census=False`` skips the
    count of residents and workers (the geometry alone: a fraction of the time)."""
    grids, missing = _load(store)
    base = [g for g in grids if g.kind == "base"]
    tree = STRtree([g.geom for g in base])
    reports = []
    for g in sorted((g for g in grids if g.kind in SPECIAL), key=lambda g: g.ref.id):
        total = g.geom.area
        overlaps = []
        for i in tree.query(g.geom, predicate="intersects"):
            b = base[int(i)]
            shared = g.geom.intersection(b.geom).area
            if total and shared / total >= min_share:
                overlaps.append(Overlap(base_grid=b.ref, community=b.community,
                                        area_km2=round(shared / 1e6, 4),
                                        share=round(shared / total, 4)))
        overlaps.sort(key=lambda o: (-o.area_km2, o.base_grid.id))
        # the communities of the base grids it really overlaps (slivers left out)
        reached = sorted({o.community.id: o.community for o in overlaps
                          if o.community is not None}.values(), key=lambda r: r.id)
        reports.append(SpecialGridReport(
            grid=g.ref, kind=g.kind, community=g.community, area_km2=round(total / 1e6, 4),
            overlaps=overlaps, communities_crossed=reached if len(reached) > 1 else []))
    load = _grid_load(store, [g.ref.id for g in base], day_of(as_of)) if census else {}
    too_large = []
    for g in base:
        residents, workers = load.get(g.ref.id, (0, 0))
        per = round(residents / workers, 1) if workers else None
        reasons = (["area"] if g.geom.area / 1e6 > max_area_km2 else []) + (
            ["residents_per_worker"] if residents > max_residents_per_worker * max(workers, 1)
            else [])
        if reasons:
            too_large.append(LargeGrid(grid=g.ref, community=g.community,
                                       area_km2=round(g.geom.area / 1e6, 4), residents=residents,
                                       workers=workers, residents_per_worker=per,
                                       reasons=reasons))
    too_large.sort(key=lambda x: (-x.area_km2, x.grid.id))
    return OverlapReport(special_grids=reports,
                         crossing=[r.grid.id for r in reports if r.communities_crossed],
                         too_large=too_large, max_area_km2=max_area_km2, min_share=min_share,
                         max_residents_per_worker=max_residents_per_worker,
                         without_geometry=missing)


def write_overlaps(store: GraphStore, report: OverlapReport) -> int:
    """``OVERLAPS`` (special grid → base grid) with the shared area and share, so Cypher
    and the explorer can use them; returns how many were written."""
    rels = [Rel("OVERLAPS", r.grid.id, o.base_grid.id,
                {"area_km2": o.area_km2, "share": o.share})
            for r in report.special_grids for o in r.overlaps]
    for i in range(0, len(rels), 20_000):
        store.upsert([], rels[i:i + 20_000])
    return len(rels)

