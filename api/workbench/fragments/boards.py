"""三板一队: "three boards, one team" (三块牌子一套人马) — the people holding posts in two or
more organisations of one community (``/reports/three-boards``), filtered by community
and the number of organisations, paged, downloadable (``/reports/three-boards.xlsx``)
and printable. For the roles that may see people (the JSON refuses a consumer)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from api.deps import API_PREFIX, StoreDep
from api.params import Day
from api.policy import PERSON_ROLES, CallerDep
from api.workbench.common import LangQ, Page, failed, page_router, paged, query
from api.workbench.fragments.node import Names
from api.workbench.internal import Answer, call_json
from api.workbench.render import render

__all__ = ["router", "PAGES"]

router = page_router()
PAGES = (Page("boards", 70, roles=PERSON_ROLES, styles=("wb-community.css",)),)

#: the JSON route's largest page; a street holds far fewer post holders than this × pages
_LIMIT, _PAGES = 500, 100


async def _all(request: Request, params: dict[str, Any]) -> tuple[Answer, list[Any]]:
    """Every row of the three-boards report, page by page (the route pages by 500)."""
    rows: list[Any] = []
    for i in range(_PAGES):
        a = await call_json(request, "GET", f"{API_PREFIX}/reports/three-boards",
                            {**params, "limit": _LIMIT, "offset": i * _LIMIT})
        if not a.ok:
            return a, []
        rows += a.body["items"]
        if len(rows) >= a.body["total"] or not a.body["items"]:
            return a, rows
    return a, rows


@router.get("/boards", response_class=HTMLResponse)
async def boards(request: Request, caller: CallerDep, store: StoreDep,
                 community: Annotated[str | None, Query(max_length=200)] = None,
                 min_orgs: Annotated[int, Query(ge=2, le=20)] = 2,
                 as_of: Day | None = None,
                 page: Annotated[int, Query(ge=1, le=10_000)] = 1,
                 lang: LangQ = "zh") -> HTMLResponse:
    day = (as_of or dt.date.today()).isoformat()
    bound = caller.community is not None
    chosen = caller.community or community
    a, everyone = await _all(request, {"min_orgs": min_orgs, "as_of": day})
    if not a.ok:
        return failed(a, lang)
    choices = sorted({h["community"]["id"]: h["community"] for h in everyone}.values(),
                     key=lambda c: c["id"])
    rows = everyone
    if chosen and not bound:  # the JSON's own filter (and its 404 / 422 for a bad id)
        a, rows = await _all(request, {"community": chosen, "min_orgs": min_orgs, "as_of": day})
        if not a.ok:
            return failed(a, lang)
        if chosen not in {c["id"] for c in choices} and rows:
            choices.append(rows[0]["community"])
    p = paged(rows, page)
    keep = {"community": chosen, "min_orgs": min_orgs if min_orgs != 2 else None,
            "as_of": day, "lang": lang}
    return render(
        "f_boards.html", lang, rows=p.rows, total=p.total, page=p.page, pages=p.pages,
        first=(p.page - 1) * 20, choices=choices, community=chosen, bound=bound,
        min_orgs=min_orgs, as_of=day, names=Names(store.schema, lang),
        query=query(**keep, page=p.page if p.page > 1 else None),
        prev_query=query(**keep, page=p.page - 1), next_query=query(**keep, page=p.page + 1),
        xlsx_url=f"{API_PREFIX}/reports/three-boards.xlsx?"
        + query(community=chosen, min_orgs=keep["min_orgs"], as_of=day),
        xlsx_name=f"三块牌子一套人马-{day}.xlsx")
