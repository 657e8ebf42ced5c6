"""``govgraph grids …`` (overlaps, crossings, oversized grids, the integration proposal,
post–duty–person), ``govgraph forces`` and ``govgraph cases``: JSON, tables, or .xlsx."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.table import Table

from api.cli import _open, _parse_date, app, out
from api.cli_queries import AsOf

__all__: list[str] = []

grids_app = typer.Typer(help="Grids on the map (网格): overlaps and integration.",
                        no_args_is_help=True)
app.add_typer(grids_app, name="grids")
Json = Annotated[bool, typer.Option("--json", help="Machine-readable output")]
Xlsx = Annotated[Path | None, typer.Option("--xlsx", help="Also write the report as .xlsx")]


def _emit(result: BaseModel, as_json: bool, xlsx: Path | None,
          write: Callable[[Any, Path], Any]) -> bool:
    """Write the .xlsx if asked; print JSON if asked (then the caller prints nothing)."""
    if xlsx is not None:
        write(result, xlsx)
        out.print(f"wrote {xlsx}")
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    return as_json


@grids_app.command("overlaps")
def overlaps_cmd(
    max_area: Annotated[float, typer.Option("--max-area", help="km²")] = 0.25,
    max_residents_per_worker: Annotated[int, typer.Option()] = 1_000,
    write: Annotated[bool, typer.Option("--write", help="Write OVERLAPS relationships")
                     ] = False,
    as_json: Json = False,
    xlsx: Xlsx = None,
) -> None:
    """Special grids over base grids: shared areas, community crossings, too-large grids."""
    from api.exports_grids import overlaps_xlsx
    from queries.grids import overlap_analysis, write_overlaps

    with _open(read_only=not write) as store:
        r = overlap_analysis(store, max_area, 0.01, max_residents_per_worker)
        written = write_overlaps(store, r) if write else 0
    if _emit(r, as_json, xlsx, overlaps_xlsx):
        return
    t = Table(title=f"跨界专业网格 crossing special grids: {len(r.crossing)}")
    for col in ("网格", "类型", "社区", "面积 km²", "跨越社区", "重叠基础网格"):
        t.add_column(col)
    for s in r.special_grids:
        if s.communities_crossed:
            t.add_row(s.grid.name, s.kind, s.community.name if s.community else "",
                      f"{s.area_km2:.3f}", "、".join(c.name for c in s.communities_crossed),
                      str(len(s.overlaps)))
    out.print(t)
    big = Table(title=f"过大基础网格 too large: {len(r.too_large)}")
    for col in ("网格", "社区", "面积 km²", "居民", "网格员", "原因"):
        big.add_column(col)
    for g in r.too_large:
        big.add_row(g.grid.name, g.community.name if g.community else "", f"{g.area_km2:.3f}",
                    str(g.residents), str(g.workers), "、".join(g.reasons))
    out.print(big)
    if write:
        out.print(f"wrote {written:,} OVERLAPS relationships")


@grids_app.command("integration")
def integration_cmd(
    accept: Annotated[bool, typer.Option("--accept", help="Write the sub-grids")] = False,
    as_json: Json = False,
    xlsx: Xlsx = None,
) -> None:
    """Fold special grids into sub-grids of the base grids (多网合一): the proposal, or
    with --accept, its sub-grids written."""
    from api.exports_grids import integration_xlsx
    from queries.grid_integration import accept_integration, integration_proposal

    with _open(read_only=not accept) as store:
        p = integration_proposal(store)
        written = accept_integration(store, p) if accept else 0
    if _emit(p, as_json, xlsx, integration_xlsx):
        return
    t = Table(title=f"专业网格边界调整 boundary changes ({len(p.sub_grids):,} sub-grids)")
    for col in ("专业网格", "类型", "新增基础网格", "移出基础网格", "调整后面积 km²"):
        t.add_column(col)
    for c in p.changes:
        if c.gains or c.loses:
            t.add_row(c.special_grid.name, c.kind, str(len(c.gains)), str(len(c.loses)),
                      f"{c.area_km2:.3f}")
    out.print(t)
    if accept:
        out.print(f"wrote {written:,} sub-grids")


@grids_app.command("duty")
def duty_cmd(
    max_grids: Annotated[int, typer.Option("--max-grids", help="Per grid worker")] = 2,
    as_of: AsOf = None,
    as_json: Json = False,
    xlsx: Xlsx = None,
) -> None:
    """Post, duty, person per grid (定岗定责定人): what each base grid lacks."""
    from api.exports_grids import MISSING_ZH as zh
    from api.exports_grids import duty_xlsx
    from queries.grid_duty import grid_duty

    with _open(read_only=True) as store:
        d = grid_duty(store, _parse_date(as_of, "--as-of"), max_grids)
    if _emit(d, as_json, xlsx, duty_xlsx):
        return
    t = Table(title=f"定岗定责定人 · {len(d.gaps)} of {d.base_grids} base grids lack someone")
    for col in ("网格", "社区", "缺", "无楼栋长的楼栋"):
        t.add_column(col)
    for g in d.gaps:
        t.add_row(g.grid.name, g.community.name if g.community else "",
                  "、".join(zh[m] for m in g.missing), str(len(g.buildings_without_head)))
    out.print(t)
    if d.busy_workers:
        out.print(f"负责网格过多 ({d.max_grids_per_worker}+): " + "、".join(
            f"{b.person.name}({b.grids})" for b in d.busy_workers))


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

    with _open(read_only=True) as store:
        r = forces_report(store, _parse_date(as_of, "--as-of"), days)
    if _emit(r, as_json, xlsx, forces_xlsx):
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
    with _open(read_only=True) as store:
        e = case_evaluation(store, _parse_date(as_of, "--as-of"), window)
    if _emit(e, as_json, xlsx, cases_xlsx):
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
