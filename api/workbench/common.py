"""What every workbench page module uses: the page record, the language parameter,
error boxes, query strings and paging."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from api.policy import EVERY_ROLE, allow
from api.workbench.internal import Answer
from api.workbench.render import render
from api.workbench.text import Lang

__all__ = ["page_router", "Page", "LangQ", "PAGE_SIZE", "failed", "query", "paged", "Paged"]

#: rows per page of a table
PAGE_SIZE = 20
LangQ = Annotated[Lang, Query()]
T = TypeVar("T")


def page_router() -> APIRouter:
    """A page module's router: every role may open a page; what it shows is what the
    JSON it reads lets through. The policy is declared on the router that holds the
    routes: FastAPI 0.165 runs a dependency given to ``include_router`` but leaves it
    out of ``route.dependant``, where :func:`api.policy.policy_of` looks (deny by
    default would then refuse every role)."""
    return APIRouter(dependencies=[Depends(allow(*EVERY_ROLE))])


@dataclass(frozen=True)
class Page:
    """A workbench page: its name (the URL ``/workbench/<name>`` and the key of its title
    in the word table), the roles whose menu shows it, its place in the menu (``order``;
    ``None``: reached by links only, like a node's page) and the scripts and style sheets
    it needs besides ``workbench.js`` and ``workbench.css`` (files in ``static/``)."""

    name: str
    order: int | None
    roles: tuple[str, ...] = EVERY_ROLE
    scripts: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()


def failed(a: Answer, lang: Lang) -> HTMLResponse:
    """The error box for a JSON route's refusal, with its status."""
    return render("error.html", lang, status=a.status, detail=a.detail)


def query(**params: Any) -> str:
    """A query string of the parameters that have a value."""
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


@dataclass(frozen=True)
class Paged:
    rows: list[Any]
    page: int
    pages: int
    total: int


def paged(rows: list[T], page: int, size: int = PAGE_SIZE) -> Paged:
    """Page ``page`` (from 1; past the end: the last) of ``rows``."""
    pages = max(1, math.ceil(len(rows) / size))
    page = min(max(page, 1), pages)
    return Paged(rows[(page - 1) * size:page * size], page, pages, len(rows))
