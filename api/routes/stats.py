"""Counts per label, relationship type and grid kind."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import StoreDep
from queries.stats import GraphStats, graph_stats

router = APIRouter(prefix="/api/v1", tags=["stats"])


@router.get("/stats", response_model=GraphStats)
def get_stats(store: StoreDep) -> GraphStats:
    """Nodes per label and relationships per type, each with its Chinese name."""
    return graph_stats(store)
