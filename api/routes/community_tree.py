"""A community's organisation tree (社区组织架构): committee → general branches →
branches → party groups, and the resident groups each covers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from api.deps import StoreDep, run_query
from api.params import Day
from api.policy import EVERY_ROLE, allow
from queries.community_tree import CommunityTree, community_tree

router = APIRouter(tags=["communities"], dependencies=[Depends(allow(*EVERY_ROLE))])


@router.get("/communities/{community_id}/tree", response_model=CommunityTree)
async def get_tree(community_id: Annotated[str, Path(min_length=1, max_length=200)],
                   store: StoreDep, as_of: Day | None = None) -> CommunityTree:
    """The party organisations under the community's committee as a tree (current
    ``SUB_ORG_OF`` on ``as_of``), each with its member count, whether it has a
    secretary, the resident groups it covers and the unit it is embedded in; the
    community's resident groups no organisation covers; what the committee leads and
    its alliance members. Organisations and counts only: no person is named."""
    return await run_query(store, community_tree, store, community_id, as_of)
