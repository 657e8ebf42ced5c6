"""Post, duty, person per grid (定岗定责定人): which base grids lack a responsible grid
worker, a police officer (through the police grids over them), or a head for each of
their buildings; and which workers are responsible for too many grids.

A base grid's police grids are those overlapping it (``OVERLAPS``, written by the
scenario or ``govgraph grids overlaps --write``); an officer is current when his
``RESPONSIBLE_FOR`` is.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from pydantic import BaseModel

from graph.store import GraphReader
from queries.common import NodeRef, current, day_of, is_current, node_ref

__all__ = ["grid_duty", "GridDuty"]


class GridGap(BaseModel):
    grid: NodeRef
    community: NodeRef | None
    missing: list[str]  # "grid_worker", "police_officer", "building_heads"
    buildings_without_head: list[str]


class BusyWorker(BaseModel):
    person: NodeRef
    grids: int


class GridDuty(BaseModel):
    as_of: str
    base_grids: int
    gaps: list[GridGap]
    busy_workers: list[BusyWorker]
    max_grids_per_worker: int


def grid_duty(store: GraphReader, as_of: dt.date | str | None = None,
              max_grids_per_worker: int = 2) -> GridDuty:
    day = day_of(as_of)
    schema = store.schema
    base = [g for g in store.nodes("Grid") if g.properties.get("kind") == "base"]
    ids = [g.id for g in base]
    adj = store.adjacent_many(ids, ["RESPONSIBLE_FOR", "IN_GRID", "OVERLAPS", "IN"], "in")
    homes = store.adjacent_many(ids, ["IN"], "out", ["Community"])
    communities = {c.id: c for c in store.nodes("Community")}
    police = {a.other for rels in adj.values() for a in rels
              if a.rel.type == "OVERLAPS" and "Grid" in a.other_labels}
    police_adj = store.adjacent_many(sorted(police), ["RESPONSIBLE_FOR"], "in",
                                     ["PoliceOfficer"])
    kinds = {g.id: g.properties.get("kind") for g in store.get_nodes(police).values()}
    # from the heads' side: a building's in-list holds its hundred residents too
    headed = {r.end for r in store.rels("HEADS") if is_current(r.properties, day)}
    load: dict[str, set[str]] = defaultdict(set)
    gaps = []
    for g in base:
        rels = adj.get(g.id, [])
        workers = [a for a in current([a for a in rels if a.rel.type == "RESPONSIBLE_FOR"], day)
                   if "GridWorker" in a.other_labels]
        for a in workers:
            load[a.other].add(g.id)
        officers = [o for a in rels if a.rel.type == "OVERLAPS" and kinds.get(a.other) == "police"
                    for o in current(police_adj.get(a.other, []), day)]
        # patrol cases are IN_GRID too: only buildings want a head
        blds = [a.other for a in rels if a.rel.type == "IN_GRID" and "Building" in a.other_labels]
        headless = sorted(b for b in blds if b not in headed)
        missing = (["grid_worker"] if not workers else []) + (
            ["police_officer"] if not officers else []) + (
            ["building_heads"] if headless else [])
        if missing:
            home = homes.get(g.id) or []
            gaps.append(GridGap(grid=node_ref(schema, g), community=node_ref(
                schema, communities[home[0].other]) if home else None, missing=missing,
                buildings_without_head=headless))
    people = store.get_nodes([p for p, gs in load.items() if len(gs) > max_grids_per_worker])
    busy = sorted((BusyWorker(person=node_ref(schema, people[p]), grids=len(load[p]))
                   for p in people), key=lambda b: (-b.grids, b.person.id))
    gaps.sort(key=lambda x: (-len(x.missing), x.grid.id))
    return GridDuty(as_of=day, base_grids=len(base), gaps=gaps, busy_workers=busy,
                    max_grids_per_worker=max_grids_per_worker)
