"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    store: str
    ready: bool


@router.get("/health", response_model=Health)
def health(request: Request) -> JSONResponse:
    """``ready`` is true when the store is open and answers."""
    store = getattr(request.app.state, "store", None)
    kind = getattr(request.app.state, "store_kind", "unknown")
    ready = False
    if store is not None:
        try:
            store.counts()
            ready = True
        except Exception:  # noqa: BLE001 - any failure means not ready
            ready = False
    body = Health(status="ok" if ready else "unavailable", store=kind, ready=ready)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
