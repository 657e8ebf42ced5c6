"""Members of organisations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from api.deps import StoreDep
from api.models import Page, paginate
from api.params import Day
from api.policy import PERSON_ROLES, allow
from api.redaction import visible
from queries.lookups import Membership, org_members

router = APIRouter(tags=["organisations"], dependencies=[Depends(allow(*PERSON_ROLES))])


@router.get("/orgs/{org_id}/members", response_model=Page[Membership])
def get_members(
    request: Request,
    org_id: Annotated[str, Path(min_length=1, max_length=200)], store: StoreDep,
    include_sub: bool = True, as_of: Day | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[Membership]:
    """Current members of a party organisation and (by default) its sub-organisations."""
    return paginate(visible(request, org_members(store, org_id, include_sub, as_of)),
                    limit, offset)
