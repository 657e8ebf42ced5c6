"""``govgraph cases``: patrol cases (巡办分离) ranked on more than the closure rate: a
table, JSON or .xlsx."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import AsOf, Json, Xlsx, emit, opened_store, out, parse_date

__all__ = ["app"]

app = typer.Typer()  # merged into the root: its command is top-level


@app.command("cases")
def cases_cmd(
    window: Annotated[int, typer.Option("--window", min=1, max=3650, help="Days of cases")
                      ] = 365,
    by: Annotated[str, typer.Option(help="grid | department | patroller")] = "department",
    top: Annotated[int, typer.Option(min=1)] = 20,
    as_of: AsOf = None,
    as_json: Json = False,
    xlsx: Xlsx = None,
) -> None:
    """Patrol cases (巡办分离): quality, efficiency and effect beside the closure rate,
    per grid, handling department or patroller."""
    from api.exports_grids import FLAG_ZH, cases_xlsx
    from queries.cases import GROUPINGS, case_evaluation

    if by not in GROUPINGS:
        out.print(f"[red]error:[/] --by {by!r}: one of {', '.join(GROUPINGS)}")
        raise typer.Exit(2)
    with opened_store(read_only=True) as store:
        e = case_evaluation(store, parse_date(as_of, "--as-of"), window)
    if emit(e, as_json, xlsx, cases_xlsx):
        return
    rk = next(r for r in e.rankings if r.grouping == by)
    t = Table(title=f"巡查案件评价 按{rk.grouping_zh} · {e.cases} cases {e.since}–{e.as_of} · "
                    f"办结率与综合排名相关 {rk.rank_correlation}")
    for col in ("综合", "办结率排名", "对象", "案件", "办结率", "质量", "办结天数", "复发率",
                "积压", "标记"):
        t.add_column(col)
    for x in rk.rows[:top]:
        t.add_row(str(x.rank_by_score or "—"), str(x.rank_by_closure_rate or "—"),
                  x.entity.name, str(x.cases), f"{x.closure_rate:.1%}", str(x.quality),
                  str(x.days_to_close),
                  f"{x.recurrence_rate:.1%}" if x.recurrence_rate is not None else "—",
                  str(x.backlog), "、".join(FLAG_ZH[f] for f in x.flags))
    out.print(t)
