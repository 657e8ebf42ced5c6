"""Middle weakening (中间弱化)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.cache import cached
from api.deps import StoreDep, run_query
from api.exports import XLSX_MEDIA_TYPE, middle_weakening_xlsx, xlsx_response
from api.params import Day
from api.policy import EVERY_ROLE, PERSON_ROLES, CallerDep, allow
from queries.middle_weakening import MiddleWeakening, Thresholds, middle_weakening

router = APIRouter(tags=["gaps"], dependencies=[Depends(allow(*EVERY_ROLE))])


@router.get("/gaps/middle-weakening", response_model=MiddleWeakening)
async def get_middle_weakening(
    store: StoreDep,
    caller: CallerDep,
    community: Annotated[str | None, Query(max_length=200)] = None,
    street: Annotated[str | None, Query(
        max_length=200, description="A street's id: its communities only (a district's "
        "graph holds several streets)")] = None,
    as_of: Day | None = None,
    min_full_members: Annotated[int, Query(ge=0, le=1000)] = 3,
    max_members: Annotated[int, Query(ge=0, le=100_000)] = 50,
    inactive_days: Annotated[int, Query(ge=0, le=3650)] = 90,
    new_member_years: Annotated[int, Query(ge=0, le=100)] = 5,
    limit: Annotated[int, Query(ge=1, le=1000, description="Gaps per page")] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> MiddleWeakening:
    """Weak branches, hollow resident groups, the gaps ranked by severity and a
    per-community summary, for the whole graph, one street or one community. ``gaps``
    is paginated by ``limit``/``offset`` (ranks are over the whole list). A community
    token sees its own community only."""
    community = caller.community or community
    th = Thresholds(min_full_members=min_full_members, max_members=max_members,
                    inactive_days=inactive_days, new_member_years=new_member_years)
    r: MiddleWeakening = await run_query(
        store, cached, store,
        ("middle_weakening", community, street, as_of or dt.date.today(), th),
        lambda: middle_weakening(store, community, as_of, th, street))
    return r.model_copy(update={"gaps": r.gaps[offset:offset + limit]})


@router.get("/gaps/middle-weakening.xlsx", response_class=Response,
            responses={200: {"content": {XLSX_MEDIA_TYPE: {}},
                             "description": "The report as .xlsx"}},
            dependencies=[Depends(allow(*PERSON_ROLES))])
def get_middle_weakening_xlsx(
    request: Request,
    store: StoreDep,
    caller: CallerDep,
    community: Annotated[str | None, Query(max_length=200)] = None,
    as_of: Day | None = None,
) -> Response:
    """The middle-weakening report (中间弱化问题清单) as an .xlsx ready to print: a
    summary sheet and one sheet per community, every gap (default thresholds)."""
    r = middle_weakening(store, caller.community or community, as_of)
    request.state.audit_ids = [b.secretary.id for b in r.weak_branches if b.secretary]
    return xlsx_response(middle_weakening_xlsx, r, f"middle-weakening-{r.as_of}.xlsx",
                         f"中间弱化问题清单-{r.as_of}.xlsx")
