"""Counts per label, relationship type and grid kind."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import StoreDep
from api.policy import EVERY_ROLE, allow
from queries.stats import GraphStats, graph_stats

router = APIRouter(tags=["stats"], dependencies=[Depends(allow(*EVERY_ROLE))])


@router.get("/stats", response_model=GraphStats)
def get_stats(store: StoreDep) -> GraphStats:
    """Nodes per label and relationships per type, each with its Chinese name."""
    return graph_stats(store)
