"""One community at a glance, and the "three boards, one team" report (also as .xlsx)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path as FilePath
from typing import IO, Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from api.cache import cached
from api.deps import StoreDep, run_heavy
from api.exports import XLSX_RESPONSES, xlsx_download
from api.models import Page, paginate
from api.params import Day
from api.policy import EVERY_ROLE, PERSON_ROLES, CallerDep, allow
from api.redaction import visible
from loaders.xlsx import write_sheets
from queries.common import day_of
from queries.community import CommunityOverview, community_overview
from queries.lookups import PostHolder, three_boards

router = APIRouter(tags=["communities"], dependencies=[Depends(allow(*EVERY_ROLE))])


@router.get("/communities/{community_id}/summary", response_model=CommunityOverview)
async def get_summary(community_id: Annotated[str, Path(min_length=1, max_length=200)],
                      store: StoreDep, as_of: Day | None = None) -> CommunityOverview:
    """Counts, party structure health and post holders of one community (computed once
    per version of the store and day)."""
    day = as_of or dt.date.today()
    return await run_heavy(cached, store, ("community", community_id, day),
                           lambda: community_overview(store, community_id, day))


@router.get("/reports/three-boards", response_model=Page[PostHolder],
            dependencies=[Depends(allow(*PERSON_ROLES))])
def get_three_boards(
    request: Request,
    store: StoreDep,
    caller: CallerDep,
    community: Annotated[str | None, Query(max_length=200)] = None,
    min_orgs: Annotated[int, Query(ge=2, le=20)] = 2,
    as_of: Day | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[PostHolder]:
    """People holding posts in 2+ organisations of one community (三块牌子一套人马)."""
    return paginate(visible(request, three_boards(store, caller.community or community,
                                                  min_orgs, as_of)), limit, offset)



class ThreeBoards(BaseModel):
    """The three-boards report as a download holds it."""

    as_of: str
    min_orgs: int
    holders: list[PostHolder]


def three_boards_xlsx(r: ThreeBoards, out: FilePath | IO[bytes]) -> FilePath | IO[bytes]:
    """汇总 (per community: people, of them in 3+ organisations), then per community
    each person with the organisations and their posts, most organisations first."""
    def posts(h: PostHolder, kind: str) -> str:
        since = {id(p): f"（{p.since} 起）" if p.since else "" for p in h.posts}
        return "；".join(f"{p.organisation.name}：{p.title}{since[id(p)]}"
                        for p in h.posts if p.kind == kind)

    rows: dict[str, list[list[Any]]] = defaultdict(list)
    for h in r.holders:
        rows[h.community.name].append([h.person.name, h.organisations,
                                       posts(h, "party_role"), posts(h, "post")])
    summary = [[c, len(x), sum(1 for row in x if row[1] >= 3)] for c, x in sorted(rows.items())]
    heads = ["姓名", "兼任组织数", "党内职务", "其他职务"]
    sheets = [("汇总", ["社区", "兼职人数", "兼任3个及以上组织"], summary)]
    sheets += [(c, heads, x) for c, x in sorted(rows.items())]
    return write_sheets(out, sheets, title=f"三块牌子一套人马（截至 {r.as_of}，兼任 {r.min_orgs} "
                        "个及以上组织）", widths={2: 50, 3: 50})


@router.get("/reports/three-boards.xlsx", response_class=Response, responses=XLSX_RESPONSES,
            dependencies=[Depends(allow(*PERSON_ROLES))])
async def get_three_boards_xlsx(
    request: Request,
    store: StoreDep,
    caller: CallerDep,
    community: Annotated[str | None, Query(max_length=200)] = None,
    min_orgs: Annotated[int, Query(ge=2, le=20)] = 2,
    as_of: Day | None = None,
) -> Response:
    """The three-boards report (三块牌子一套人马) as an .xlsx ready to print: a summary,
    then one sheet per community, every holder (no paging)."""
    day = day_of(as_of)
    holders = await run_heavy(three_boards, store, caller.community or community, min_orgs,
                              day)
    return await xlsx_download(request, three_boards_xlsx,
                               ThreeBoards(as_of=day, min_orgs=min_orgs, holders=holders),
                               f"three-boards-{day}.xlsx", f"三块牌子一套人马-{day}.xlsx")
