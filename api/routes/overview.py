"""The street at a glance (街道总览): each community's figures and the street's totals."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.cache import cached
from api.deps import StoreDep, run_heavy
from api.params import Day
from api.policy import EVERY_ROLE, CallerDep, allow
from queries.overview import StreetOverview, street_overview

router = APIRouter(tags=["overview"], dependencies=[Depends(allow(*EVERY_ROLE))])


@router.get("/overview", response_model=StreetOverview)
async def get_overview(
    store: StoreDep,
    caller: CallerDep,
    as_of: Day | None = None,
    new_years: Annotated[int, Query(ge=0, le=100)] = 5,
    backlog_days: Annotated[int, Query(ge=0, le=3650)] = 30,
) -> StreetOverview:
    """Per community: party members, branches and the weak share, resident groups and
    the hollow share, new members and how many have a mentor, base grids lacking a
    grid worker / police officer / building heads, deployed staff per 10,000 residents,
    the case backlog; and the totals of the communities shown. A community token sees
    its own community only (and totals of it alone)."""
    day = as_of or dt.date.today()
    # several whole-street reports at once: off the event loop (a costly request,
    # api/limits.py), each answer kept until the store changes
    return await run_heavy(
        cached, store, ("overview", caller.community, day, new_years, backlog_days),
        lambda: street_overview(store, day, caller.community, new_years, backlog_days))
