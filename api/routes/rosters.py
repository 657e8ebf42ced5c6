"""Rosters (花名册) over HTTP: the kinds and their columns, templates, and uploads.

An upload is checked row by row before anything is written (the same loader as
``govgraph load roster``); a file with any error gets 422 and the full report (or,
with ``report=xlsx``, the file back with the bad cells marked). The running server
holds the embedded store, so this is how a roster gets in while it serves.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from api.deps import StoreDep
from api.exports import XLSX_MEDIA_TYPE, attachment
from api.params import Day
from api.policy import EVERY_ROLE, allow
from api.settings import get_settings
from graph.errors import GraphError

router = APIRouter(tags=["rosters"], dependencies=[Depends(allow(*EVERY_ROLE))])

Kind = Annotated[str, PathParam(max_length=50, description="e.g. party_members or 党员")]


class RosterColumn(BaseModel):
    header: str
    aliases: list[str]
    required: bool
    property: str | None
    link: str | None


class RosterKind(BaseModel):
    kind: str
    name_zh: str
    name_en: str
    columns: list[RosterColumn]


class IssuePublic(BaseModel):
    sheet: str | None
    row: int | None
    column: str | None
    header: str | None
    value: str | None
    rule: str
    severity: str
    message_zh: str
    message_en: str


class NodeDiffPublic(BaseModel):
    """A stored node the load changes: labels added or removed, and each property's
    stored and new value (personal data masked)."""

    id: str
    given_id: str
    labels_added: list[str]
    labels_removed: list[str]
    properties: dict[str, list[Any]]


class NodeAddedPublic(BaseModel):
    """A node the load adds, with the sheet and row it comes from."""

    id: str
    labels: list[str]
    name: str
    sheet: str | None
    row: int | None


class RelEndedPublic(BaseModel):
    """A relationship the load ends (a member no longer on a complete roster …)."""

    id: str
    type: str
    start: str
    end: str
    until: str | None


class LoadReportPublic(BaseModel):
    kind: str
    file: str
    as_of: str
    dry_run: bool
    ok: bool
    written: bool
    rows: int
    sheets: list[str]
    errors: int
    warnings: int
    issue_counts: dict[str, int]
    truncated: bool
    changes: dict[str, int]
    issues: list[IssuePublic]
    #: per stored node, what the load changes (a dry run: would change)
    diffs: list[NodeDiffPublic]
    #: the nodes it adds and the relationships it ends (a dry run: would)
    added: list[NodeAddedPublic] = []
    ended: list[RelEndedPublic] = []


def _mapping(kind: str) -> Any:
    from loaders.roster_mapping import get_mapping

    try:
        return get_mapping(kind)
    except GraphError as e:
        raise HTTPException(404, str(e)) from None


@router.get("/rosters", response_model=list[RosterKind])
def list_rosters() -> list[RosterKind]:
    """Every roster kind with its columns (Chinese headers, accepted aliases)."""
    from loaders.roster_mapping import get_mapping, mapping_kinds

    out = []
    for kind, _, _ in mapping_kinds():
        m = get_mapping(kind)
        out.append(RosterKind(kind=m.kind, name_zh=m.name_zh, name_en=m.name_en, columns=[
            RosterColumn(header=c.header, aliases=list(c.aliases), required=c.required,
                         property=c.property, link=c.link) for c in m.all_columns]))
    return out


@router.get("/rosters/{kind}/template", response_class=Response,
            responses={200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "Template"},
                       404: {"description": "No such roster kind"}})
def template(kind: Kind) -> Response:
    """An empty roster (.xlsx): headers, a sample row, drop-downs, instructions."""
    from loaders.xlsx import write_template

    m = _mapping(kind)
    with tempfile.TemporaryDirectory() as tmp:
        data = write_template(m.kind, Path(tmp) / "t.xlsx").read_bytes()
    return Response(data, media_type=XLSX_MEDIA_TYPE,
                    headers=attachment(f"{m.kind}-template.xlsx", f"{m.name_zh}花名册模板.xlsx"))


@router.post("/rosters/{kind}", response_model=LoadReportPublic,
             responses={413: {"description": "File too large"},
                        422: {"description": "The roster has errors: the report (as in the "
                                              "200 answer), nothing written; or bad "
                                              "parameters"}},
             # also refused by the guard before a byte of the file is read (api/guard.py)
             dependencies=[Depends(allow("admin"))])
async def upload(
    kind: Kind,
    file: UploadFile,
    store: StoreDep,
    dry_run: bool = False,
    as_of: Day | None = None,
    keep_missing: Annotated[bool, Query(
        description="A partial roster: end nothing that is missing from it")] = False,
    allow_rename: Annotated[bool, Query(
        description="People found by their ID number take the roster's name (else a "
                    "different name is an error)")] = False,
    report: Annotated[Literal["json", "xlsx"], Query(
        description="On errors, json (the report) or xlsx (the file, bad cells marked)")
    ] = "json",
) -> Response:
    """Load a roster (.xlsx or .csv, UTF-8 or GBK). All or nothing; ``dry_run`` only
    checks and says what would change."""
    from starlette.concurrency import run_in_threadpool

    from loaders.report import write_issue_workbook
    from loaders.roster import load_roster
    from loaders.tables import TableError, open_table

    m = _mapping(kind)
    limit = get_settings().max_upload_mb << 20
    # saved under its own name (a CSV's sheet is named after the file) in a fresh dir
    name = Path((file.filename or "").replace("\\", "/")).name[-120:].lstrip(".")
    name = name if name and "\x00" not in name else "roster.csv"
    workdir = tempfile.mkdtemp(prefix="govgraph-upload-")
    tmp = os.path.join(workdir, name)
    try:
        size = 0
        with open(tmp, "wb") as f:
            while chunk := await file.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    return JSONResponse({"detail": f"file larger than {limit >> 20} MB; "
                                         "split it or load it with govgraph load roster"},
                                        status_code=413)
                f.write(chunk)
        result = await run_in_threadpool(load_roster, store, tmp, m.kind, as_of=as_of,
                                         dry_run=dry_run, end_missing=not keep_missing,
                                         allow_rename=allow_rename)
        result.file = name
        if result.ok:
            return JSONResponse(result.to_dict())
        if report == "xlsx":
            try:
                table = open_table(tmp)
            except TableError:
                table = None
            buf = io.BytesIO()
            with tempfile.TemporaryDirectory() as d:
                buf.write(write_issue_workbook(result, table, Path(d) / "r.xlsx").read_bytes())
            return Response(buf.getvalue(), status_code=422, media_type=XLSX_MEDIA_TYPE,
                            headers=attachment("roster-errors.xlsx",
                                               f"{m.name_zh}花名册-错误标注.xlsx"))
        return JSONResponse(result.to_dict(), status_code=422)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
