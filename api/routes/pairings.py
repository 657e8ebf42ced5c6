"""New–veteran pairing (新老党员结对): proposals and acceptance."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.auth import CallerDep
from api.deps import StoreDep
from api.exports import XLSX_MEDIA_TYPE, attachment, pairing_xlsx
from queries.pairing import PairingProposal, accept_pairing, pairing_proposal

router = APIRouter(prefix="/api/v1", tags=["pairings"])


class ProposalRequest(BaseModel):
    community: Annotated[str | None, Field(max_length=200)] = None
    capacity: Annotated[int, Field(ge=0, le=50)] = 2
    as_of: dt.date | None = None
    new_years: Annotated[int, Field(ge=0, le=100)] = 5
    veteran_years: Annotated[int, Field(ge=0, le=100)] = 20
    young_age: Annotated[int, Field(ge=0, le=150)] = 35


class AcceptedPair(BaseModel):
    mentor: Annotated[str, Field(min_length=1, max_length=200)]
    mentee: Annotated[str, Field(min_length=1, max_length=200)]
    score: float | None = None


class AcceptRequest(BaseModel):
    pairs: Annotated[list[AcceptedPair], Field(min_length=1, max_length=5000)]
    since: dt.date | None = None


class AcceptResult(BaseModel):
    written: int
    since: str


@router.post("/pairings/proposals", response_model=PairingProposal)
def propose(req: ProposalRequest, store: StoreDep, caller: CallerDep) -> PairingProposal:
    """An optimal pairing plan; nothing is written. A community token plans its own
    community only."""
    return pairing_proposal(store, caller.community or req.community, req.capacity,
                            req.as_of, req.new_years, req.veteran_years, req.young_age)


@router.post("/pairings", response_model=AcceptResult, status_code=201)
def accept(req: AcceptRequest, store: StoreDep) -> AcceptResult:
    """Accept pairs: writes MENTORS (mentor → mentee) with ``since`` (default today)."""
    since = (req.since or dt.date.today()).isoformat()
    scores = {(p.mentor, p.mentee): p.score for p in req.pairs if p.score is not None}
    n = accept_pairing(store, [(p.mentor, p.mentee) for p in req.pairs], since, scores)
    return AcceptResult(written=n, since=since)


@router.get("/pairings/proposals.xlsx", response_class=Response,
            responses={200: {"content": {XLSX_MEDIA_TYPE: {}},
                             "description": "The proposal as .xlsx"}})
def propose_xlsx(
    request: Request,
    store: StoreDep,
    caller: CallerDep,
    community: Annotated[str | None, Query(max_length=200)] = None,
    capacity: Annotated[int, Query(ge=0, le=50)] = 2,
    as_of: dt.date | None = None,
) -> Response:
    """A pairing proposal (新老党员结对方案) as an .xlsx ready to print: a summary, one
    sheet per community, and the members left unpaired. Nothing is written."""
    import io

    p = pairing_proposal(store, caller.community or community, capacity, as_of)
    request.state.audit_ids = sorted({x.id for pair in (*p.pairs, *p.kept)
                                      for x in (pair.mentor, pair.mentee)}
                                     | {u.member.id for u in p.unpaired})
    buf = io.BytesIO()
    pairing_xlsx(p, buf)
    return Response(buf.getvalue(), media_type=XLSX_MEDIA_TYPE, headers=attachment(
        f"pairing-{p.as_of}.xlsx", f"新老党员结对方案-{p.as_of}.xlsx"))
