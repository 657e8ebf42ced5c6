"""The workbench pages' content: ``/api/v1/workbench/<page>`` answers the HTML of one
page for the caller, rendered from the JSON route that holds its data, asked in-process
with the caller's token (:mod:`api.workbench.internal`)."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import API_PREFIX
from api.params import Day
from api.policy import EVERY_ROLE, PERSON_ROLES, CallerDep, allow
from api.workbench.internal import Answer, call_json
from api.workbench.render import render
from api.workbench.text import Lang
from queries.middle_weakening import REASONS
from queries.overview import MISSING

__all__ = ["router", "PAGE_SIZE"]

router = APIRouter(prefix="/workbench", include_in_schema=False,
                   dependencies=[Depends(allow(*EVERY_ROLE))])

#: gap rows per page
PAGE_SIZE = 20
LangQ = Annotated[Lang, Query()]


def _failed(a: Answer, lang: Lang) -> HTMLResponse:
    return render("error.html", lang, status=a.status, detail=a.detail)


def _query(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


@router.get("/overview", response_class=HTMLResponse)
async def overview(request: Request, as_of: Day | None = None, lang: LangQ = "zh"
                   ) -> HTMLResponse:
    a = await call_json(request, "GET", f"{API_PREFIX}/overview",
                        {"as_of": as_of.isoformat() if as_of else None})
    if not a.ok:
        return _failed(a, lang)
    o = a.body
    rows = o["communities"]
    return render("f_overview.html", lang, o=o, missing=MISSING,
                  query=_query(as_of=o["as_of"], lang=lang),
                  weak=[round(r["weak_branch_share"] * 100, 1) for r in rows],
                  hollow=[round(r["hollow_group_share"] * 100, 1) for r in rows],
                  staff=[r["staff_per_10k_residents"] for r in rows])


_SORTS = {
    "rank": lambda g: g["rank"],
    "residents": lambda g: (-g["residents_affected"], g["rank"]),
    "community": lambda g: ((g["community"] or {}).get("name") or "", g["rank"]),
}


@router.get("/gaps", response_class=HTMLResponse)
async def gaps(request: Request, caller: CallerDep,
               community: Annotated[str | None, Query(max_length=200)] = None,
               as_of: Day | None = None,
               sort: Annotated[Literal["rank", "residents", "community"], Query()] = "rank",
               page: Annotated[int, Query(ge=1, le=10_000)] = 1,
               lang: LangQ = "zh") -> HTMLResponse:
    day = as_of.isoformat() if as_of else None
    a = await call_json(request, "GET", f"{API_PREFIX}/gaps/middle-weakening",
                        {"community": community, "as_of": day, "limit": 1000})
    if not a.ok:
        return _failed(a, lang)
    r = a.body
    rows = sorted(r["gaps"], key=_SORTS[sort])
    for g in rows:
        g["reasons_en"] = [REASONS[x][1] if x in REASONS else x for x in g["reasons"]]
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    page = min(page, pages)
    shown = rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    chosen = caller.community or community
    base = {"community": chosen, "as_of": r["as_of"], "sort": sort, "lang": lang}
    xlsx = (f"{API_PREFIX}/gaps/middle-weakening.xlsx?"
            + _query(community=chosen, as_of=r["as_of"])) if caller.role in PERSON_ROLES \
        else None
    return render(
        "f_gaps.html", lang, r=r, rows=shown, total=len(rows), page=page, pages=pages,
        sort=sort, community=chosen, bound=caller.community is not None,
        communities=[s["community"] for s in r["summary"]],
        query=_query(**base, page=page if page > 1 else None),
        prev_query=_query(**base, page=page - 1), next_query=_query(**base, page=page + 1),
        xlsx_url=xlsx, xlsx_name=f"中间弱化问题清单-{r['as_of']}.xlsx")
