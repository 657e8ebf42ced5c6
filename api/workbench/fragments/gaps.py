"""中间弱化: the ranked gaps with their reasons, filtered, sorted, paged, downloadable."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from api.deps import API_PREFIX
from api.params import Day
from api.policy import PERSON_ROLES, CallerDep
from api.workbench.common import LangQ, Page, failed, page_router, paged, query
from api.workbench.internal import call_json
from api.workbench.render import render
from queries.middle_weakening import REASONS

__all__ = ["router", "PAGES"]

router = page_router()
PAGES = (Page("gaps", 20),)

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
        return failed(a, lang)
    r = a.body
    rows = sorted(r["gaps"], key=_SORTS[sort])
    for g in rows:
        g["reasons_en"] = [REASONS[x][1] if x in REASONS else x for x in g["reasons"]]
    p = paged(rows, page)
    chosen = caller.community or community
    base = {"community": chosen, "as_of": r["as_of"], "sort": sort, "lang": lang}
    xlsx = (f"{API_PREFIX}/gaps/middle-weakening.xlsx?"
            + query(community=chosen, as_of=r["as_of"])) if caller.role in PERSON_ROLES \
        else None
    return render(
        "f_gaps.html", lang, r=r, rows=p.rows, total=p.total, page=p.page, pages=p.pages,
        sort=sort, community=chosen, bound=caller.community is not None,
        communities=[s["community"] for s in r["summary"]],
        query=query(**base, page=p.page if p.page > 1 else None),
        prev_query=query(**base, page=p.page - 1), next_query=query(**base, page=p.page + 1),
        xlsx_url=xlsx, xlsx_name=f"中间弱化问题清单-{r['as_of']}.xlsx")
