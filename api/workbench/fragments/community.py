"""社区画像: one community on one page — its organisation tree with each node's flags,
"three boards, one team" in brief, and its gaps, pairing, grids, forces and cases in
brief, each linking to the page that explains it.

Read from the JSON routes as the caller: ``/overview`` (the community chooser and the
figures), ``/communities/{id}/summary`` (counts, committee, post holders),
``/communities/{id}/tree`` (the organisations) and ``/gaps/middle-weakening`` (the
flags and the top gaps). A consumer's answers name no person, so the person sections
say so instead of showing an empty list.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from api.deps import API_PREFIX, StoreDep
from api.params import Day
from api.policy import PERSON_ROLES, CallerDep
from api.workbench.common import LangQ, Page, failed, page_router, query
from api.workbench.fragments.node import Names
from api.workbench.internal import Answer, call_json
from api.workbench.render import render
from graph.errors import NodeNotFound
from queries.middle_weakening import REASONS
from queries.overview import MISSING

__all__ = ["router", "PAGES"]

router = page_router()
PAGES = (Page("community", 10, styles=("wb-community.css",)),)

#: the summary's counts, in the order shown
COUNTS = ("party_members", "resident_groups", "grids", "buildings", "residents",
          "deployed_staff", "enterprises", "stationed_units")
#: gaps shown in brief
TOP = 3


def _flags(mw: dict[str, Any], lang: str) -> tuple[dict[str, list[str]], set[str]]:
    """From the middle-weakening answer: each flagged branch's reasons (in ``lang``) and
    the hollow groups. Read from the gaps (no person in them, so a consumer's answer
    keeps them all, where its ``weak_branches`` rows, naming secretaries, are gone)."""
    weak: dict[str, list[str]] = {}
    hollow: set[str] = set()
    for g in mw["gaps"]:
        if g["branch"]:
            weak[g["branch"]["id"]] = (
                g["reasons_zh"] if lang == "zh"
                else [REASONS[x][1] if x in REASONS else x for x in g["reasons"]])
        elif g["kind"] == "no_branch":
            hollow.update(x["id"] for x in g["groups"])
    return weak, hollow


@router.get("/community", response_class=HTMLResponse)
async def community(request: Request, caller: CallerDep, store: StoreDep,
                    community: Annotated[str | None, Query(max_length=200)] = None,
                    as_of: Day | None = None, lang: LangQ = "zh") -> HTMLResponse:
    day = as_of.isoformat() if as_of else None
    o = await call_json(request, "GET", f"{API_PREFIX}/overview", {"as_of": day})
    if not o.ok:
        return failed(o, lang)
    figures = o.body["communities"]
    day = o.body["as_of"]
    choices = [f["community"] for f in figures]
    chosen = caller.community or community or (choices[0]["id"] if choices else None)
    if chosen is not None and "/" in chosen:  # no route's path takes it
        return failed(Answer(404, {"detail": str(NodeNotFound(chosen))}, {}), lang)
    if chosen is None:
        return render("f_community_none.html", lang, query=query(as_of=day, lang=lang),
                      as_of=day)
    path = f"{API_PREFIX}/communities/{chosen}"
    s, tree, mw = await asyncio.gather(
        call_json(request, "GET", f"{path}/summary", {"as_of": day}),
        call_json(request, "GET", f"{path}/tree", {"as_of": day}),
        call_json(request, "GET", f"{API_PREFIX}/gaps/middle-weakening",
                  {"community": chosen, "as_of": day, "limit": 1000}))
    for a in (s, tree, mw):
        if not a.ok:
            return failed(a, lang)
    weak, hollow = _flags(mw.body, lang)
    fig = next((f for f in figures if f["community"]["id"] == chosen), None)
    gaps = mw.body["gaps"][:TOP]
    for g in gaps:
        g["reasons_en"] = [REASONS[x][1] if x in REASONS else x for x in g["reasons"]]
    summary = next(iter(mw.body["summary"]), None)
    link = query(community=chosen, as_of=day, lang=lang)
    return render(
        "f_community.html", lang, s=s.body, tree=tree.body, fig=fig, gaps=gaps,
        gap_count=summary["gaps"] if summary else 0, weak=weak, hollow=hollow,
        uncovered={g["id"] for g in tree.body["uncovered"]},
        choices=choices, community=chosen, bound=caller.community is not None,
        people=caller.role in PERSON_ROLES, as_of=day, counts=COUNTS, missing=MISSING,
        names=Names(store.schema, lang), link=link, query=link,
        new_years=o.body["new_years"], backlog_days=o.body["backlog_days"])
