"""The menu, for the caller's role: a page the role may not open is not offered."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import HTMLResponse

from api.policy import CallerDep
from api.workbench.common import LangQ, page_router
from api.workbench.render import render

__all__ = ["router"]

router = page_router()


@router.get("/menu", response_class=HTMLResponse)
def menu(caller: CallerDep, page: Annotated[str, Query(max_length=40)] = "",
         lang: LangQ = "zh") -> HTMLResponse:
    from api.workbench.fragments import PAGES  # the registry imports this module

    shown = [p.name for p in PAGES.values() if p.order is not None and caller.role in p.roles]
    return render("f_menu.html", lang, pages=shown, page=page, role=caller.role,
                  community=caller.community)
