"""New–veteran pairing (新老党员结对): proposals and acceptance."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from api.deps import StoreDep
from api.exports import XLSX_MEDIA_TYPE, pairing_xlsx, xlsx_response
from api.params import Day, YoungAge
from api.policy import PERSON_ROLES, CallerDep, allow
from queries.pairing import PairingProposal, accept_pairing, pairing_proposal

router = APIRouter(tags=["pairings"], dependencies=[Depends(allow(*PERSON_ROLES))])


def _number(v: object) -> object:
    if isinstance(v, bool) or not isinstance(v, int | float | None):
        raise ValueError("must be a number")
    return v


class ProposalRequest(BaseModel):
    # strict numbers: `true` is not 1 (pydantic would take it)
    model_config = ConfigDict(extra="forbid")

    community: Annotated[str | None, Field(max_length=200)] = None
    capacity: Annotated[int, Field(ge=0, le=50)] = 2
    as_of: Day | None = None
    new_years: Annotated[int, Field(ge=0, le=100)] = 5
    veteran_years: Annotated[int, Field(ge=0, le=100)] = 20
    young_age: Annotated[Literal[17, 24, 35, 44, 54, 64], Field(
        description="Aged this or less counts as new; one of the age bands' tops (birth "
        "dates are masked to bands: for every role but admin, ages come from the band "
        "today)")] = 35

    @model_validator(mode="before")
    @classmethod
    def _no_booleans(cls, data: object) -> object:
        """JSON's true is not 1 (pydantic would take it as a count)."""
        if isinstance(data, dict):
            for k in ("capacity", "new_years", "veteran_years", "young_age"):
                if isinstance(data.get(k), bool):
                    raise ValueError(f"{k} must be an integer")
        return data


class AcceptedPair(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mentor: Annotated[str, Field(min_length=1, max_length=200)]
    mentee: Annotated[str, Field(min_length=1, max_length=200)]
    score: Annotated[float, BeforeValidator(_number)] | None = None


class AcceptRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pairs: Annotated[list[AcceptedPair], Field(min_length=1, max_length=5000)]
    since: Day | None = None


class AcceptResult(BaseModel):
    written: int
    since: str
    #: the MENTORS relationships written (their ids)
    ids: list[str] = []


@router.post("/pairings/proposals", response_model=PairingProposal)
def propose(req: ProposalRequest, store: StoreDep, caller: CallerDep) -> PairingProposal:
    """An optimal pairing plan; nothing is written. A community token plans its own
    community only. For every role but admin a member's age is that of their age band
    today (what the masked birth date shows), so no choice of ``as_of`` or
    ``young_age`` reveals more of a birth date than the band."""
    return pairing_proposal(store, caller.community or req.community, req.capacity,
                            req.as_of, req.new_years, req.veteran_years, req.young_age,
                            birth_bands=caller.role != "admin")


@router.post("/pairings", response_model=AcceptResult, status_code=201,
             dependencies=[Depends(allow("admin"))])
def accept(req: AcceptRequest, request: Request, store: StoreDep) -> AcceptResult:
    """Accept pairs: writes MENTORS (mentor → mentee) with ``since`` (default today)."""
    since = (req.since or dt.date.today()).isoformat()
    scores = {(p.mentor, p.mentee): p.score for p in req.pairs if p.score is not None}
    # the audit record names whom the change concerns (the answer names nobody)
    request.state.audit_ids = sorted({x for p in req.pairs for x in (p.mentor, p.mentee)})
    n = accept_pairing(store, [(p.mentor, p.mentee) for p in req.pairs], since, scores)
    return AcceptResult(written=n, since=since,
                        ids=[f"MENTORS:{p.mentor}->{p.mentee}:{since}" for p in req.pairs])


@router.get("/pairings/proposals.xlsx", response_class=Response,
            responses={200: {"content": {XLSX_MEDIA_TYPE: {}},
                             "description": "The proposal as .xlsx"}})
def propose_xlsx(
    request: Request,
    store: StoreDep,
    caller: CallerDep,
    community: Annotated[str | None, Query(max_length=200)] = None,
    capacity: Annotated[int, Query(ge=0, le=50)] = 2,
    as_of: Day | None = None,
    new_years: Annotated[int, Query(ge=0, le=100)] = 5,
    veteran_years: Annotated[int, Query(ge=0, le=100)] = 20,
    young_age: Annotated[YoungAge, Query(
        description="Aged this or less counts as new; an age band's top")] = 35,
) -> Response:
    """A pairing proposal (新老党员结对方案) as an .xlsx ready to print: a summary, one
    sheet per community, and the members left unpaired. Nothing is written. The same
    rules as ``POST /pairings/proposals``."""
    p = pairing_proposal(store, caller.community or community, capacity, as_of, new_years,
                         veteran_years, young_age, birth_bands=caller.role != "admin")
    request.state.audit_ids = sorted({x.id for pair in (*p.pairs, *p.kept)
                                      for x in (pair.mentor, pair.mentee)}
                                     | {u.member.id for u in p.unpaired})
    return xlsx_response(pairing_xlsx, p, f"pairing-{p.as_of}.xlsx",
                         f"新老党员结对方案-{p.as_of}.xlsx")
