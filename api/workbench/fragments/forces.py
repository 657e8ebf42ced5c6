"""一线力量: the front-line forces report (docs/domain.md §5.5) — deployed staff per
community against area, residents, base grids and duties, what a split by need would
give, staff per department, and who is not mobilised or not evaluated; filtered, sorted,
paged, charted, downloadable and printable.

``GET /forces`` is asked as the caller with the route's parameters (a community token's
answer holds its own community and people, a consumer's no people); the community filter
narrows the rows of that answer further (the route takes none), so the page shows what
the JSON shows or less. The spread of the measures is the street's, as the JSON gives it.
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
from queries.forces import MEASURES

__all__ = ["router", "PAGES"]

router = page_router()
PAGES = (Page("forces", 50, scripts=("echarts.min.js",), styles=("wb-forces.css",)),)

Sort = Literal["community", "staff", "per_10k_residents", "per_km2", "per_grid",
               "per_100_duties"]
SORTS = ("community", "staff", "per_10k_residents", "per_km2", "per_grid", "per_100_duties")
Page_ = Annotated[int, Query(ge=1, le=10_000)]
Row = dict[str, Any]


def _sort_key(sort: str) -> Any:
    """Community by name; staff most first; a measure fewest first (the short-handed
    on top), communities without the measure last."""
    if sort == "community":
        return lambda a: (a["community"]["name"], a["community"]["id"])
    if sort == "staff":
        return lambda a: (-a["staff"], a["community"]["name"])
    return lambda a: (a[sort] is None, a[sort] or 0, a["community"]["name"])


def _in(rows: list[Row], community: str | None) -> list[Row]:
    return rows if not community else [
        r for r in rows if (r.get("community") or {}).get("id") == community]


@router.get("/forces", response_class=HTMLResponse)
async def forces(
    request: Request, caller: CallerDep,
    community: Annotated[str | None, Query(max_length=200)] = None,
    as_of: Day | None = None,
    days: Annotated[int, Query(ge=1, le=3650)] = 90,
    sort: Annotated[Sort, Query()] = "community",
    apage: Page_ = 1, ipage: Page_ = 1, epage: Page_ = 1,
    lang: LangQ = "zh",
) -> HTMLResponse:
    a = await call_json(request, "GET", f"{API_PREFIX}/forces",
                        {"as_of": as_of.isoformat() if as_of else None, "days": days})
    if not a.ok:
        return failed(a, lang)
    r = a.body
    chosen = caller.community or community or None  # the form's "all" is empty
    everyone = [x for x in r["allocation"] if x["community"].get("id")]
    communities = sorted((x["community"] for x in everyone), key=lambda c: (c["name"], c["id"]))
    allocation = sorted(_in(everyone, chosen), key=_sort_key(sort))
    alloc = paged(allocation, apage)
    idle = paged(_in(r["not_mobilised"], chosen), ipage)
    unrated = paged(_in(r["not_evaluated"], chosen), epage)
    departments = sorted({d for x in allocation for d in x["by_department"]})
    keep = {"community": chosen, "as_of": r["as_of"], "days": days if days != 90 else None,
            "sort": sort if sort != "community" else None, "lang": lang}
    pages = {"apage": alloc.page, "ipage": idle.page, "epage": unrated.page}

    def at(**moved: int) -> str:
        """The query of this view with one table moved to another page."""
        now = {**pages, **moved}
        return query(**keep, **{k: v for k, v in now.items() if v > 1})

    # the charts: every community shown, in the table's order
    names = [x["community"]["name"] for x in allocation]
    per_10k = [x["per_10k_residents"] for x in allocation]
    need = {"staff": [x["staff"] for x in allocation],
            "residents": [x["by_need"].get("residents") for x in allocation],
            "area": [x["by_need"].get("area") for x in allocation]}
    return render(
        "f_forces.html", lang, r=r, alloc=alloc, idle=idle, unrated=unrated,
        departments=departments, shown=allocation, dept_total={
            d: sum(x["by_department"].get(d, 0) for x in allocation) for d in departments},
        measures=list(MEASURES),
        total=sum(x["staff"] for x in allocation), community=chosen, communities=communities,
        bound=caller.community is not None, days=days, sort=sort, sorts=SORTS,
        chart_names=names, chart_per_10k=per_10k, chart_need=need, query=at(), at=at,
        xlsx_url=f"{API_PREFIX}/forces.xlsx?" + query(as_of=r["as_of"], days=days,
                                                      community=chosen),
        xlsx_name=f"下沉力量-{r['as_of']}.xlsx")
