"""The audit log (admins only): who read personal data or changed what, and why."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from api.deps import security_of
from api.policy import allow

router = APIRouter(tags=["audit"], dependencies=[Depends(allow("admin"))])


class AuditRecord(BaseModel):
    seq: int
    at: str
    token_id: str | None
    role: str | None
    method: str
    path: str
    purpose: str | None
    node_ids: list[str]
    status: int
    hash: str


class AuditPage(BaseModel):
    items: list[AuditRecord]
    total: int
    limit: int
    offset: int
    intact: bool


@router.get("/audit", response_model=AuditPage)
def get_audit(
    request: Request,
    token_id: Annotated[str | None, Query(max_length=64)] = None,
    node_id: Annotated[str | None, Query(max_length=200, description="Records naming this node")
                       ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> AuditPage:
    """Newest first; ``intact`` is the hash chain's verdict."""
    sec = security_of(request.app)
    items, total = sec.records(limit, offset, token_id, node_id)
    return AuditPage(items=[AuditRecord(**i) for i in items], total=total, limit=limit,
                     offset=offset, intact=sec.verify()[0])
