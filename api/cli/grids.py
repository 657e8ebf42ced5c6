"""``govgraph grids …``: special grids over base grids (overlaps, crossings, oversized
grids), the integration proposal (多网合一), and post–duty–person per grid
(定岗定责定人): tables, JSON or .xlsx."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import AsOf, Json, Xlsx, emit, opened_store, out, parse_date

__all__ = ["app"]

app = typer.Typer(help="Grids on the map (网格): overlaps and integration.",
                  no_args_is_help=True)


@app.command("overlaps")
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

    with opened_store(read_only=not write) as store:
        r = overlap_analysis(store, max_area, 0.01, max_residents_per_worker)
        written = write_overlaps(store, r) if write else 0
    if emit(r, as_json, xlsx, overlaps_xlsx):
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


@app.command("integration")
def integration_cmd(
    accept: Annotated[bool, typer.Option("--accept", help="Write the sub-grids")] = False,
    as_json: Json = False,
    xlsx: Xlsx = None,
) -> None:
    """Fold special grids into sub-grids of the base grids (多网合一): the proposal, or
    with --accept, its sub-grids written."""
    from api.exports_grids import integration_xlsx
    from queries.grid_integration import accept_integration, integration_proposal

    with opened_store(read_only=not accept) as store:
        p = integration_proposal(store)
        written = accept_integration(store, p) if accept else 0
    if emit(p, as_json, xlsx, integration_xlsx):
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


@app.command("duty")
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

    with opened_store(read_only=True) as store:
        d = grid_duty(store, parse_date(as_of, "--as-of"), max_grids)
    if emit(d, as_json, xlsx, duty_xlsx):
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
