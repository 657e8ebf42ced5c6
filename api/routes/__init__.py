"""One router per resource; :data:`api_router` gathers the data routers behind the token
check (``api/app.py`` mounts it once, under the version prefix).

Each router, or each route where those of one router differ, declares who may call it
(``Depends(allow(...))``, ``api/policy.py``); a route that declares nothing is refused
for every role.
"""

from fastapi import APIRouter, Depends

from api.policy import get_caller
from api.routes import (
    audit,
    chains,
    communities,
    community_tree,
    forces,
    gaps,
    grids,
    nodes,
    orgs,
    overview,
    pairings,
    rosters,
    schema,
    stats,
)

__all__ = ["api_router"]

api_router = APIRouter(dependencies=[Depends(get_caller)])
for _module in (schema, stats, nodes, orgs, chains, gaps, pairings, communities, rosters,
                audit, grids, forces, overview, community_tree):
    api_router.include_router(_module.router)
