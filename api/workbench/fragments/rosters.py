"""名册导入: an admin loads a roster — chooses the kind (each with its template), drops
the file, reads the dry run's report (sheet, cell, header, value, rule; the file with
the bad cells marked), then the changes, and confirms.

Where the file goes, and why. The browser (``static/wb-rosters.js``) keeps the chosen
``File`` and posts it itself, with the tab's bearer token, straight to the JSON route
``POST /api/v1/rosters/{kind}`` — first with ``dry_run=true``, on "confirm" again for
real, and with ``report=xlsx`` for the marked file. It then posts the route's JSON
answer to :func:`report` here, which only renders it. So:

* the access rules stay the JSON route's and the guard's: the guard refuses a roster
  upload by anyone but an admin, and a request without a valid token, before a byte
  of the body is read (api/guard.py), and caps it at ``GOVGRAPH_MAX_UPLOAD_MB``; a
  fragment route that took the file would read a body the guard lets through for
  every role (and cap it at the 1 MB of other bodies);
* no file is kept on the server between the dry run and the confirmation: the browser
  holds it and sends the same bytes twice;
* the rendering stays on the server, in the page's words and Jinja's escaping, as on
  every other page (a report built in the browser would need the words and the
  escaping again in JavaScript). What it renders is the caller's own answer, back from
  the caller: it shows nothing the caller was not given, and only an admin may ask.
  The script sends the first :data:`SHOWN` issues and diffs (a body stays under the
  1 MB cap); the marked ``.xlsx`` lists them all.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, ValidationError

from api.deps import API_PREFIX
from api.policy import allow
from api.routes.rosters import LoadReportPublic
from api.workbench.common import LangQ, Page, failed, page_router
from api.workbench.internal import Answer, call_json
from api.workbench.render import render
from api.workbench.text import Lang

__all__ = ["router", "PAGES", "SHOWN"]

router = page_router()
PAGES = (Page("rosters", 80, roles=("admin",), scripts=("wb-rosters.js",),
              styles=("wb-rosters.css",)),)
#: issues and diffs the page lists (wb-rosters.js sends no more)
SHOWN = 200
#: diffs named by a look-up of their node (one in-process call each)
NAMED = 100
_ADMIN = [Depends(allow("admin"))]
_COUNTS = ("nodes_added", "nodes_updated", "nodes_unchanged", "rels_added", "rels_updated",
           "rels_unchanged", "rels_ended")


@router.get("/rosters", response_class=HTMLResponse, dependencies=_ADMIN)
async def rosters(request: Request,
                  kind: Annotated[str | None, Query(max_length=50)] = None,
                  lang: LangQ = "zh") -> HTMLResponse:
    a = await call_json(request, "GET", f"{API_PREFIX}/rosters")
    if not a.ok:
        return failed(a, lang)
    kinds = a.body
    chosen = kind if any(k["kind"] == kind for k in kinds) else None
    return render("f_rosters.html", lang, kinds=kinds, kind=chosen, shown=SHOWN,
                  query=f"kind={chosen}&lang={lang}" if chosen else f"lang={lang}")


class Shown(BaseModel):
    """What the script sends to be shown: the JSON route's answer to one upload."""

    kind: str = Field(max_length=50)
    step: Literal["dry_run", "write"]
    status: int = Field(ge=100, le=599)
    answer: Any
    #: how many issues and diffs the answer had before the script kept the first SHOWN
    issues_total: int | None = Field(None, ge=0)
    diffs_total: int | None = Field(None, ge=0)


class _Added(BaseModel):
    """A node an upload adds, as the JSON lists it (``added``)."""

    id: str
    labels: list[str] = []
    name: str = ""
    sheet: str | None = None
    row: int | None = None


class _Ended(BaseModel):
    """A relationship an upload ends, as the JSON lists it (``ended``)."""

    id: str
    type: str
    start: str
    end: str
    until: str | None = None


@router.post("/rosters/report", response_class=HTMLResponse, dependencies=_ADMIN)
async def report(request: Request, shown: Shown, lang: LangQ = "zh") -> HTMLResponse:
    """The report of one upload (its dry run or its write), from the JSON route's answer.

    Who is added and whose relationship ends are listed one by one when the answer
    lists them (``added``, ``ended``); an answer with counts only shows the counts."""
    body = shown.answer if isinstance(shown.answer, dict) else {}
    if shown.status not in (200, 422) or (shown.status == 422 and "issues" not in body):
        # a refusal before any check (too large, unknown kind, a bad parameter …)
        return failed(Answer(shown.status, {"detail": _detail(body)}, {}), lang)
    try:
        r = LoadReportPublic.model_validate(body)
        added = [_Added.model_validate(x) for x in body.get("added") or []][:SHOWN]
        ended = [_Ended.model_validate(x) for x in body.get("ended") or []][:SHOWN]
    except (ValidationError, TypeError):
        return failed(Answer(422, {"detail": "not a roster report"}, {}), lang)
    names = await _kind_names(request, r.kind)
    n = _Names(request, lang)
    await n.load()
    return render(
        "f_rosters_report.html", lang, r=r, step=shown.step,
        issues=r.issues[:SHOWN], more_issues=max(
            (shown.issues_total or len(r.issues)) - SHOWN, r.errors + r.warnings - SHOWN, 0),
        diffs=[await n.diff(d) for d in r.diffs[:SHOWN]], more_diffs=max(
            (shown.diffs_total or len(r.diffs)) - SHOWN, 0),
        listed="added" in body and "ended" in body,
        added=[{"name": a.name, "id": a.id, "labels": [n.label(x) for x in a.labels
                                                       if x != "Person"],
                "sheet": a.sheet, "row": a.row} for a in added],
        more_added=max(r.changes.get("nodes_added", 0) - len(added), 0),
        ended=[{"start": await n.node(e.start), "start_id": e.start, "type": n.rel(e.type),
                "end": await n.node(e.end), "until": e.until} for e in ended],
        more_ended=max(r.changes.get("rels_ended", 0) - len(ended), 0),
        counts=[(k, r.changes.get(k, 0)) for k in _COUNTS],
        anything=any(r.changes.get(k, 0) for k in ("nodes_added", "nodes_updated",
                                                    "rels_added", "rels_updated",
                                                    "rels_ended")),
        kind_name=names[0] if lang == "zh" else names[1],
        annotated_name=f"{names[0]}花名册-错误标注.xlsx")


def _detail(body: dict[str, Any]) -> str | None:
    """A refusal's reason: FastAPI's list of bad parameters made one line."""
    d = body.get("detail")
    if isinstance(d, list):
        return "; ".join(f"{'.'.join(str(x) for x in e.get('loc', [])[1:])}: {e.get('msg')}"
                         for e in d if isinstance(e, dict)) or None
    return d if isinstance(d, str) else None


async def _kind_names(request: Request, kind: str) -> tuple[str, str]:
    a = await call_json(request, "GET", f"{API_PREFIX}/rosters")
    for k in a.body if a.ok else []:
        if k["kind"] == kind:
            return k["name_zh"], k["name_en"]
    return kind, kind


class _Names:
    """Labels, relationship types and properties by their names in ``lang`` (the
    schema's), and nodes by their names (the first :data:`NAMED` asked of the JSON, as
    the caller; the rest by id)."""

    def __init__(self, request: Request, lang: Lang) -> None:
        self.request, self.lang = request, lang
        self.labels: dict[str, str] = {}
        self.rels: dict[str, str] = {}
        self.props: dict[str, str] = {}
        self.nodes: dict[str, str | None] = {}

    async def load(self) -> None:
        a = await call_json(self.request, "GET", f"{API_PREFIX}/schema")
        if not a.ok:
            return
        key = "name_zh" if self.lang == "zh" else "name_en"
        self.labels = {lab["name"]: lab[key] for lab in a.body["labels"]}
        self.rels = {rel["name"]: rel[key] for rel in a.body["relationships"]}
        if self.lang == "zh":  # properties have Chinese names only
            for p in [*a.body["common_properties"],
                      *(p for lab in a.body["labels"] for p in lab["properties"])]:
                self.props.setdefault(p["name"], p.get("name_zh") or p["name"])

    def label(self, name: str) -> str:
        return self.labels.get(name, name)

    def rel(self, name: str) -> str:
        return self.rels.get(name, name)

    async def node(self, nid: str) -> str | None:
        if nid not in self.nodes:
            name = None
            if len(self.nodes) < NAMED:
                got = await call_json(self.request, "GET", f"{API_PREFIX}/nodes/{nid}")
                if got.ok and isinstance(got.body, dict):
                    name = got.body.get("name")
            self.nodes[nid] = name
        return self.nodes[nid]

    async def diff(self, d: Any) -> dict[str, Any]:
        return {"id": d.id, "name": await self.node(d.id),
                "labels_added": [self.label(x) for x in d.labels_added],
                "labels_removed": [self.label(x) for x in d.labels_removed],
                "properties": [(self.props.get(k, k), v[0] if v else None,
                                v[1] if len(v) > 1 else None)
                               for k, v in d.properties.items()]}
