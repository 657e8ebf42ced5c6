"""Data in and out on the command line: roster templates and loads, graph CSV and
Popolo, and the query results as ``.xlsx``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from api.cli import _fail, _open, _parse_date, app, err, load_app, out

__all__: list[str] = []

Lang = Annotated[str, typer.Option("--lang", help="Report language: zh or en")]


@app.command()
def template(
    kind: Annotated[str, typer.Argument(help="Roster kind, e.g. party_members or 党员")],
    output: Annotated[Path | None, typer.Option(
        "--out", "-o", help="File to write (default <kind>.xlsx)")] = None,
) -> None:
    """Write an empty roster template (.xlsx): headers, a sample row, drop-downs and a
    sheet explaining each column. Kinds: party_orgs 党组织, party_members 党员,
    residents 居民, buildings 楼栋, grids 网格, deployed_staff 下沉人员,
    enterprises 企业, posts 职务, cases 巡查案件, building_heads 楼栋长,
    shop_managers 门店店长, property_staff 物管员, security_guards 企业保安员,
    grid_workers 网格员."""
    from loaders.roster_mapping import get_mapping
    from loaders.xlsx import write_template

    m = get_mapping(kind)
    path = write_template(m.kind, output or Path(f"{m.kind}.xlsx"))
    out.print(f"wrote {path} ({m.name_zh}花名册模板 / {m.name_en} roster template)")


@load_app.command("roster")
def load_roster_cmd(
    file: Annotated[Path, typer.Argument(help=".xlsx or .csv (UTF-8 or GBK)")],
    kind: Annotated[str, typer.Option("--kind", help="Roster kind, e.g. party_members or 党员")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only check and report")] = False,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="The roster's date YYYY-MM-DD: memberships that disappeared end "
        "on it (default today)")] = None,
    report_xlsx: Annotated[Path | None, typer.Option(
        "--report-xlsx", help="On errors, write the roster with the bad cells marked")] = None,
    keep_missing: Annotated[bool, typer.Option(
        "--keep-missing", help="A partial roster: do not end memberships and posts that "
        "are not in it")] = False,
    allow_rename: Annotated[bool, typer.Option(
        "--allow-rename", help="People found by their ID number take the roster's name "
        "(without it a different name is an error: the number may be someone else's)")
    ] = False,
    lang: Lang = "zh",
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON")] = False,
) -> None:
    """Load a roster (花名册): every row is checked first; a file with any error writes
    nothing and the report lists each problem (row, column, value, rule). The roster is
    taken as complete for the organisations it names: their memberships and posts not
    in it end on --as-of (kept as history), unless --keep-missing."""
    from loaders.report import write_issue_workbook
    from loaders.roster import load_roster
    from loaders.roster_mapping import get_mapping
    from loaders.tables import TableError, open_table

    m = get_mapping(kind)
    day = _parse_date(as_of, "--as-of")
    with _open() as store:
        report = load_roster(store, file, m.kind, as_of=day, dry_run=dry_run,
                             end_missing=not keep_missing, allow_rename=allow_rename)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        (out if report.ok else err).print("\n".join(report.lines(lang)), highlight=False,
                                          markup=False, soft_wrap=True)
        if report.ok:
            _print_changes(report, lang, dry_run)
    if not report.ok and report_xlsx is not None:
        try:
            table = open_table(file)
        except TableError:
            table = None
        write_issue_workbook(report, table, report_xlsx)
        err.print(f"marked roster written to {report_xlsx}")
    if not report.ok:
        raise typer.Exit(1)


export_app = typer.Typer(help="Export the graph or query results.", no_args_is_help=True)
app.add_typer(export_app, name="export")


def _print_changes(report: object, lang: str, dry_run: bool, limit: int = 20) -> None:
    """The counts of what a load changed (or would), then each changed stored node."""
    from loaders.report import LoadReport

    assert isinstance(report, LoadReport)
    c = report.changes
    verb = ("would change" if dry_run else "changed") if lang == "en" else (
        "预计变更" if dry_run else "已写入")
    out.print(f"{verb}: nodes +{c['nodes_added']} ~{c['nodes_updated']} "
              f"={c['nodes_unchanged']}; relationships +{c['rels_added']} "
              f"~{c['rels_updated']} ={c['rels_unchanged']} "
              f"ended {c['rels_ended']}", highlight=False, soft_wrap=True)
    for d in report.diffs[:limit]:
        parts = [f"{k}: {a!s} → {b!s}" for k, (a, b) in d["properties"].items()]
        if d["labels_added"]:
            parts.append("+" + "+".join(d["labels_added"]))
        if d["labels_removed"]:
            parts.append("-" + "-".join(d["labels_removed"]))
        who = d["id"] if d["given_id"] == d["id"] else f"{d['id']} (← {d['given_id']})"
        out.print(f"  ~ {who}: {'; '.join(parts)}", highlight=False, markup=False,
                  soft_wrap=True)
    if len(report.diffs) > limit:
        out.print(f"  … {len(report.diffs) - limit} more (--json lists them all)")


def _print_report(report: object, lang: str, as_json: bool) -> None:
    from loaders.report import LoadReport

    assert isinstance(report, LoadReport)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    (out if report.ok else err).print("\n".join(report.lines(lang)), highlight=False,
                                      markup=False, soft_wrap=True)


@load_app.command("csv")
def load_csv_cmd(
    directory: Annotated[Path, typer.Argument(help="Directory of CSV files (neo4j-admin "
                                              "import's header convention)")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only check and report")] = False,
    replace: Annotated[bool, typer.Option(
        "--replace", help="The files' nodes and relationships become exactly what is stored "
        "(properties and labels they leave out are removed); without it they merge")] = False,
    lang: Lang = "zh",
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON")] = False,
) -> None:
    """Load graph CSV (id:ID, :LABEL, :START_ID, :END_ID, :TYPE, typed columns such as
    since:date). Every file is checked against the schema and the stored graph first;
    any error writes nothing. Rows merge into what is stored (an empty field keeps the
    stored value; a person is found by ID number) unless --replace."""
    from loaders.graph_csv import load_graph_csv

    with _open() as store:
        report = load_graph_csv(store, directory, dry_run=dry_run, replace=replace)
    _print_report(report, lang, as_json)
    if not report.ok:
        raise typer.Exit(1)
    if not as_json:
        _print_changes(report, lang, dry_run)
        out.print(f"{'checked' if dry_run else 'loaded'} {report.rows:,} rows from "
                  f"{len(report.sheets)} files")


@export_app.command("csv")
def export_csv_cmd(
    directory: Annotated[Path, typer.Argument(help="Directory to write (created)")],
    raw: Annotated[bool, typer.Option(
        "--raw", help="Cells exactly as stored, for neo4j-admin database import (by "
        "default a text starting with = + - @ is written behind a ', so a spreadsheet "
        "does not run it as a formula; govgraph load csv removes it)")] = False,
) -> None:
    """Export the whole graph as CSV (one file per label and per relationship type,
    in neo4j-admin's header convention). Holds personal data unmasked: the files are
    readable by their owner only (0600, in a 0700 directory)."""
    from loaders.graph_csv import export_graph_csv

    with _open(read_only=True) as store:
        written = export_graph_csv(store, directory, raw=raw)
    out.print(f"wrote {sum(written.values()):,} rows in {len(written)} files to {directory}")


@load_app.command("popolo")
def load_popolo_cmd(
    file: Annotated[Path, typer.Argument(help="Popolo JSON file")],
    classification: Annotated[list[str] | None, typer.Option(
        "--classification", help="CLASS=Label for an organisation classification "
        "loaders/popolo.yaml does not map (repeatable), e.g. legislature=SocialOrganization")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only check and report")] = False,
    lang: Lang = "zh",
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON")] = False,
) -> None:
    """Load Popolo JSON: organizations (classification → label, parent_id), persons,
    memberships (party organisations → MEMBER_OF, others → HOLDS_POST) and posts.
    All or nothing."""
    from loaders.popolo import load_popolo

    extra = {}
    for item in classification or []:
        cls, sep, label = item.partition("=")
        if not sep or not cls.strip() or not label.strip():
            raise _fail(f"--classification {item!r}: use CLASS=Label")
        extra[cls.strip()] = label.strip()
    with _open() as store:
        report = load_popolo(store, file, dry_run=dry_run, classifications=extra)
    _print_report(report, lang, as_json)
    if not report.ok:
        raise typer.Exit(1)
    if not as_json:
        _print_changes(report, lang, dry_run)
        c = report.changes
        out.print(f"{'checked' if dry_run else 'loaded'} {c['nodes_added']:,} nodes and "
                  f"{c['rels_added']:,} relationships from {file}")


@export_app.command("popolo")
def export_popolo_cmd(
    file: Annotated[Path, typer.Argument(help="JSON file to write")],
) -> None:
    """Export party organisations, the people in them, memberships and posts as Popolo
    JSON (personal data unmasked: an operator's tool)."""
    from loaders.popolo import export_popolo

    with _open(read_only=True) as store:
        n = export_popolo(store, file)
    out.print(f"wrote {file}: {n['persons']:,} persons, {n['organizations']:,} "
              f"organizations, {n['memberships']:,} memberships, {n['posts']:,} posts")


@export_app.command("gaps")
def export_gaps_cmd(
    file: Annotated[Path, typer.Argument(help=".xlsx file to write")],
    community: Annotated[str | None, typer.Option(help="Community id")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date YYYY-MM-DD")] = None,
) -> None:
    """The middle-weakening report (中间弱化问题清单) as .xlsx: a summary sheet and one
    sheet per community, ready to print."""
    from api.exports import middle_weakening_xlsx
    from queries.middle_weakening import middle_weakening

    day = _parse_date(as_of, "--as-of")
    with _open(read_only=True) as store:
        r = middle_weakening(store, community, day)
    middle_weakening_xlsx(r, file)
    out.print(f"wrote {file}: {len(r.gaps)} gaps in {len(r.summary)} communities")


@export_app.command("pairing")
def export_pairing_cmd(
    file: Annotated[Path, typer.Argument(help=".xlsx file to write")],
    community: Annotated[str | None, typer.Option(help="Community id")] = None,
    capacity: Annotated[int, typer.Option(help="New members per veteran")] = 2,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date YYYY-MM-DD")] = None,
) -> None:
    """A pairing proposal (新老党员结对方案) as .xlsx: a summary, one sheet per
    community, and the members left unpaired with the reason. Writes nothing to the
    graph (`govgraph pair --accept` does)."""
    from api.exports import pairing_xlsx
    from queries.pairing import pairing_proposal

    day = _parse_date(as_of, "--as-of")
    with _open(read_only=True) as store:
        p = pairing_proposal(store, community, capacity, day)
    pairing_xlsx(p, file)
    out.print(f"wrote {file}: {len(p.pairs)} pairs, {len(p.unpaired)} unpaired")
