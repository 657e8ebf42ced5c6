"""Front-line forces (docs/domain.md §3 item 3, §5.5): how deployed staff are spread over the
communities against what each community needs, who of them is not mobilised, and
whom the community committee does not evaluate.

- **Allocation**: current ``DEPLOYED_TO`` staff per community normalised by area
  (``area_km2``), residents (``population``), base grids and workstation duties
  (``duties_count`` of the workstation the community's committee leads); per measure
  the spread (largest / smallest ratio) and the staff each community would get were
  the street's staff split by that measure (largest remainder) — the paper's "one
  size fits all" allocation shows as one measure even and the others far apart.
- **Not mobilised**: deployed staff with no current ``RESPONSIBLE_FOR`` a grid, no case
  reported (``REPORTED_BY``) and no activity ``ATTENDED`` in (as_of − ``days``, as_of].
- **Not evaluated**: deployed staff whose community's committee has no ``EVALUATES``
  to them, and police chiefs (community: that of the grids they are responsible for)
  likewise. Another committee's evaluation does not count; it is listed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from pydantic import BaseModel

from graph.model import Adjacent, Node
from graph.numbers import largest_remainder
from graph.store import GraphReader
from queries.common import NodeRef, current, day_of, node_ref

__all__ = ["forces_report", "ForcesReport", "MEASURES"]

MEASURES = {"area": "面积", "residents": "常住人口", "grids": "基础网格", "duties": "职责事项"}


class Allocation(BaseModel):
    community: NodeRef
    staff: int
    area_km2: float | None
    residents: int | None
    base_grids: int
    duties: int | None
    per_km2: float | None
    per_10k_residents: float | None
    per_grid: float | None
    per_100_duties: float | None
    by_need: dict[str, int]  # measure -> staff it would get were the staff split by it
    by_department: dict[str, int]  # department name -> staff


class Spread(BaseModel):
    measure: str
    measure_zh: str
    lowest: float
    highest: float
    ratio: float | None  # highest / lowest


class IdleStaff(BaseModel):
    person: NodeRef
    department: NodeRef | None
    community: NodeRef | None
    last_case: str | None
    last_activity: str | None


class Unevaluated(BaseModel):
    person: NodeRef
    role: str  # deployed_staff | police_chief
    community: NodeRef | None
    evaluated_by: list[NodeRef]  # committees of other communities


class ForcesReport(BaseModel):
    as_of: str
    days: int
    staff: int
    allocation: list[Allocation]
    spread: list[Spread]
    not_mobilised: list[IdleStaff]
    not_evaluated: list[Unevaluated]


def _ratio(n: int, d: float | None, per: float = 1.0) -> float | None:
    return round(n / d * per, 4) if d else None


def _latest(adjs: list[Adjacent], nodes: dict[str, Node], prop: str, day: str) -> str | None:
    dates = [d for a in adjs if (d := nodes[a.other].properties.get(prop)) and d <= day]
    return max(dates) if dates else None


def forces_report(store: GraphReader, as_of: dt.date | str | None = None,
                  days: int = 90) -> ForcesReport:
    day = day_of(as_of)
    start = (dt.date.fromisoformat(day) - dt.timedelta(days=days)).isoformat()
    schema = store.schema
    coms = list(store.nodes("Community"))
    cids = [c.id for c in coms]
    around = store.adjacent_many(cids, ["DEPLOYED_TO", "IN", "LEADS"], "in",
                                 ["DeployedStaff", "Grid", "Committee"])
    committee_of = {c: next((a.other for a in around.get(c, []) if a.rel.type == "LEADS"),
                            None) for c in cids}
    stations = store.adjacent_many([k for k in committee_of.values() if k], ["LEADS"], "out",
                                   ["Workstation"])
    ws = store.get_nodes([a.other for v in stations.values() for a in v])
    grid_nodes = store.get_nodes([a.other for v in around.values() for a in v
                                  if a.rel.type == "IN"])
    staff_com = {a.other: c for c in cids
                 for a in current([a for a in around.get(c, []) if a.rel.type == "DEPLOYED_TO"],
                                  day)}
    staff = sorted(staff_com)
    out = store.adjacent_many(staff, ["FROM_DEPT", "RESPONSIBLE_FOR", "REPORTED_BY",
                                      "ATTENDED"], "both")
    events = store.get_nodes([a.other for v in out.values() for a in v
                              if a.rel.type in ("REPORTED_BY", "ATTENDED")])
    depts = store.get_nodes([a.other for v in out.values() for a in v
                             if a.rel.type == "FROM_DEPT"])
    people = store.get_nodes(staff)
    by_id = {c.id: c for c in coms}

    # allocation
    rows = []
    for c in coms:
        p = c.properties
        mine = [s for s in staff if staff_com[s] == c.id]
        base = sum(1 for a in around.get(c.id, []) if a.rel.type == "IN"
                   and grid_nodes[a.other].properties.get("kind") == "base")
        duty = next((ws[a.other].properties.get("duties_count")
                     for a in stations.get(committee_of[c.id] or "", [])), None)
        by_dept: dict[str, int] = defaultdict(int)
        for s in mine:
            for a in out.get(s, []):
                if a.rel.type == "FROM_DEPT":
                    by_dept[depts[a.other].properties.get("name", a.other)] += 1
        rows.append(Allocation(
            community=node_ref(schema, c), staff=len(mine), area_km2=p.get("area_km2"),
            residents=p.get("population"), base_grids=base, duties=duty,
            per_km2=_ratio(len(mine), p.get("area_km2")),
            per_10k_residents=_ratio(len(mine), p.get("population"), 10_000),
            per_grid=_ratio(len(mine), base), per_100_duties=_ratio(len(mine), duty, 100),
            by_need={}, by_department=dict(sorted(by_dept.items()))))
    need = {"area": [r.area_km2 or 0.0 for r in rows],
            "residents": [float(r.residents or 0) for r in rows],
            "grids": [float(r.base_grids) for r in rows],
            "duties": [float(r.duties or 0) for r in rows]}
    per = {"area": "per_km2", "residents": "per_10k_residents", "grids": "per_grid",
           "duties": "per_100_duties"}
    spread = []
    for m, w in need.items():
        for r, k in zip(rows, largest_remainder(len(staff), w), strict=True):
            r.by_need[m] = k
        vals = [v for r in rows if (v := getattr(r, per[m])) is not None]
        if vals:
            lo, hi = min(vals), max(vals)
            spread.append(Spread(measure=m, measure_zh=MEASURES[m], lowest=lo, highest=hi,
                                 ratio=round(hi / lo, 3) if lo else None))

    # not mobilised
    idle = []
    for s in staff:
        adjs = out.get(s, [])
        grids = current([a for a in adjs if a.rel.type == "RESPONSIBLE_FOR"], day)
        cases = [a for a in adjs if a.rel.type == "REPORTED_BY"]
        acts = [a for a in adjs if a.rel.type == "ATTENDED"]
        last_case = _latest(cases, events, "reported_on", day)
        last_act = _latest(acts, events, "date", day)
        if grids or (last_case or "") > start or (last_act or "") > start:
            continue
        dept = next((depts[a.other] for a in adjs if a.rel.type == "FROM_DEPT"), None)
        idle.append(IdleStaff(person=node_ref(schema, people[s]),
                              department=node_ref(schema, dept) if dept else None,
                              community=node_ref(schema, by_id[staff_com[s]]),
                              last_case=last_case, last_activity=last_act))

    # not evaluated
    chiefs = {n.id: n for n in store.nodes("PoliceChief")}
    chief_grids = store.adjacent_many(sorted(chiefs), ["RESPONSIBLE_FOR"], "out", ["Grid"])
    grid_home = store.adjacent_many(
        sorted({a.other for v in chief_grids.values() for a in current(v, day)}), ["IN"],
        "out", ["Community"])
    home = dict(staff_com)
    for ch in chiefs:
        homes = sorted({h.other for a in current(chief_grids.get(ch, []), day)
                        for h in grid_home.get(a.other, [])})
        if homes:
            home[ch] = homes[0]
    rated = store.adjacent_many(staff + sorted(chiefs), ["EVALUATES"], "in", ["Committee"])
    committees = store.get_nodes([a.other for v in rated.values() for a in v])
    people.update(chiefs)
    missing = []
    for pid in staff + sorted(chiefs):
        com = home.get(pid)
        by = [a.other for a in rated.get(pid, [])]
        if com is not None and committee_of.get(com) in by:
            continue
        missing.append(Unevaluated(
            person=node_ref(schema, people[pid]),
            role="police_chief" if pid in chiefs else "deployed_staff",
            community=node_ref(schema, by_id[com]) if com else None,
            evaluated_by=[node_ref(schema, committees[k]) for k in sorted(by)]))
    return ForcesReport(as_of=day, days=days, staff=len(staff), allocation=rows, spread=spread,
                        not_mobilised=idle, not_evaluated=missing)
