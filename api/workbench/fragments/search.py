"""搜索: what people type, found — the results grouped by type with their counts, one
type in full, and the header box's suggestions as you type.

Read as the caller: ``GET /search/grouped`` (the groups and counts) and, for one type or
the suggestions, ``GET /search`` (:mod:`api.routes.nodes`), so a community token's page
counts and shows its own community only and a consumer's no people. Each hit links to
its node page and to the graph.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from api.deps import API_PREFIX
from api.workbench.common import LangQ, Page, failed, page_router, paged, query
from api.workbench.internal import call_json
from api.workbench.render import render
from api.workbench.text import Lang
from graph.names import search_text
from graph.schema import get_schema
from queries.search import MAX_LIMIT

__all__ = ["router", "PAGES", "SUGGESTIONS"]

router = page_router()
PAGES = (Page("search", None),)

#: hits the header box offers while typing
SUGGESTIONS = 8
#: what the JSON takes (longer is answered with nothing, not an error)
MAX_TEXT = 50
Text = Annotated[str, Query(max_length=200)]


def _type_name(label: str, lang: Lang) -> str:
    d = get_schema().labels.get(label)
    if d is None:
        return label
    return d.name_zh if lang == "zh" else d.name_en


def _shown(hits: list[dict[str, Any]], lang: Lang) -> list[dict[str, Any]]:
    """The hits with their type named in the page's language."""
    return [{**h, "type": _type_name(h["node"]["label"], lang)} for h in hits]


@router.get("/search", response_class=HTMLResponse)
async def search_page(request: Request, q: Text = "",
                      group: Annotated[str | None, Query(max_length=60)] = None,
                      page: Annotated[int, Query(ge=1, le=1_000)] = 1,
                      lang: LangQ = "zh") -> HTMLResponse:
    text = q.strip()
    base = {"q": text, "lang": lang}
    if not search_text(text) or len(text) > MAX_TEXT:
        return render("f_search.html", lang, q="", r=None, groups=[], group=None, rows=[],
                      query=query(lang=lang), too_long=len(text) > MAX_TEXT)
    a = await call_json(request, "GET", f"{API_PREFIX}/search/grouped",
                        {"q": text, "per_group": 5})
    if not a.ok:
        return failed(a, lang)
    r = a.body
    groups = [{**g, "name": _type_name(g["group"], lang), "hits": _shown(g["hits"], lang),
               "all_query": query(**base, group=g["group"])} for g in r["groups"]]
    chosen = next((g for g in groups if g["group"] == group), None)
    rows: list[dict[str, Any]] = []
    p = paged([], 1)
    if chosen is not None:
        b = await call_json(request, "GET", f"{API_PREFIX}/search",
                            {"q": text, "label": chosen["group"], "limit": MAX_LIMIT})
        if not b.ok:
            return failed(b, lang)
        p = paged(_shown(b.body, lang), page)
        rows = p.rows
    here = {**base, "group": chosen["group"] if chosen else None}
    return render(
        "f_search.html", lang, q=text, r=r, groups=groups, group=chosen, rows=rows,
        too_long=False, shown_max=MAX_LIMIT,
        page=p.page, pages=p.pages, total=p.total,
        query=query(**here, page=p.page if p.page > 1 else None),
        prev_query=query(**here, page=p.page - 1), next_query=query(**here, page=p.page + 1),
        all_query=query(**base))


@router.get("/search/suggest", response_class=HTMLResponse)
async def suggest(request: Request, q: Text = "", lang: LangQ = "zh") -> HTMLResponse:
    """The header box's list as you type: a few links, nothing for an empty (or an
    over-long) text — never an error box in the middle of typing."""
    text = q.strip()
    if not search_text(text) or len(text) > MAX_TEXT:
        return HTMLResponse("")
    a = await call_json(request, "GET", f"{API_PREFIX}/search",
                        {"q": text, "limit": SUGGESTIONS})
    if not a.ok:
        return HTMLResponse("")
    return render("f_suggest.html", lang, q=text, hits=_shown(a.body, lang),
                  all_query=query(q=text, lang=lang))
