"""``govgraph chain | gaps | pair | search``: the named queries as readable tables
(Chinese names) or ``--json`` for machines; ``--as-of DATE`` on each."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import AsOf, Json, emit_json, opened_store, out, parse_date

__all__ = ["app"]

app = typer.Typer()  # merged into the root: its commands are top-level


@app.command()
def chain(node_id: Annotated[str, typer.Argument(help="Start node id")],
          as_of: AsOf = None, as_json: Json = False) -> None:
    """Leadership chain (领导链) from a node up to the street working committee."""
    from queries.leadership_chain import leadership_chain

    day = parse_date(as_of, "--as-of")
    with opened_store(read_only=True) as store:
        c = leadership_chain(store, node_id, day)
    if as_json:
        emit_json(c)
        return
    t = Table(title=f"领导链 leadership chain · {c.start.name} ({c.start.id}) · {c.as_of}")
    for col in ("#", "节点 node", "类型 label", "关系 via", "负责人 leader", "断点 breaks"):
        t.add_column(col)
    for i, st in enumerate(c.steps):
        via = f"{st.reached_by.name_zh} {st.reached_by.type}" if st.reached_by else ""
        leader = f"{st.leader.name} ({st.leader.role})" if st.leader else ""
        brk = "; ".join(f"[red]{b.message_zh}[/] {b.reason}" for b in st.breaks)
        t.add_row(str(i), f"{st.node.name} {st.node.id}", st.node.label_zh, via, leader, brk)
    out.print(t)
    state = "complete 完整" if c.complete else (
        "reached the top with breaks 有断点" if c.reached_top else "broken 中断")
    out.print(f"{state}: {len(c.breaks)} break(s)")


@app.command()
def gaps(community: Annotated[str | None, typer.Option(help="Community id")] = None,
         street: Annotated[str | None, typer.Option(
             help="Street id: its communities only (a district's graph)")] = None,
         as_of: AsOf = None, as_json: Json = False,
         top: Annotated[int, typer.Option(help="Gaps to show in the table")] = 30) -> None:
    """Middle weakening (中间弱化): weak branches, hollow groups, gaps by severity."""
    from queries.middle_weakening import middle_weakening

    day = parse_date(as_of, "--as-of")
    with opened_store(read_only=True) as store:
        r = middle_weakening(store, community, day, street=street)
    if as_json:
        emit_json(r)
        return
    t = Table(title=f"中间弱化 middle weakening · {r.as_of} · top {min(top, len(r.gaps))} "
              f"of {len(r.gaps)} gaps")
    for col in ("#", "严重度", "社区", "党支部 branch", "居民小组 groups", "原因 reasons",
                "影响居民"):
        t.add_column(col)
    for g in r.gaps[:top]:
        t.add_row(str(g.rank), f"{g.severity:.2f}", g.community.name if g.community else "",
                  g.branch.name if g.branch else "[red]（无支部）[/]",
                  "、".join(x.name for x in g.groups) or "[red]（无小组）[/]",
                  "、".join(g.reasons_zh), f"{g.residents_affected:,}")
    out.print(t)
    s = Table(title="各社区汇总 per community")
    for col in ("社区", "支部", "弱支部", "占比", "小组", "虚化小组", "占比", "影响居民"):
        s.add_column(col)
    for c in r.summary:
        s.add_row(c.community.name, str(c.branches), str(c.weak_branches),
                  f"{c.weak_branch_share:.0%}", str(c.groups), str(c.hollow_groups),
                  f"{c.hollow_group_share:.0%}", f"{c.residents_affected:,}")
    out.print(s)


@app.command()
def pair(community: Annotated[str | None, typer.Option(help="Community id")] = None,
         capacity: Annotated[int, typer.Option(help="New members per veteran")] = 2,
         accept: Annotated[bool, typer.Option("--accept", help="Write the pairs as MENTORS")
                           ] = False,
         as_of: AsOf = None, as_json: Json = False) -> None:
    """New–veteran pairing (新老党员结对): an optimal plan; --accept writes it."""
    from queries.pairing import accept_pairing, pairing_proposal

    day = parse_date(as_of, "--as-of")
    with opened_store(read_only=not accept) as store:
        p = pairing_proposal(store, community, capacity, day)
        written = 0
        if accept and p.pairs:
            written = accept_pairing(store, [(x.mentor.id, x.mentee.id) for x in p.pairs],
                                     p.as_of, {(x.mentor.id, x.mentee.id): float(x.score)
                                               for x in p.pairs})
    if as_json:
        emit_json(p)
        return
    t = Table(title=f"新老党员结对 pairing · {p.as_of} · capacity {p.capacity}")
    for col in ("社区", "老党员 mentor", "新党员 mentee", "任职", "得分", "理由"):
        t.add_column(col)
    for x in p.pairs:
        t.add_row(x.community.name, f"{x.mentor.name} {x.mentor.id}",
                  f"{x.mentee.name} {x.mentee.id}", "是" if x.mentee_management_post else "",
                  str(x.score), "、".join(x.reasons_zh))
    out.print(t)
    if p.unpaired:
        u = Table(title="未结对 unpaired")
        for col in ("社区", "新党员", "任职", "原因"):
            u.add_column(col)
        for m in p.unpaired:
            u.add_row(m.community.name if m.community else "", f"{m.member.name} {m.member.id}",
                      "是" if m.management_post else "", m.reason_zh)
        out.print(u)
    o = p.objective
    out.print(f"paired {o.paired} (management posts {o.management_paired}), "
              f"total score {o.total_score}, kept {len(p.kept)} existing pair(s)")
    if accept:
        out.print(f"accepted: wrote {written} MENTORS relationship(s) since {p.as_of}")


@app.command("search")
def search_cmd(text: Annotated[str, typer.Argument(help="张三, zhangsan or zs")],
               label: Annotated[list[str] | None, typer.Option(help="Only these labels")
                                ] = None,
               limit: Annotated[int, typer.Option(help="At most this many (≤ 100)")] = 20,
               as_json: Json = False) -> None:
    """Find nodes by name: Chinese characters, full pinyin or initials."""
    from queries.search import search

    with opened_store(read_only=True) as store:
        hits = search(store, text, label, limit)
    if as_json:
        emit_json(hits)
        return
    if not hits:
        out.print(f"nothing matches {text!r}")
        return
    t = Table(title=f"search 搜索 · {text}")
    for col in ("id", "名称 name", "类型 label", "match"):
        t.add_column(col)
    for h in hits:
        t.add_row(h.node.id, h.node.name, h.node.label_zh, h.match)
    out.print(t)
