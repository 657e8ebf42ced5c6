"""``govgraph template KIND``: an empty roster (花名册) to fill in and load."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import out

__all__ = ["app"]

app = typer.Typer()  # merged into the root: its command is top-level


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
