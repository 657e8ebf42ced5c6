"""Front-line forces (下沉力量) and patrol cases (巡查案件): allocation against need,
staff not mobilised or not evaluated, and cases judged on quality, efficiency and
effect beside the closure rate. Each report also as a printable .xlsx."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.deps import StoreDep, run_heavy
from api.exports import XLSX_RESPONSES as XLSX
from api.exports import xlsx_download
from api.exports_grids import cases_xlsx, forces_xlsx
from api.params import Day
from api.policy import EVERY_ROLE, allow
from queries.cases import CaseEvaluation, case_evaluation
from queries.common import in_community
from queries.forces import ForcesReport, forces_report

router = APIRouter(tags=["forces"], dependencies=[Depends(allow(*EVERY_ROLE))])

Days = Annotated[int, Query(ge=1, le=3650, description="Look-back window in days")]
CommunityQ = Annotated[str | None, Query(max_length=200, description=(
    "One community's rows only (its id); figures compared across the street (spread, "
    "ranks) stay the street's"))]



# Each report is a dependency declaring its parameters and running the query, shared by
# its JSON route and its .xlsx route.
async def forces(store: StoreDep, as_of: Day | None = None, days: Days = 90,
                 community: CommunityQ = None) -> ForcesReport:
    r = await run_heavy(forces_report, store, as_of, days)
    if not community:
        return r
    return r.model_copy(update={
        "allocation": [a for a in r.allocation if in_community(a.community, community)],
        "not_mobilised": [x for x in r.not_mobilised if in_community(x.community, community)],
        "not_evaluated": [x for x in r.not_evaluated if in_community(x.community, community)]})


@router.get("/forces", response_model=ForcesReport)
async def get_forces(r: Annotated[ForcesReport, Depends(forces)]) -> ForcesReport:
    """Deployed staff per community against area, residents, base grids and duties;
    staff with no grid, case or activity in the last ``days``; staff and police
    chiefs their community committee does not evaluate."""
    return r


@router.get("/forces.xlsx", response_class=Response, responses=XLSX)
async def get_forces_xlsx(request: Request, r: Annotated[ForcesReport, Depends(forces)]
                          ) -> Response:
    """The front-line forces report (下沉力量) as .xlsx."""
    return await xlsx_download(request, forces_xlsx, r, f"forces-{r.as_of}.xlsx",
                               f"下沉力量-{r.as_of}.xlsx")


async def evaluation(
    store: StoreDep,
    as_of: Day | None = None,
    window_days: Days = 365,
    backlog_days: Days = 30,
    recur_days: Days = 90,
    min_cases: Annotated[int, Query(ge=1, le=100_000, description=(
        "Rank only entities with at least this many cases"))] = 5,
    community: CommunityQ = None,
) -> CaseEvaluation:
    e = await run_heavy(case_evaluation, store, as_of, window_days, backlog_days,
                        recur_days, min_cases)
    if not community:
        return e
    # grids and patrollers of the community; departments serve the whole street
    rankings = []
    for rk in e.rankings:
        if rk.grouping == "department":
            rankings.append(rk)
            continue
        rows = [r for r in rk.rows if in_community(r.community, community)]
        kept = {r.entity.id for r in rows}
        rankings.append(rk.model_copy(update={
            "rows": rows, "disagree": [i for i in rk.disagree if i in kept]}))
    return e.model_copy(update={"rankings": rankings})


@router.get("/cases/evaluation", response_model=CaseEvaluation)
async def get_case_evaluation(e: Annotated[CaseEvaluation, Depends(evaluation)]
                              ) -> CaseEvaluation:
    """Patrol cases per grid, handling department and patroller: quality, efficiency
    (median days to close), effect (recurrence) and a score, ranked beside the
    closure rate (办结率), with the entities the two rankings disagree on."""
    return e


@router.get("/cases/evaluation.xlsx", response_class=Response, responses=XLSX)
async def get_case_evaluation_xlsx(request: Request,
                                   e: Annotated[CaseEvaluation, Depends(evaluation)]
                                   ) -> Response:
    """The patrol-case evaluation (巡查案件评价) as .xlsx."""
    return await xlsx_download(request, cases_xlsx, e, f"cases-{e.as_of}.xlsx",
                               f"巡查案件评价-{e.as_of}.xlsx")
