"""Query results as ``.xlsx`` ready to print (for the API and the CLI: here, not in
loaders/, because it reads query results and data flows loaders → queries → api):
a summary sheet, then one sheet per community, Chinese headers, the date in the title.

>>> KIND_ZH["no_branch"]
'无支部覆盖的居民小组'
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from fastapi import Request
from fastapi.responses import Response

from loaders.xlsx import write_sheets
from queries.middle_weakening import MiddleWeakening
from queries.pairing import PairingProposal

__all__ = ["middle_weakening_xlsx", "pairing_xlsx", "attachment", "xlsx_response",
           "KIND_ZH", "XLSX_MEDIA_TYPE", "XLSX_RESPONSES"]

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "The report as .xlsx"}}
KIND_ZH = {"weak_branch": "党支部弱化", "no_group": "党支部未覆盖居民小组",
           "no_branch": "无支部覆盖的居民小组"}
_NO_COMMUNITY = "（未归属社区）"


def xlsx_response(write: Callable[[Any, IO[bytes]], Any], result: Any, ascii_name: str,
                  name: str) -> Response:
    """A result written by ``write`` as an .xlsx download."""
    buf = io.BytesIO()
    write(result, buf)
    return Response(buf.getvalue(), media_type=XLSX_MEDIA_TYPE,
                    headers=attachment(ascii_name, name))


async def xlsx_download(request: Request, write: Callable[[Any, IO[bytes]], Any], result: Any,
                        ascii_name: str, name: str) -> Response:
    """A report as the caller may see it, written as an .xlsx in the thread pool (the
    event loop keeps answering while a large workbook is written)."""
    from api.deps import run_heavy
    from api.redaction import redacted_model

    return await run_heavy(lambda: xlsx_response(write, redacted_model(request, result),
                                                 ascii_name, name))


def attachment(ascii_name: str, name: str) -> dict[str, str]:
    """A download's Content-Disposition: an ASCII name for old clients, the Chinese
    one (RFC 5987) for the rest.

    >>> print(attachment("a.xlsx", "清单.xlsx")["Content-Disposition"])
    attachment; filename="a.xlsx"; filename*=UTF-8''%E6%B8%85%E5%8D%95.xlsx
    """
    from urllib.parse import quote

    return {"Content-Disposition":
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"}


def middle_weakening_xlsx(r: MiddleWeakening, out: Path | IO[bytes]) -> Path | IO[bytes]:
    """汇总 (per community), then per community its gaps by rank with the branch's
    facts (secretary, members, last activity) and the groups affected."""
    branches = {b.branch.id: b for b in r.weak_branches}
    summary = [[c.community.name, c.branches, c.weak_branches, f"{c.weak_branch_share:.0%}",
                c.groups, c.hollow_groups, f"{c.hollow_group_share:.0%}", c.gaps,
                c.residents_affected] for c in r.summary]
    by_community: dict[str, list[list[Any]]] = defaultdict(list)
    for g in r.gaps:
        b = branches.get(g.branch.id) if g.branch else None
        by_community[g.community.name if g.community else _NO_COMMUNITY].append([
            g.rank, round(g.severity, 2), KIND_ZH[g.kind],
            g.branch.name if g.branch else "（无）",
            (b.secretary.name if b and b.secretary else "（空缺）") if b else "",
            f"{b.members}/{b.full_members}" if b else "",
            (b.last_activity or "（无记录）") if b else "",
            "、".join(x.name for x in g.groups) or "（无）",
            "；".join(g.reasons_zh), g.residents_affected])
    heads = ["排名", "严重度", "问题类型", "党支部", "书记", "党员/正式党员", "最近一次组织生活",
             "居民小组", "原因", "影响居民数"]
    sheets = [("汇总", ["社区", "党支部数", "弱化支部", "占比", "居民小组数", "虚化小组", "占比",
                      "问题数", "影响居民数"], summary)]
    names = sorted({c.community.name for c in r.summary} | set(by_community))
    sheets += [(name, heads, by_community.get(name) or [["", "", "无中间弱化问题"]])
               for name in names]
    return write_sheets(out, sheets, title=f"中间弱化问题清单（截至 {r.as_of}）",
                        widths={3: 28, 7: 30, 8: 40})


def pairing_xlsx(p: PairingProposal, out: Path | IO[bytes]) -> Path | IO[bytes]:
    """汇总, then per community the proposed pairs (mentor, mentee, score, reasons),
    current pairs kept, and a sheet of members left unpaired with the reason."""
    rows: dict[str, list[list[Any]]] = defaultdict(list)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for x in p.pairs:
        c = x.community.name
        rows[c].append([x.mentor.name, x.mentor.id, x.mentee.name, x.mentee.id,
                        "是" if x.mentee_management_post else "", x.score,
                        "；".join(x.reasons_zh), "新结对"])
        counts[c][0] += 1
        counts[c][2] += x.score
    for x in p.kept:
        rows[x.community.name].append([x.mentor.name, x.mentor.id, x.mentee.name, x.mentee.id,
                                       "是" if x.mentee_management_post else "", x.score,
                                       "；".join(x.reasons_zh), "保持现有结对"])
        counts[x.community.name][3] += 1
    unpaired: list[list[Any]] = []
    for u in p.unpaired:
        c = u.community.name if u.community else _NO_COMMUNITY
        counts[c][1] += 1
        unpaired.append([c, u.member.name, u.member.id, "是" if u.management_post else "",
                         u.reason_zh])
    heads = ["老党员", "老党员编号", "新党员", "新党员编号", "新党员任职", "匹配分", "理由", "类型"]
    sheets = [("汇总", ["社区", "新结对", "未结对", "匹配总分", "保持现有结对"],
               [[c, *v] for c, v in sorted(counts.items())])]
    sheets += [(c, heads, r) for c, r in sorted(rows.items())]
    sheets.append(("未结对", ["社区", "党员", "编号", "任职", "原因"], unpaired))
    return write_sheets(out, sheets, title=f"新老党员结对方案（截至 {p.as_of}，每名老党员至多带 "
                        f"{p.capacity} 名）", widths={6: 50})
