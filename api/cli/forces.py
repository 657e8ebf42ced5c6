"""``govgraph forces``: front-line forces (下沉力量) per community: a table, JSON or
.xlsx."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import AsOf, Json, Xlsx, emit, opened_store, out, parse_date

__all__ = ["app"]

app = typer.Typer()  # merged into the root: its command is top-level


@app.command("forces")
def forces_cmd(
    days: Annotated[int, typer.Option(min=1, max=3650, help="Mobilised: within these days")
                    ] = 90,
    as_of: AsOf = None,
    as_json: Json = False,
    xlsx: Xlsx = None,
) -> None:
    """Front-line forces (下沉力量): staff per community against area, residents, grids
    and duties; staff not mobilised; staff the community committee does not evaluate."""
    from api.exports_grids import ROLE_ZH, forces_xlsx
    from queries.forces import forces_report

    with opened_store(read_only=True) as store:
        r = forces_report(store, parse_date(as_of, "--as-of"), days)
    if emit(r, as_json, xlsx, forces_xlsx):
        return
    t = Table(title=f"下沉力量配置 · {r.staff} staff · {r.as_of}")
    for col in ("社区", "人员", "每km²", "每万人", "每网格", "每百项职责", "按面积应配",
                "按人口应配"):
        t.add_column(col)
    for a in r.allocation:
        t.add_row(a.community.name, str(a.staff), *(f"{v:.2f}" if v is not None else "—" for v in (
            a.per_km2, a.per_10k_residents, a.per_grid, a.per_100_duties)),
                  str(a.by_need["area"]), str(a.by_need["residents"]))
    out.print(t)
    out.print("差异 (最高/最低): " + "，".join(
        f"{s.measure_zh} {s.ratio}×" for s in r.spread if s.ratio is not None))
    out.print(f"近 {r.days} 天未调动 not mobilised: {len(r.not_mobilised)}；未纳入社区考核 "
              f"not evaluated: {len(r.not_evaluated)} (" + "、".join(
                  f"{x.person.name}({ROLE_ZH[x.role]})" for x in r.not_evaluated[:10]) + " …)")
