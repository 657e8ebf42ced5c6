"""``govgraph people …``: candidate duplicates already in a store, and merging two
people into one (dry run unless --apply; an applied merge is audited)."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli.common import fail, opened_store, out, security
from graph.errors import GraphError

__all__ = ["app"]

app = typer.Typer(help="People: one person, one node (duplicates, merge).",
                  no_args_is_help=True)


@app.command("duplicates")
def people_duplicates(
    limit: Annotated[int | None, typer.Option(help="Show at most this many groups")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """People who may be one person: the same ID number, or the same name and birth
    date (and whether they share a community or a phone). Strongest evidence first;
    the suggested node to keep has the most relationships."""
    from queries.people import duplicate_people

    with opened_store(read_only=True) as store:
        groups = duplicate_people(store, limit)
    if as_json:
        sys.stdout.write(json.dumps([g.model_dump() for g in groups], ensure_ascii=False,
                                    indent=2) + "\n")
        return
    if not groups:
        out.print("no candidate duplicates (没有疑似重复人员)")
        return
    t = Table(title=f"{len(groups)} groups of candidate duplicates 疑似重复人员")
    for col in ("keep 保留", "others 其余", "name 姓名", "evidence 依据"):
        t.add_column(col)
    for g in groups:
        t.add_row(g.keep, ", ".join(i for i in g.ids if i != g.keep), g.people[0].name,
                  "、".join(g.evidence_zh))
    out.print(t)
    out.print("merge a group with: govgraph people merge KEEP OTHER (add --apply to write)")


@app.command("merge")
def people_merge(
    keep: Annotated[str, typer.Argument(help="The node id to keep")],
    other: Annotated[str, typer.Argument(help="The node id merged into it (then removed)")],
    apply: Annotated[bool, typer.Option(
        "--apply", help="Write the merge (without it: only show what it would do)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Merge OTHER into KEEP: every relationship of OTHER moves to KEEP with its dates,
    properties are unioned (KEEP's value wins; each conflict is listed), labels add up,
    OTHER is removed. One transaction; recorded in the audit log."""
    from queries.people import merge_people

    try:
        with opened_store() as store:
            report = merge_people(store, keep, other, apply=apply)
    except GraphError as e:
        raise fail(str(e)) from None
    if apply:
        sec = security()
        try:
            from api.security import Caller

            sec.audit(Caller("cli", "admin", label="govgraph people merge"), "CLI",
                      f"people merge {keep} {other}", "合并重复人员", [keep, other], 200)
        finally:
            sec.close()
    if as_json:  # personal values masked, as in the text below
        data = report.model_dump(mode="json")
        data["conflicts"] = [_masked(c) for c in data["conflicts"]]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    verb = "merged" if apply else "would merge (dry run; --apply writes it)"
    out.print(f"{verb}: {report.other.name} ({other}) into {report.keep.name} ({keep}); "
              f"{report.relationships_moved} relationships moved, "
              f"{len(report.relationships_dropped)} already there or between the two; "
              f"labels added: {', '.join(report.labels_added) or '-'}; "
              f"properties added: {', '.join(report.properties_added) or '-'}",
              highlight=False)
    if report.conflicts:
        out.print("conflicts (the kept value stays) 冲突（保留前者）:")
        for c in report.conflicts:
            m = _masked(c.model_dump(mode="json"))
            out.print(f"  {m['property']}: {m['kept']} (kept) / {m['dropped']} (dropped)",
                      highlight=False)


def _masked(conflict: dict[str, Any]) -> dict[str, Any]:
    """A conflict with personal values masked (the CLI's output ends up in logs)."""
    import datetime as dt

    from graph.masking import mask_value
    from graph.schema import get_schema

    if conflict["property"] not in get_schema().sensitive_properties(["Person"]):
        return conflict
    today = dt.date.today().isoformat()
    return {**conflict, "kept": mask_value(conflict["property"], conflict["kept"], today),
            "dropped": mask_value(conflict["property"], conflict["dropped"], today)}
