"""巡查案件: the patrol-case evaluation (docs/domain.md §5.6) — per grid, handling
department or patroller, the ranking by closure rate (办结率, how cases are judged today)
beside the ranking by quality, efficiency and effect, each table paged on its own, with
the entities the two rankings set far apart marked.

``GET /cases/evaluation`` is asked as the caller with the route's own parameters (a
community token's answer holds its own grids and people only, a consumer's no people);
the community filter narrows the rows of that answer further (the route takes none), so
the page shows what the JSON shows or less. Ranks are the street's: filtering does not
re-rank.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from api.deps import API_PREFIX
from api.params import Day
from api.policy import CallerDep
from api.workbench.common import LangQ, Page, failed, page_router, paged, query
from api.workbench.internal import call_json
from api.workbench.render import render

__all__ = ["router", "PAGES"]

router = page_router()
PAGES = (Page("cases", 60, styles=("wb-cases.css",)),)

Grouping = Literal["grid", "department", "patroller"]
GROUPINGS = ("grid", "department", "patroller")
Days = Annotated[int, Query(ge=1, le=3650)]
Page_ = Annotated[int, Query(ge=1, le=10_000)]
Row = dict[str, Any]
#: the route's defaults (left out of the page's URL)
DEFAULTS = {"window_days": 365, "backlog_days": 30, "recur_days": 90, "min_cases": 5}


def _by(rank: str) -> Any:
    return lambda r: (r[rank] is None, r[rank] or 0, r["entity"]["id"])


@router.get("/cases", response_class=HTMLResponse)
async def cases(
    request: Request, caller: CallerDep,
    community: Annotated[str | None, Query(max_length=200)] = None,
    as_of: Day | None = None,
    window_days: Days = 365,
    backlog_days: Days = 30,
    recur_days: Days = 90,
    min_cases: Annotated[int, Query(ge=1, le=100_000)] = 5,
    grouping: Annotated[Grouping, Query()] = "grid",
    disagree_only: bool = False,
    rpage: Page_ = 1, spage: Page_ = 1,
    lang: LangQ = "zh",
) -> HTMLResponse:
    params = {"window_days": window_days, "backlog_days": backlog_days,
              "recur_days": recur_days, "min_cases": min_cases}
    a = await call_json(request, "GET", f"{API_PREFIX}/cases/evaluation",
                        {"as_of": as_of.isoformat() if as_of else None, **params})
    if not a.ok:
        return failed(a, lang)
    e = a.body
    rankings = {r["grouping"]: r for r in e["rankings"]}
    ranking = rankings[grouping]
    disagree = set(ranking["disagree"])
    # a community token: its own (all the JSON has); the form's "all" is empty
    community = caller.community or community or None
    seen = {r["community"]["id"]: r["community"] for rk in e["rankings"] for r in rk["rows"]
            if r.get("community") and r["community"].get("id")}
    communities = sorted(seen.values(), key=lambda c: (c["name"], c["id"]))
    rows: list[Row] = ranking["rows"]
    filtered = bool(community) and grouping != "department"  # departments serve the street
    if filtered:
        rows = [r for r in rows if (r.get("community") or {}).get("id") == community]
    if disagree_only:
        rows = [r for r in rows if r["entity"]["id"] in disagree]
    by_rate = paged(sorted(rows, key=_by("rank_by_closure_rate")), rpage)
    by_score = paged(sorted(rows, key=_by("rank_by_score")), spage)
    keep = {"community": community, "as_of": e["as_of"],
            **{k: v for k, v in params.items() if v != DEFAULTS[k]},
            "grouping": grouping if grouping != "grid" else None,
            "disagree_only": "true" if disagree_only else None, "lang": lang}
    pages = {"rpage": by_rate.page, "spage": by_score.page}

    def at(**moved: Any) -> str:
        """The query of this view with one table moved, or another grouping."""
        now = {**keep, **pages, **moved}
        return query(**{k: v for k, v in now.items()
                        if not (k in pages and v == 1)})

    return render(
        "f_cases.html", lang, e=e, rankings=rankings, groupings=GROUPINGS, grouping=grouping,
        ranking=ranking, disagree=disagree, by_rate=by_rate, by_score=by_score,
        community=community, communities=communities, bound=caller.community is not None,
        department_note=bool(community)
        and grouping == "department", disagree_only=disagree_only, query=at(), at=at,
        xlsx_url=f"{API_PREFIX}/cases/evaluation.xlsx?" + query(
            as_of=e["as_of"], community=community, **params),
        xlsx_name=f"巡查案件评价-{e['as_of']}.xlsx", **params)
