"""The paper's remedy for crossing grids: fold the special grids into sub-grids of the
base grids (多网合一).

Each base grid is assigned to exactly one special grid of each kind: the one it shares
the most area with (ties by id); a base grid no special grid of that kind touches goes
to the nearest one of that kind, preferring its own community. The special grid then
becomes the union of the base grids assigned to it: the proposal lists the base grids
each one gains and loses. The result is one sub-grid (``kind: sub``) per base grid and
kind, with the base grid's outline, ``PART_OF`` the base grid and the special grid —
so no sub-grid crosses a community boundary. ``accept_integration`` writes them.
"""

from __future__ import annotations

from pydantic import BaseModel
from shapely.strtree import STRtree

from graph.geo import geojson, to_lonlat
from graph.model import Node, Rel
from graph.store import GraphReader, GraphStore
from queries.common import NodeRef
from queries.grids import SPECIAL, _Grid, _load

__all__ = ["integration_proposal", "accept_integration", "IntegrationProposal"]


class Assignment(BaseModel):
    base_grid: NodeRef
    kind: str
    special_grid: NodeRef
    shared_km2: float  # 0: assigned as the nearest, no shared area
    how: str  # "largest_overlap" / "nearest_in_community" / "nearest"


class BoundaryChange(BaseModel):
    special_grid: NodeRef
    kind: str
    community: NodeRef | None
    gains: list[str]  # base grids it did not cover and now does
    loses: list[str]  # base grids it covered in part and no longer does
    base_grids: list[str]  # all of its base grids after the change
    area_km2: float  # after


class SubGrid(BaseModel):
    id: str
    name: str
    kind: str  # the special kind it serves
    base_grid: str
    special_grid: str
    community: str | None
    area_km2: float


class IntegrationProposal(BaseModel):
    assignments: list[Assignment]
    changes: list[BoundaryChange]
    sub_grids: list[SubGrid]
    kinds_without_grids: list[str]
    min_share: float


def integration_proposal(store: GraphReader, min_share: float = 0.01) -> IntegrationProposal:
    grids, _ = _load(store)
    base = sorted((g for g in grids if g.kind == "base"), key=lambda g: g.ref.id)
    assignments: list[Assignment] = []
    by_special: dict[str, list[_Grid]] = {}
    missing = []
    specials: dict[str, list[_Grid]] = {
        k: sorted((g for g in grids if g.kind == k), key=lambda g: g.ref.id) for k in SPECIAL}
    for kind, sp in specials.items():
        if not sp:
            missing.append(kind)
            continue
        tree = STRtree([g.geom for g in sp])
        for b in base:
            best: tuple[float, str, _Grid] | None = None
            for i in tree.query(b.geom, predicate="intersects"):
                s = sp[int(i)]
                shared = b.geom.intersection(s.geom).area
                if shared > 0 and (best is None or (-shared, s.ref.id) < (-best[0], best[1])):
                    best = (shared, s.ref.id, s)
            if best is not None:
                chosen, shared, how = best[2], best[0], "largest_overlap"
            else:
                own = [s for s in sp if b.community and s.community
                       and s.community.id == b.community.id]
                pool, how = (own, "nearest_in_community") if own else (sp, "nearest")
                chosen = min(pool, key=lambda s: (s.geom.distance(b.geom), s.ref.id))
                shared = 0.0
            assignments.append(Assignment(base_grid=b.ref, kind=kind, special_grid=chosen.ref,
                                          shared_km2=round(shared / 1e6, 4), how=how))
            by_special.setdefault(chosen.ref.id, []).append(b)
    changes = []
    for kind, sp in specials.items():
        for s in sp:
            now = sorted(b.ref.id for b in by_special.get(s.ref.id, []))
            before = sorted(b.ref.id for b in base
                            if s.geom.intersection(b.geom).area / s.geom.area >= min_share)
            changes.append(BoundaryChange(
                special_grid=s.ref, kind=kind, community=s.community,
                gains=[x for x in now if x not in before],
                loses=[x for x in before if x not in now], base_grids=now,
                area_km2=round(sum(b.geom.area for b in by_special.get(s.ref.id, [])) / 1e6, 4)))
    by_id = {b.ref.id: b for b in base}
    sub_grids = []
    for a in assignments:
        b = by_id[a.base_grid.id]
        sub_grids.append(SubGrid(id=f"{b.ref.id}~{a.kind}",
                                 name=f"{b.ref.name}·{a.special_grid.name}", kind=a.kind,
                                 base_grid=b.ref.id, special_grid=a.special_grid.id,
                                 community=b.community.id if b.community else None,
                                 area_km2=round(b.geom.area / 1e6, 4)))
    return IntegrationProposal(assignments=assignments, changes=changes, sub_grids=sub_grids,
                               kinds_without_grids=missing, min_share=min_share)


def accept_integration(store: GraphStore, proposal: IntegrationProposal) -> int:
    """Write the sub-grids (``kind: sub``, the base grid's outline) with ``PART_OF`` the
    base grid and the special grid, and ``IN`` the community; returns how many."""
    geoms = {g.ref.id: g.geom for g in _load(store)[0]}
    nodes, rels = [], []
    for s in proposal.sub_grids:
        nodes.append(Node(s.id, ("Grid",), {"name": s.name, "kind": "sub",
                                             "area_km2": s.area_km2,
                                             "geometry": geojson(to_lonlat(geoms[s.base_grid]))}))
        rels += [Rel("PART_OF", s.id, s.base_grid), Rel("PART_OF", s.id, s.special_grid)]
        if s.community:
            rels.append(Rel("IN", s.id, s.community))
    for i in range(0, len(nodes), 5_000):
        chunk = {n.id for n in nodes[i:i + 5_000]}
        store.upsert(nodes[i:i + 5_000], [r for r in rels if r.start in chunk])
    return len(nodes)
