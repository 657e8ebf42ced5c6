"""One community at a glance, and the "three boards, one team" report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from api.deps import StoreDep
from api.models import Page, paginate
from api.params import Day
from api.policy import EVERY_ROLE, PERSON_ROLES, CallerDep, allow
from api.redaction import visible
from queries.community import CommunityOverview, community_overview
from queries.lookups import PostHolder, three_boards

router = APIRouter(tags=["communities"], dependencies=[Depends(allow(*EVERY_ROLE))])


@router.get("/communities/{community_id}/summary", response_model=CommunityOverview)
def get_summary(community_id: Annotated[str, Path(min_length=1, max_length=200)],
                store: StoreDep, as_of: Day | None = None) -> CommunityOverview:
    """Counts, party structure health and post holders of one community."""
    return community_overview(store, community_id, as_of)


@router.get("/reports/three-boards", response_model=Page[PostHolder],
            dependencies=[Depends(allow(*PERSON_ROLES))])
def get_three_boards(
    request: Request,
    store: StoreDep,
    caller: CallerDep,
    community: Annotated[str | None, Query(max_length=200)] = None,
    min_orgs: Annotated[int, Query(ge=2, le=20)] = 2,
    as_of: Day | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[PostHolder]:
    """People holding posts in 2+ organisations of one community (三块牌子一套人马)."""
    return paginate(visible(request, three_boards(store, caller.community or community,
                                                  min_orgs, as_of)), limit, offset)

