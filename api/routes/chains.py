"""Leadership chains (领导链)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from api.deps import StoreDep, run_query
from api.params import Day
from api.policy import EVERY_ROLE, CallerDep, allow
from queries.leadership_chain import LeadershipChain, leadership_chain, without_homes

router = APIRouter(tags=["chains"], dependencies=[Depends(allow(*EVERY_ROLE))])


@router.get("/chains/leadership/{node_id}", response_model=LeadershipChain)
async def get_leadership_chain(node_id: Annotated[str, Path(min_length=1, max_length=200)],
                         store: StoreDep, caller: CallerDep,
                         as_of: Day | None = None) -> LeadershipChain:
    """From any node up to the street working committee: each step with its leader,
    every missing link as a break with its reason. For every role but admin a
    person's home is shown only to the community: the building and grid between a
    resident and the community are left out, and a building's head is not named."""
    chain = await run_query(store, leadership_chain, store, node_id, as_of)
    return chain if caller.role == "admin" else without_homes(chain, store.schema)
