"""街道总览: the street and each community at a glance (the landing page)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.deps import API_PREFIX
from api.params import Day
from api.workbench.common import LangQ, Page, failed, page_router, query
from api.workbench.internal import call_json
from api.workbench.render import render
from queries.overview import MISSING

__all__ = ["router", "PAGES"]

router = page_router()
PAGES = (Page("overview", 0, scripts=("echarts.min.js",)),)


@router.get("/overview", response_class=HTMLResponse)
async def overview(request: Request, as_of: Day | None = None, lang: LangQ = "zh"
                   ) -> HTMLResponse:
    a = await call_json(request, "GET", f"{API_PREFIX}/overview",
                        {"as_of": as_of.isoformat() if as_of else None})
    if not a.ok:
        return failed(a, lang)
    o = a.body
    rows = o["communities"]
    return render("f_overview.html", lang, o=o, missing=MISSING,
                  query=query(as_of=o["as_of"], lang=lang),
                  weak=[round(r["weak_branch_share"] * 100, 1) for r in rows],
                  hollow=[round(r["hollow_group_share"] * 100, 1) for r in rows],
                  staff=[r["staff_per_10k_residents"] for r in rows])
