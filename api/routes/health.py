"""Liveness and readiness.

``/health/live`` answers 200 while the process serves; ``/health/ready`` answers 200
only when the store answers too (503 otherwise, e.g. while Neo4j is down);
``/health`` tells both in its body and answers 503 when not ready.

The handlers are ``async`` and never wait on the API's thread pool (a pool full of
requests to a hung Neo4j must not hold up liveness); readiness asks the store on a
thread of its own, and Neo4j's own breaker answers within seconds when it hangs.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import store_kind_of, store_of

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    live: bool
    ready: bool
    store: str
    detail: str | None = None


async def _check(request: Request) -> Health:
    detail = None
    ready = False
    try:
        store = store_of(request.app)  # StoreUnavailable before the lifespan opened it
        ready = bool(await asyncio.to_thread(store.ping) if store.reads_block
                     else store.ping())
    except Exception as e:  # noqa: BLE001 - any failure means not ready
        detail = str(e) if e.__class__.__module__.startswith("graph") else "store error"
    return Health(status="ok" if ready else "unavailable", live=True, ready=ready,
                  store=store_kind_of(request.app), detail=detail)


@router.get("/health", response_model=Health)
async def health(request: Request) -> JSONResponse:
    """Liveness and readiness in one body; 503 when the store does not answer."""
    h = await _check(request)
    return JSONResponse(h.model_dump(), status_code=200 if h.ready else 503,
                        headers=None if h.ready else {"Retry-After": "5"})


@router.get("/health/live", response_model=Health)
async def live(request: Request) -> Health:
    """200 while the API process serves, whatever the store does."""
    return Health(status="ok", live=True, ready=False, store=store_kind_of(request.app),
                  detail="liveness only; see /health/ready")


@router.get("/health/ready", response_model=Health)
async def ready(request: Request) -> JSONResponse:
    """200 when the store answers, 503 (with Retry-After) when it does not."""
    return await health(request)
