"""Patrol cases (巡办分离, docs/domain.md §3 item 5, §5.6): each grid, handling department and
patroller judged on quality, efficiency and effect, next to the closure rate (办结率)
they are judged on today, and where the two rankings disagree.

Cases counted: ``reported_on`` in (as_of − ``window_days``, as_of]. As of the day a
case is closed when its ``closed_on`` is on or before it (else open, whatever its
``status`` says later). Per grid (``IN_GRID``), department (``HANDLED_BY``) and
patroller (``REPORTED_BY``):

- **closure rate**: closed / cases.
- **quality**: the mean ``quality`` rating (1–5) of the closed cases.
- **efficiency**: the median days to close, an open case counting the days it has
  been open so far (so a backlog is not flattered by leaving it out).
- **effect**: 1 − the share of closed cases that *recur*: a case of the same grid and
  category reported within ``recur_days`` after the closing (up to as_of).
- **score** = mean of (quality − 1) / 4, max(0, 1 − median days / 30) and effect;
  ranks 1 = best, equal values share a rank; only entities with at least
  ``min_cases`` cases are ranked (a handful of cases says little), the rest follow
  unranked.
- **backlog**: cases open as of the day and reported ``backlog_days`` or more before.
- flags: ``filing_for_count`` (a patroller with at least 3× the median patroller's
  cases and mean quality below 2), ``backlog`` (any backlog), ``recurring`` (any
  recurrence).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from graph.model import Adjacent, Node
from graph.store import GraphReader
from queries.common import NodeRef, day_of, node_ref

__all__ = ["case_evaluation", "CaseEvaluation", "CaseStats", "GROUPINGS"]

GROUPINGS = {"grid": "网格", "department": "承办部门", "patroller": "巡查员"}


class CaseStats(BaseModel):
    entity: NodeRef
    community: NodeRef | None
    cases: int
    closed: int
    open: int
    backlog: int
    closure_rate: float
    quality: float | None
    days_to_close: float | None
    recurrence_rate: float | None
    score: float
    rank_by_closure_rate: int | None  # None: fewer than min_cases cases
    rank_by_score: int | None
    flags: list[str]


class Ranking(BaseModel):
    grouping: str
    grouping_zh: str
    rows: list[CaseStats]  # by score rank, the unranked last
    ranked: int
    rank_correlation: float | None  # Spearman, closure rate vs score
    disagree: list[str]  # ids ranked ≥ a quarter of the list apart by the two


class CaseEvaluation(BaseModel):
    as_of: str
    since: str
    window_days: int
    backlog_days: int
    recur_days: int
    min_cases: int
    cases: int
    rankings: list[Ranking]


@dataclass
class _Case:
    id: str
    grid: str | None
    category: str
    reported: dt.date
    closed: dt.date | None
    quality: int | None
    recurs: bool = False


def _rank(values: list[float]) -> list[int]:
    """Competition ranks, 1 for the highest; equal values share the better rank."""
    order = sorted(values, reverse=True)
    return [order.index(v) + 1 for v in values]


def _spearman(a: list[int], b: list[int]) -> float | None:
    if len(a) < 3 or len(set(a)) < 2 or len(set(b)) < 2:
        return None
    return round(statistics.correlation(a, b), 4)


def _stats(cases: list[_Case], day: dt.date, backlog_days: int) -> dict[str, float | int | None]:
    closed = [c for c in cases if c.closed is not None]
    ages = sorted(((c.closed or day) - c.reported).days for c in cases)
    rated = [c.quality for c in closed if c.quality is not None]
    quality = round(statistics.fmean(rated), 3) if rated else None
    median = float(statistics.median(ages))
    recur = round(sum(c.recurs for c in closed) / len(closed), 4) if closed else None
    score = statistics.fmean([(quality - 1) / 4 if quality is not None else 0.0,
                              max(0.0, 1 - median / 30),
                              1 - recur if recur is not None else 0.0])
    return {"cases": len(cases), "closed": len(closed), "open": len(cases) - len(closed),
            "backlog": sum(1 for c in cases if c.closed is None
                           and (day - c.reported).days >= backlog_days),
            "closure_rate": round(len(closed) / len(cases), 4), "quality": quality,
            "days_to_close": median, "recurrence_rate": recur, "score": round(score, 4)}


def _ranking(grouping: str, groups: dict[str, list[_Case]], nodes: dict[str, Node],
             community: Callable[[str], NodeRef | None], store: GraphReader, day: dt.date,
             backlog_days: int, min_cases: int) -> Ranking:
    keys = sorted(k for k in groups if k in nodes)
    stats = [_stats(groups[k], day, backlog_days) for k in keys]
    ranked = [i for i, s in enumerate(stats) if (s["cases"] or 0) >= min_cases]
    by_rate: list[int | None] = [None] * len(keys)
    by_score: list[int | None] = [None] * len(keys)
    for i, a, b in zip(ranked, _rank([float(stats[i]["closure_rate"] or 0) for i in ranked]),
                       _rank([float(stats[i]["score"] or 0) for i in ranked]), strict=True):
        by_rate[i], by_score[i] = a, b
    med = statistics.median([s["cases"] or 0 for s in stats]) if stats else 0
    rows = []
    for k, s, r1, r2 in zip(keys, stats, by_rate, by_score, strict=True):
        flags = []
        if (grouping == "patroller" and (s["cases"] or 0) >= 3 * med
                and s["quality"] is not None and s["quality"] < 2):
            flags.append("filing_for_count")
        if s["backlog"]:
            flags.append("backlog")
        if s["recurrence_rate"]:
            flags.append("recurring")
        rows.append(CaseStats(entity=node_ref(store.schema, nodes[k]), community=community(k),
                              rank_by_closure_rate=r1, rank_by_score=r2, flags=flags,
                              **s))  # type: ignore[arg-type]
    rows.sort(key=lambda r: (r.rank_by_score is None, r.rank_by_score or 0, r.entity.id))
    gap = max(1, len(ranked) // 4)
    return Ranking(grouping=grouping, grouping_zh=GROUPINGS[grouping], rows=rows,
                   ranked=len(ranked), rank_correlation=_spearman(
                       [by_rate[i] or 0 for i in ranked], [by_score[i] or 0 for i in ranked]),
                   disagree=sorted(r.entity.id for r in rows if r.rank_by_score is not None
                                   and abs((r.rank_by_closure_rate or 0) - r.rank_by_score)
                                   >= gap))


def case_evaluation(store: GraphReader, as_of: dt.date | str | None = None,
                    window_days: int = 365, backlog_days: int = 30,
                    recur_days: int = 90, min_cases: int = 5) -> CaseEvaluation:
    day_s = day_of(as_of)
    day = dt.date.fromisoformat(day_s)
    since = day - dt.timedelta(days=window_days)
    raw = [n for n in store.nodes("Case")
           if since.isoformat() < (n.properties.get("reported_on") or "") <= day_s]
    ids = [n.id for n in raw]
    out = store.adjacent_many(ids, ["IN_GRID", "HANDLED_BY", "REPORTED_BY"], "out")

    def one(adj: dict[str, list[Adjacent]], cid: str, rtype: str) -> str | None:
        return next((a.other for a in adj.get(cid, []) if a.rel.type == rtype), None)

    cases = []
    for n in raw:
        p = n.properties
        closed = p.get("closed_on")
        cases.append(_Case(n.id, one(out, n.id, "IN_GRID"), p.get("category") or "",
                           dt.date.fromisoformat(p["reported_on"]),
                           dt.date.fromisoformat(closed) if closed and closed <= day_s else None,
                           p.get("quality")))
    by_key: dict[tuple[str | None, str], list[_Case]] = defaultdict(list)
    for c in cases:
        by_key[(c.grid, c.category)].append(c)
    for same in by_key.values():
        reported = sorted(c.reported for c in same)
        for c in same:
            if c.closed is not None and c.grid is not None:
                end = min(c.closed + dt.timedelta(days=recur_days), day)
                c.recurs = any(c.closed < r <= end for r in reported)
    grids: dict[str, list[_Case]] = defaultdict(list)
    depts: dict[str, list[_Case]] = defaultdict(list)
    reporters: dict[str, list[_Case]] = defaultdict(list)
    for c in cases:
        if c.grid:
            grids[c.grid].append(c)
        if (d := one(out, c.id, "HANDLED_BY")):
            depts[d].append(c)
        if (r := one(out, c.id, "REPORTED_BY")):
            reporters[r].append(c)
    nodes = store.get_nodes(sorted({*grids, *depts, *reporters}))
    homes = store.adjacent_many(sorted(grids), ["IN"], "out", ["Community"])
    coms = store.get_nodes(sorted({a.other for v in homes.values() for a in v}))

    def grid_home(g: str) -> NodeRef | None:
        h = homes.get(g)
        return node_ref(store.schema, coms[h[0].other]) if h else None

    def main_grid(p: str) -> NodeRef | None:  # a patroller's: where most of his cases are
        counts: dict[str, int] = defaultdict(int)
        for c in reporters[p]:
            if c.grid:
                counts[c.grid] += 1
        return grid_home(min(counts, key=lambda g: (-counts[g], g))) if counts else None

    rankings = [
        _ranking("grid", grids, nodes, grid_home, store, day, backlog_days, min_cases),
        _ranking("department", depts, nodes, lambda _d: None, store, day, backlog_days,
                 min_cases),
        _ranking("patroller", reporters, nodes, main_grid, store, day, backlog_days, min_cases)]
    return CaseEvaluation(as_of=day_s, since=since.isoformat(), window_days=window_days,
                          backlog_days=backlog_days, recur_days=recur_days,
                          min_cases=min_cases, cases=len(cases),
                          rankings=rankings)
