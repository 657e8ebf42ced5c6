"""网格: the grid reports (docs/domain.md §5.4) in three sections — overlaps
(``/grids/overlaps``), the integration into sub-grids with its acceptance for an admin
(``/grids/integration``, ``POST /grids/integration/accept``) and post–duty–person
(``/grids/duty``) — each filtered, sorted, paged, downloadable and printable.

The JSON routes scope the answer to the caller (a community token: its own grids); the
community filter here narrows the rows of that answer further, and the .xlsx downloads
ask the routes for the chosen community only, so the page shows what the JSON shows
or less.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
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
PAGES = (Page("grids", 40, styles=("wb-grids.css",)),)

Section = Literal["overlaps", "integration", "duty"]
SECTIONS: tuple[Section, ...] = ("overlaps", "integration", "duty")
Sort = Literal["grid", "area", "overlaps", "community", "changed", "missing", "buildings"]
Row = dict[str, Any]


def _community(r: Row) -> str:
    return str((r.get("community") or {}).get("name") or "")


#: per section, its sorts (the first: the JSON's own order) and their keys
_SORTS: dict[str, dict[str, Callable[[Row], Any]]] = {
    "overlaps": {"grid": lambda r: r["grid"]["id"],
                 "area": lambda r: (-r["area_km2"], r["grid"]["id"]),
                 "overlaps": lambda r: (-len(r["overlaps"]), r["grid"]["id"]),
                 "community": lambda r: (_community(r), r["grid"]["id"])},
    "integration": {"grid": lambda r: r["_order"],
                    "changed": lambda r: (-len(r["gains"]) - len(r["loses"]),
                                          r["special_grid"]["id"]),
                    "area": lambda r: (-r["area_km2"], r["special_grid"]["id"]),
                    "community": lambda r: (_community(r), r["_order"])},
    "duty": {"missing": lambda r: r["_order"],
             "community": lambda r: (_community(r), r["_order"]),
             "buildings": lambda r: (-len(r["buildings_without_head"]), r["_order"])},
}


_DEFAULTS: dict[str, float] = {"max_area_km2": 0.25, "min_share": 0.01,
                               "max_residents_per_worker": 1_000, "max_grids_per_worker": 2}


def km2(v: float | None) -> str:
    """An area as the reports round it (4 places), without trailing zeros."""
    return "—" if v is None else f"{v:.4f}".rstrip("0").rstrip(".")


def _in(rows: list[Row], community: str | None) -> list[Row]:
    return rows if not community else [
        r for r in rows if (r.get("community") or {}).get("id") == community]


def _communities(*groups: list[Row]) -> list[dict[str, str]]:
    """The communities the rows name, by name (the filter's choices)."""
    seen = {c["id"]: c for rows in groups for r in rows
            if (c := r.get("community")) and c.get("id")}
    return sorted(seen.values(), key=lambda c: (c["name"], c["id"]))


@router.get("/grids", response_class=HTMLResponse)
async def grids(
    request: Request, caller: CallerDep,
    section: Annotated[Section, Query()] = "overlaps",
    community: Annotated[str | None, Query(max_length=200)] = None,
    as_of: Day | None = None,
    max_area_km2: Annotated[float, Query(gt=0, le=100)] = 0.25,
    min_share: Annotated[float, Query(ge=0, le=1)] = 0.01,
    max_residents_per_worker: Annotated[int, Query(ge=1, le=1_000_000)] = 1_000,
    max_grids_per_worker: Annotated[int, Query(ge=1, le=1000)] = 2,
    crossing_only: bool = False,
    missing: Annotated[Literal["", "grid_worker", "police_officer", "building_heads"],
                       Query()] = "",
    sort: Annotated[Sort | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    lang: LangQ = "zh",
) -> HTMLResponse:
    day = as_of.isoformat() if as_of else None
    chosen = caller.community or community
    sorts = _SORTS[section]
    sort_by = sort if sort in sorts else next(iter(sorts))
    # every filter, so a tab, a sort or a page keeps the others
    # (a threshold at its default left out: the address stays short)
    keep: dict[str, Any] = {
        "community": chosen, "as_of": day,
        **{k: v for k, v in (("max_area_km2", max_area_km2), ("min_share", min_share),
                             ("max_residents_per_worker", max_residents_per_worker),
                             ("max_grids_per_worker", max_grids_per_worker))
           if v != _DEFAULTS[k]},
        "crossing_only": "true" if crossing_only else None, "missing": missing or None,
        "lang": lang}
    ctx: dict[str, Any] = {}
    if section == "overlaps":
        xlsx = query(max_area_km2=max_area_km2, min_share=min_share,
                     max_residents_per_worker=max_residents_per_worker, as_of=day,
                     community=chosen)
        a = await call_json(request, "GET", f"{API_PREFIX}/grids/overlaps", dict(
            max_area_km2=max_area_km2, min_share=min_share,
            max_residents_per_worker=max_residents_per_worker, as_of=day))
        if not a.ok:
            return failed(a, lang)
        r = a.body
        special = r["special_grids"]
        rows = [s for s in _in(special, chosen) if s["communities_crossed"] or not crossing_only]
        for s in rows:
            s["overlap_names"] = [f"{o['base_grid']['name']} {o['share'] * 100:.1f}%"
                                  for o in s["overlaps"]]
        ctx.update(r=r, too_large=_in(r["too_large"], chosen),
                   communities=_communities(special, r["too_large"]),
                   xlsx_url=f"{API_PREFIX}/grids/overlaps.xlsx?{xlsx}",
                   xlsx_name="网格交叉分析.xlsx")
    elif section == "integration":
        a = await call_json(request, "GET", f"{API_PREFIX}/grids/integration",
                            {"min_share": min_share})
        if not a.ok:
            return failed(a, lang)
        r = a.body
        for i, c in enumerate(r["changes"]):
            c["_order"] = i
        # gains and losses are ids: named from the assignments (the base grids the
        # caller may see; the JSON dropped the others)
        names = {x["base_grid"]["id"]: x["base_grid"]["name"] for x in r["assignments"]}
        rows = _in(r["changes"], chosen)
        for c in rows:
            c["gain_names"] = [names.get(g, g) for g in c["gains"]]
            c["lose_names"] = [names.get(g, g) for g in c["loses"]]
        shown = {c["special_grid"]["id"] for c in rows}
        how = Counter(x["how"] for x in r["assignments"]
                      if x["special_grid"]["id"] in shown or not chosen)
        subs = [s for s in r["sub_grids"] if not chosen or s["community"] == chosen]
        ctx.update(r=r, how=[(h, how[h]) for h in ("largest_overlap", "nearest_in_community",
                                                   "nearest")],
                   sub_grids=len(subs), all_sub_grids=len(r["sub_grids"]),
                   communities=_communities(r["changes"]),
                   accept_query=query(min_share=min_share, lang=lang),
                   can_accept=caller.role == "admin" and bool(r["sub_grids"]),
                   xlsx_url=f"{API_PREFIX}/grids/integration.xlsx?"
                   + query(min_share=min_share, community=chosen),
                   xlsx_name="多网合一方案.xlsx")
    else:
        a = await call_json(request, "GET", f"{API_PREFIX}/grids/duty",
                            {"as_of": day, "max_grids_per_worker": max_grids_per_worker})
        if not a.ok:
            return failed(a, lang)
        r = a.body
        for i, g in enumerate(r["gaps"]):
            g["_order"] = i
        rows = [g for g in _in(r["gaps"], chosen) if not missing or missing in g["missing"]]
        day = r["as_of"]
        keep["as_of"] = day
        ctx.update(r=r, communities=_communities(r["gaps"]),
                   xlsx_url=f"{API_PREFIX}/grids/duty.xlsx?"
                   + query(as_of=day, max_grids_per_worker=max_grids_per_worker,
                           community=chosen),
                   xlsx_name=f"定岗定责定人-{day}.xlsx")
    p = paged(sorted(rows, key=sorts[sort_by]), page)
    here = {**keep, "section": section, "sort": sort if sort in sorts else None}
    return render(
        f"f_grids_{section}.html", lang, section=section, sections=SECTIONS,
        rows=p.rows, total=p.total, page=p.page, pages=p.pages, sorts=list(sorts),
        sort=sort_by, community=chosen, bound=caller.community is not None,
        as_of=day or dt.date.today().isoformat(), km2=km2, crossing_only=crossing_only,
        missing=missing, max_area_km2=max_area_km2, min_share=min_share,
        max_residents_per_worker=max_residents_per_worker,
        max_grids_per_worker=max_grids_per_worker,
        query=query(**{**here, "page": p.page if p.page > 1 else None}),
        tab_query={s: query(**{**keep, "section": s}) for s in SECTIONS},
        prev_query=query(**{**here, "page": p.page - 1}),
        next_query=query(**{**here, "page": p.page + 1}), **ctx)


@router.post("/grids/accept", response_class=HTMLResponse)
async def accept(request: Request,
                 min_share: Annotated[float, Query(ge=0, le=1)] = 0.01,
                 lang: LangQ = "zh") -> HTMLResponse:
    """Accept the integration proposal: the JSON route writes the sub-grids (an admin's
    call; any other role gets its refusal)."""
    a = await call_json(request, "POST", f"{API_PREFIX}/grids/integration/accept",
                        {"min_share": min_share})
    if not a.ok:
        return failed(a, lang)
    return render("f_grids_accepted.html", lang, status=a.status, n=a.body["sub_grids"])
