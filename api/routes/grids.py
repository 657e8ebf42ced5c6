"""Grids on the map: overlaps, crossings, oversized grids, and the integration of
special grids into sub-grids of the base grids (多网合一)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from api.cache import cached
from api.deps import StoreDep, run_heavy
from api.exports import XLSX_RESPONSES as XLSX
from api.exports import xlsx_download
from api.exports_grids import duty_xlsx, integration_xlsx, overlaps_xlsx
from api.params import Day
from api.policy import EVERY_ROLE, CallerDep, allow
from queries.common import in_community
from queries.grid_duty import GridDuty, grid_duty
from queries.grid_integration import IntegrationProposal, accept_integration, integration_proposal
from queries.grid_map import GridMap, grid_map
from queries.grids import OverlapReport, overlap_analysis

router = APIRouter(tags=["grids"], dependencies=[Depends(allow(*EVERY_ROLE))])

MinShare = Annotated[float, Query(ge=0, le=1, description="Overlaps below this share of a "
                                                       "special grid are drawing slivers")]
CommunityQ = Annotated[str | None, Query(max_length=200, description=(
    "One community's grids only (its id): the special grids in it, its base grids"))]



# Each report is a dependency declaring its parameters and running the query, shared by
# its JSON route and its .xlsx route.
async def overlaps(
    store: StoreDep,
    max_area_km2: Annotated[float, Query(gt=0, le=100)] = 0.25,
    min_share: MinShare = 0.01,
    max_residents_per_worker: Annotated[int, Query(ge=1, le=1_000_000)] = 1_000,
    as_of: Day | None = None,
    community: CommunityQ = None,
) -> OverlapReport:
    key = ("overlaps", max_area_km2, min_share, max_residents_per_worker,
           as_of or dt.date.today())
    r: OverlapReport = await run_heavy(cached, store, key, lambda: overlap_analysis(
        store, max_area_km2, min_share, max_residents_per_worker, as_of))
    if community is None:
        return r
    special = [s for s in r.special_grids if in_community(s.community, community)]
    return r.model_copy(update={
        "special_grids": special,
        "crossing": [s.grid.id for s in special if s.communities_crossed],
        "too_large": [g for g in r.too_large if in_community(g.community, community)]})


@router.get("/grids/overlaps", response_model=OverlapReport)
async def get_overlaps(r: Annotated[OverlapReport, Depends(overlaps)]) -> OverlapReport:
    """For each special grid, the base grids it overlaps (area, share), the special
    grids crossing community boundaries, and the base grids too large (area, or
    residents per responsible worker)."""
    return r


@router.get("/grids/overlaps.xlsx", response_class=Response, responses=XLSX)
async def get_overlaps_xlsx(request: Request, r: Annotated[OverlapReport, Depends(overlaps)]
                            ) -> Response:
    """The overlap analysis (网格交叉分析) as .xlsx."""
    return await xlsx_download(request, overlaps_xlsx, r, "grid-overlaps.xlsx",
                               "网格交叉分析.xlsx")


async def integration(store: StoreDep, min_share: MinShare = 0.01,
                      community: CommunityQ = None) -> IntegrationProposal:
    p: IntegrationProposal = await run_heavy(cached, store, ("integration", min_share),
                                             lambda: integration_proposal(store, min_share))
    if community is None:
        return p
    subs = [s for s in p.sub_grids if s.community == community]
    mine = {s.base_grid for s in subs}
    return p.model_copy(update={
        "assignments": [a for a in p.assignments if a.base_grid.id in mine],
        "changes": [c for c in p.changes if in_community(c.community, community)],
        "sub_grids": subs})


@router.get("/grids/integration", response_model=IntegrationProposal)
async def get_integration(p: Annotated[IntegrationProposal, Depends(integration)]
                          ) -> IntegrationProposal:
    """The proposal to fold special grids into sub-grids of the base grids: every base
    grid assigned once per kind, each special grid's gains and losses, the sub-grids.
    Nothing is written."""
    return p


@router.get("/grids/integration.xlsx", response_class=Response, responses=XLSX)
async def get_integration_xlsx(request: Request,
                               p: Annotated[IntegrationProposal, Depends(integration)]
                               ) -> Response:
    """The integration proposal (多网合一方案) as .xlsx."""
    return await xlsx_download(request, integration_xlsx, p, "grid-integration.xlsx",
                               "多网合一方案.xlsx")


class Accepted(BaseModel):
    sub_grids: int


@router.post("/grids/integration/accept", response_model=Accepted, status_code=201,
             dependencies=[Depends(allow("admin"))])
def post_integration(store: StoreDep, min_share: MinShare = 0.01) -> Accepted:
    """Accept the proposal: write its sub-grids (admins)."""
    return Accepted(sub_grids=accept_integration(store, integration_proposal(store, min_share)))


async def duty(
    store: StoreDep,
    as_of: Day | None = None,
    max_grids_per_worker: Annotated[int, Query(ge=1, le=1000)] = 2,
    community: CommunityQ = None,
) -> GridDuty:
    d = await run_heavy(grid_duty, store, as_of, max_grids_per_worker)
    if community is None:
        return d
    return d.model_copy(update={"gaps": [g for g in d.gaps
                                         if in_community(g.community, community)]})


@router.get("/grids/duty", response_model=GridDuty)
async def get_duty(d: Annotated[GridDuty, Depends(duty)]) -> GridDuty:
    """Post, duty, person per grid (定岗定责定人): base grids without a responsible grid
    worker, a police officer over them, or heads for their buildings; workers with too
    many grids."""
    return d


@router.get("/grids/duty.xlsx", response_class=Response, responses=XLSX)
async def get_duty_xlsx(request: Request, d: Annotated[GridDuty, Depends(duty)]) -> Response:
    """The post–duty–person report (定岗定责定人) as .xlsx."""
    return await xlsx_download(request, duty_xlsx, d, f"grid-duty-{d.as_of}.xlsx",
                               f"定岗定责定人-{d.as_of}.xlsx")


@router.get("/grids/map", response_model=GridMap)
async def get_map(
    store: StoreDep,
    caller: CallerDep,
    as_of: Day | None = None,
    backlog_days: Annotated[int, Query(ge=1, le=3650, description=(
        "A case open on as_of counts as backlog when reported at least this many days "
        "before it"))] = 30,
) -> GridMap:
    """The communities and grids as a GeoJSON FeatureCollection for the explorer's map:
    per grid its kind, community, area, overlaps, whether it crosses a community, what
    its post, duty and person lack, and its backlog of open cases. A community's token
    gets its own community and its grids only."""
    # not the redaction's business: features are no node references; scoped here
    community = (caller.community or "") if caller.role == "community" else None
    key = ("grid_map", as_of or dt.date.today(), backlog_days, community)
    return await run_heavy(cached, store, key,
                           lambda: grid_map(store, as_of, backlog_days, community))
