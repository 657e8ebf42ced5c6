"""The street's grids as a map: one GeoJSON FeatureCollection of the communities and
the grids, each grid with what the explorer's map overlays show — its overlaps with
grids of the other kind, whether it crosses a community boundary, what its post, duty
and person (定岗定责定人) lack, and its backlog of open patrol cases (巡办分离: cases
that pile up).

Nothing here draws geometry anew: overlaps and crossings are read from the stored
``OVERLAPS`` (special grid → base grid, written from the drawing by
:func:`queries.grids.write_overlaps`) and the grids' ``IN`` communities; what a base
grid lacks comes from :func:`queries.grid_duty.grid_duty`.

>>> from graph.embedded import EmbeddedStore
>>> import tempfile, os
>>> from tests.graphs import node, rel
>>> s = EmbeddedStore(os.path.join(tempfile.mkdtemp(), "g.db"))
>>> _ = s.upsert([node("g1", "Grid", kind="base"),
...               node("k1", "Case", status="open", reported_on="2026-05-01"),
...               node("k2", "Case", status="closed", reported_on="2026-05-01",
...                    closed_on="2026-06-10"),
...               node("k3", "Case", status="open", reported_on="2026-06-20")],
...              [rel("IN_GRID", k, "g1") for k in ("k1", "k2", "k3")])
>>> open_cases_by_grid(s, "2026-06-30"), open_cases_by_grid(s, "2026-06-01")
({'g1': 1}, {'g1': 2})
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any, Literal

from pydantic import BaseModel
from shapely.geometry import shape

from graph.errors import InvalidParameter
from graph.geo import area_km2
from graph.store import GraphReader
from queries.common import current, day_of
from queries.grid_duty import grid_duty
from queries.grids import SPECIAL

__all__ = ["open_cases_by_grid", "grid_map", "GridMap", "GridFeature", "GridProperties"]


class GridProperties(BaseModel):
    id: str
    name: str
    kind: str  # "community", or the grid's kind: base, security, fire, police, traffic, sub
    community: str | None  # the community's id (a community's own)
    area_km2: float
    overlaps: int  # OVERLAPS touching the grid, either direction
    crossing: bool  # a special grid overlapping base grids of two or more communities
    missing: list[str]  # a base grid's: "grid_worker", "police_officer", "building_heads"
    backlog: int  # cases open as of the day, reported at least backlog_days before it


class GridFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: str
    geometry: dict[str, Any]  # GeoJSON Polygon or MultiPolygon, WGS 84 lon/lat
    properties: GridProperties


class GridMap(BaseModel):
    """A GeoJSON FeatureCollection: communities first, then grids, each ordered by id."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[GridFeature]
    bbox: list[float] | None  # [west, south, east, north] of the features; None if none
    as_of: str
    backlog_days: int
    without_geometry: int  # grids left out for want of a geometry (communities: not drawn)


def _cutoff(day: str, older_than_days: int) -> str:
    if older_than_days < 0:
        raise InvalidParameter(f"older_than_days={older_than_days} must be 0 or more")
    return (dt.date.fromisoformat(day) - dt.timedelta(days=older_than_days)).isoformat()


def _open_cases(store: GraphReader, day: str, older_than_days: int) -> dict[str, set[str]]:
    """Grid id -> ids of its cases open on ``day`` and reported at least
    ``older_than_days`` before it."""
    cutoff = _cutoff(day, older_than_days)
    backlog = []
    for c in store.nodes("Case"):
        p = c.properties
        reported, closed = p.get("reported_on"), p.get("closed_on")
        if not reported or str(reported) > cutoff:
            continue  # too recent, reported after the day, or no date to age it by
        if p.get("status") == "open" or (closed is not None and str(closed) > day):
            backlog.append(c.id)
    where = store.adjacent_many(backlog, ["IN_GRID"], "out", ["Grid"])
    out: dict[str, set[str]] = defaultdict(set)
    for cid, grids in where.items():
        for a in grids:
            out[a.other].add(cid)
    return out


def open_cases_by_grid(store: GraphReader, as_of: dt.date | str | None = None,
                       older_than_days: int = 30) -> dict[str, int]:
    """Grid id -> the patrol cases in it still open on ``as_of`` (status open, or closed
    after that day) that were reported on or before ``as_of`` minus
    ``older_than_days``; grids with none are left out. A case reported after ``as_of``
    is not counted, nor one without a ``reported_on``."""
    return {g: len(cs) for g, cs in sorted(_open_cases(store, day_of(as_of),
                                                        older_than_days).items())}


def _parse(raw: Any) -> dict[str, Any] | None:
    if not raw:
        return None
    geo = json.loads(raw) if isinstance(raw, str) else raw
    return geo if isinstance(geo, dict) else None


def grid_map(store: GraphReader, as_of: dt.date | str | None = None, backlog_days: int = 30,
             community: str | None = None) -> GridMap:
    """The communities and grids with a geometry as GeoJSON features; with
    ``community``, that community and the grids in it only (a community's own view)."""
    day = day_of(as_of)
    opened = _open_cases(store, day, backlog_days)
    communities = {c.id: c for c in store.nodes("Community")}
    grids = list(store.nodes("Grid"))
    ids = [g.id for g in grids]
    homes = store.adjacent_many(ids, ["IN"], "out", ["Community"])
    home = {g: adj[0].other for g, adj in homes.items() if adj}
    overlaps = store.adjacent_many(ids, ["OVERLAPS"], "both", ["Grid"])
    kinds = {g.id: str(g.properties.get("kind")) for g in grids}
    missing = {gap.grid.id: gap.missing for gap in grid_duty(store, day).gaps}
    shown = set(communities) if community is None else {community} & set(communities)
    features, left_out = [], 0
    items = [(c, "community", c.id) for c in communities.values() if c.id in shown] + [
        (g, kinds[g.id], home.get(g.id)) for g in grids
        if community is None or home.get(g.id) == community]
    for n, kind, cid in items:
        geo = _parse(n.properties.get("geometry"))
        if geo is None:
            if kind != "community":
                left_out += 1
            continue
        rels = current(overlaps.get(n.id, []), day) if kind != "community" else []
        # the communities of the base grids a special grid overlaps
        reached = {home.get(a.other) for a in rels if a.direction == "out"
                   and kinds.get(a.other) == "base"} - {None}
        cases = (opened.get(n.id, set()) if kind != "community" else
                 {k for g, ks in opened.items() if home.get(g) == n.id for k in ks})
        features.append(GridFeature(id=n.id, geometry=geo, properties=GridProperties(
            id=n.id, name=n.name, kind=kind, community=cid,
            area_km2=round(area_km2(shape(geo)), 4), overlaps=len(rels),
            crossing=kind in SPECIAL and len(reached) > 1,
            missing=missing.get(n.id, []) if kind == "base" else [], backlog=len(cases))))
    bounds = [shape(f.geometry).bounds for f in features]
    bbox = ([min(b[0] for b in bounds), min(b[1] for b in bounds),
             max(b[2] for b in bounds), max(b[3] for b in bounds)] if bounds else None)
    return GridMap(features=features, bbox=bbox, as_of=day, backlog_days=backlog_days,
                   without_geometry=left_out)
