"""``govgraph load …``: the Xinqiao scenario, rosters (花名册), graph CSV and Popolo.
Every file is checked first; a file with any error writes nothing and the report
lists each problem."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli.common import Force, err, fail, location, opened_store, out, parse_date

if TYPE_CHECKING:
    from loaders.report import LoadReport

__all__ = ["app"]

app = typer.Typer(help="Load data into the store.", no_args_is_help=True)

Lang = Annotated[str, typer.Option("--lang", help="Report language: zh or en")]


@app.command("scenario")
def load_scenario_cmd(
    name: Annotated[str, typer.Argument(
        help="Built-in scenario: xinqiao (one street) or baoan (the district)")],
    residents: Annotated[int, typer.Option(
        help="xinqiao: residents to generate (5,000-500,000)")] = 20_000,
    streets: Annotated[int | None, typer.Option(
        help="baoan: how many of the district's ten streets, Xinqiao first (default 2)")
    ] = None,
    residents_per_street: Annotated[int | None, typer.Option(
        "--residents-per-street", help="baoan: residents of every street (default: each "
        "street's published population; 5,000-1,100,000)")] = None,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same graph")] = 7,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Reference date YYYY-MM-DD (default today)")] = None,
    if_empty: Annotated[bool, typer.Option(
        "--if-empty", help="Do nothing when the store already holds nodes (but finish a "
                           "scenario load that was interrupted)")] = False,
    force: Force = False,
) -> None:
    """Generate a synthetic scenario (Xinqiao Street, or Bao'an District's streets under
    the district committee) and load it."""
    if name not in ("xinqiao", "baoan"):
        raise fail(f"unknown scenario {name!r}; the built-in scenarios are 'xinqiao' (one "
                   "street) and 'baoan' (the district)")
    if name == "xinqiao" and (streets is not None or residents_per_street is not None):
        raise fail("--streets and --residents-per-street are for the district scenario "
                   "'baoan'; Xinqiao takes --residents")
    day = parse_date(as_of, "--as-of")
    try:  # checked before opening
        if name == "baoan":
            _district(streets or 2, residents_per_street, seed, day, 20_000)
        else:
            _street(residents, seed, day, 20_000)
    except ValueError as e:
        raise fail(str(e)) from None
    from loaders.xinqiao import LOADING_META

    with opened_store(force=force) as store:
        existing = store.counts().nodes
        partial = store.get_meta(LOADING_META)
        if if_empty and existing and partial:
            name = partial.get("name", "xinqiao")
            seed = int(partial["seed"])
            day = dt.date.fromisoformat(partial["as_of"])
            if name == "baoan":
                streets = int(partial["streets"])
                sizes = set(partial["residents_per_street"].values())
                residents_per_street = sizes.pop() if len(sizes) == 1 else None
                again = (f"--streets {streets}" + (f" --residents-per-street "
                         f"{residents_per_street}" if residents_per_street else ""))
            else:
                residents = int(partial["residents"])
                again = f"--residents {residents}"
            err.print(f"store {location()} holds {existing:,} nodes of a scenario load that "
                      f"did not finish ({name} {again} --seed {seed} --as-of {day}); "
                      "loading it again")
        elif if_empty and existing:
            out.print(f"store {location()} already holds {existing:,} nodes; not loading")
            return
        _load(store, name, residents, streets or 2, residents_per_street, seed, day)


def _street(residents: int, seed: int, day: dt.date | None, batch: int) -> Any:
    from loaders.xinqiao import XinqiaoScenario

    return XinqiaoScenario(residents=residents, seed=seed, as_of=day, batch_size=batch)


def _district(streets: int, residents: int | None, seed: int, day: dt.date | None,
              batch: int) -> Any:
    from loaders.baoan import BaoanScenario

    return BaoanScenario(streets=streets, residents_per_street=residents, seed=seed,
                         as_of=day, batch_size=batch)


def _load(store: Any, name: str, residents: int, streets: int, per_street: int | None,
          seed: int, day: dt.date | None) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from loaders.baoan import load_district
    from loaders.xinqiao import load_scenario

    batch = store.preferred_batch_size
    if name == "baoan":
        scenario = _district(streets, per_street, seed, day, batch)
        title = f"Bao'an District ({streets} streets)"
    else:
        scenario = _street(residents, seed, day, batch)
        title = "Xinqiao"
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                  transient=False) as bar:
        task = bar.add_task(f"loading {title}", total=scenario.total_records)

        def advance(n: int) -> None:
            bar.advance(task, n)

        if name == "baoan":
            result = load_district(store, scenario, progress=advance)
        else:
            result = load_scenario(store, scenario=scenario, progress=advance)
    out.print(f"loaded {title} scenario into {location()}: "
              f"{result['nodes']:,} nodes, {result['rels']:,} relationships")


@app.command("roster")
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
    force: Force = False,
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
    day = parse_date(as_of, "--as-of")
    with opened_store(force=force) as store:
        report = load_roster(store, file, m.kind, as_of=day, dry_run=dry_run,
                             end_missing=not keep_missing, allow_rename=allow_rename)
    _print_report(report, lang, as_json)
    if report.ok and not as_json:
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


def _print_changes(report: LoadReport, lang: str, dry_run: bool, limit: int = 20) -> None:
    """The counts of what a load changed (or would), then each changed stored node."""
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


def _print_report(report: LoadReport, lang: str, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    (out if report.ok else err).print("\n".join(report.lines(lang)), highlight=False,
                                      markup=False, soft_wrap=True)


@app.command("csv")
def load_csv_cmd(
    directory: Annotated[Path, typer.Argument(help="Directory of CSV files (neo4j-admin "
                                              "import's header convention)")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only check and report")] = False,
    replace: Annotated[bool, typer.Option(
        "--replace", help="The files' nodes and relationships become exactly what is stored "
        "(properties and labels they leave out are removed); without it they merge")] = False,
    lang: Lang = "zh",
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON")] = False,
    force: Force = False,
) -> None:
    """Load graph CSV (id:ID, :LABEL, :START_ID, :END_ID, :TYPE, typed columns such as
    since:date). Every file is checked against the schema and the stored graph first;
    any error writes nothing. Rows merge into what is stored (an empty field keeps the
    stored value; a person is found by ID number) unless --replace."""
    from loaders.graph_csv import load_graph_csv

    with opened_store(force=force) as store:
        report = load_graph_csv(store, directory, dry_run=dry_run, replace=replace)
    _print_report(report, lang, as_json)
    if not report.ok:
        raise typer.Exit(1)
    if not as_json:
        _print_changes(report, lang, dry_run)
        out.print(f"{'checked' if dry_run else 'loaded'} {report.rows:,} rows from "
                  f"{len(report.sheets)} files")


@app.command("popolo")
def load_popolo_cmd(
    file: Annotated[Path, typer.Argument(help="Popolo JSON file")],
    classification: Annotated[list[str] | None, typer.Option(
        "--classification", help="CLASS=Label for an organisation classification "
        "loaders/popolo.yaml does not map (repeatable), e.g. legislature=SocialOrganization")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only check and report")] = False,
    lang: Lang = "zh",
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON")] = False,
    force: Force = False,
) -> None:
    """Load Popolo JSON: organizations (classification → label, parent_id), persons,
    memberships (party organisations → MEMBER_OF, others → HOLDS_POST) and posts.
    All or nothing."""
    from loaders.popolo import load_popolo

    extra = {}
    for item in classification or []:
        cls, sep, label = item.partition("=")
        if not sep or not cls.strip() or not label.strip():
            raise fail(f"--classification {item!r}: use CLASS=Label")
        extra[cls.strip()] = label.strip()
    with opened_store(force=force) as store:
        report = load_popolo(store, file, dry_run=dry_run, classifications=extra)
    _print_report(report, lang, as_json)
    if not report.ok:
        raise typer.Exit(1)
    if not as_json:
        _print_changes(report, lang, dry_run)
        c = report.changes
        out.print(f"{'checked' if dry_run else 'loaded'} {c['nodes_added']:,} nodes and "
                  f"{c['rels_added']:,} relationships from {file}")
