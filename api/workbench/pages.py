"""The workbench's page shells and static files: open without a token, no data in
them. A shell holds the menu, the login form and an element that fetches the page's
content (:mod:`api.workbench.fragments`) with the token the tab keeps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from api.deps import API_PREFIX
from api.workbench.fragments import PAGES
from api.workbench.render import render
from api.workbench.text import Lang

__all__ = ["router", "PAGES", "STATIC"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".txt": "text/plain; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml"}
#: every file served, with its type (vendored: pinned in tests/api/test_workbench.py)
STATIC = {p.name: _TYPES[p.suffix] for p in sorted(STATIC_DIR.iterdir()) if p.suffix in _TYPES}

router = APIRouter(include_in_schema=False)


@router.get("/workbench")
def workbench() -> RedirectResponse:
    return RedirectResponse("/workbench/overview", status_code=307)


@router.get("/workbench/static/{name}")
def static(name: str) -> FileResponse:
    if name not in STATIC:
        raise HTTPException(404, f"no workbench asset {name!r}")
    return FileResponse(STATIC_DIR / name, media_type=STATIC[name],
                        headers={"Cache-Control": "public, max-age=3600"})


@router.get("/workbench/{page}", response_class=HTMLResponse)
def shell(request: Request, page: str, lang: Annotated[Lang, Query()] = "zh"
          ) -> HTMLResponse:
    """The page's shell; its query (filters, date, language) goes to its content."""
    if page not in PAGES:
        raise HTTPException(404, f"no workbench page {page!r}")
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    query = urlencode([*params, ("lang", lang)])
    other = urlencode([*params, ("lang", "en" if lang == "zh" else "zh")])
    return render("base.html", lang, page=page, scripts=PAGES[page].scripts,
                  styles=PAGES[page].styles,
                  other_query=other, fragment_url=f"{API_PREFIX}/workbench/{page}?{query}",
                  menu_url=f"{API_PREFIX}/workbench/menu?page={page}&lang={lang}")
