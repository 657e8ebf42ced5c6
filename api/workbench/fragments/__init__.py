"""The workbench pages' content: ``/api/v1/workbench/<page>`` answers the HTML of one
page for the caller, rendered from the JSON route that holds its data, asked in-process
with the caller's token (:mod:`api.workbench.internal`).

One module a page (or a few close ones), each with a ``router`` and its ``PAGES``
(:class:`api.workbench.common.Page`); found here by name, so adding a page touches no
other module. Its words live in :mod:`api.workbench.words`, its template in
``templates/f_<page>.html``."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter, FastAPI

from api.workbench.common import Page

__all__ = ["ROUTERS", "PAGES", "MODULES", "include"]

#: the modules' routers (each :func:`api.workbench.common.page_router`)
ROUTERS: list[APIRouter] = []
MODULES = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
_pages: list[Page] = []
for _name in MODULES:
    _module = importlib.import_module(f"{__name__}.{_name}")
    ROUTERS.append(_module.router)
    _pages.extend(getattr(_module, "PAGES", ()))
#: every page by name; the menu's in their order
PAGES: dict[str, Page] = {p.name: p for p in sorted(
    _pages, key=lambda p: (p.order is None, p.order or 0, p.name))}
assert len(PAGES) == len(_pages), "two modules declare the same page"


def include(app: FastAPI, api_prefix: str) -> None:
    """The pages' routes under ``<api_prefix>/workbench`` (each router's policy takes the
    token, :func:`api.policy.get_caller`, as the API's routes do)."""
    for r in ROUTERS:
        app.include_router(r, prefix=f"{api_prefix}/workbench", include_in_schema=False)
