"""The street at a glance (街道总览): each community's figures in one table, the street's
totals beside them — what the organisation department looks at first, each figure
the summary of a report that explains it.

Per community, on the as-of day:

- ``party_members``: current members of the community committee and every party
  organisation under it (:func:`queries.lookups.org_members`);
- ``branches``, ``weak_branch_share``, ``groups``, ``hollow_group_share``: the
  middle-weakening summary (:func:`queries.middle_weakening.middle_weakening`);
- ``new_members``: party members who joined within ``new_years`` (5) of the day (by
  joining date only — birth dates are not read, so no figure here moves with one);
  ``new_members_paired``: those of them with a current mentor (``MENTORS`` in);
- ``base_grids`` and ``base_grids_missing``: base grids without a grid worker, a police
  officer or building heads (:func:`queries.grid_duty.grid_duty`);
- ``deployed_staff``, ``staff_per_10k_residents``: front-line forces
  (:func:`queries.forces.forces_report`);
- ``case_backlog``: patrol cases in its grids still open and older than
  ``backlog_days`` (30) (:func:`queries.grid_map.open_cases_by_grid`).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from graph.store import GraphReader
from queries.common import NodeRef, current, day_of, node_ref, years_before
from queries.forces import forces_report
from queries.grid_duty import grid_duty
from queries.grid_map import open_cases_by_grid
from queries.lookups import org_members
from queries.middle_weakening import middle_weakening

__all__ = ["street_overview", "StreetOverview", "StreetFigures", "CommunityFigures", "MISSING"]

#: what a base grid may lack (grid_duty's names), in the order the overview shows them
MISSING = ("grid_worker", "police_officer", "building_heads")


class CommunityFigures(BaseModel):
    community: NodeRef | None  # None: the street's totals
    street: NodeRef | None = None  # the street the community is part of
    party_members: int
    branches: int
    weak_branches: int
    weak_branch_share: float
    groups: int
    hollow_groups: int
    hollow_group_share: float
    new_members: int
    new_members_paired: int
    base_grids: int
    base_grids_missing: dict[str, int]  # MISSING -> base grids lacking it
    deployed_staff: int
    residents: int | None
    staff_per_10k_residents: float | None
    case_backlog: int


class StreetFigures(BaseModel):
    """One street's totals (a district's graph holds several)."""

    street: NodeRef
    communities: int
    totals: CommunityFigures


class StreetOverview(BaseModel):
    as_of: str
    new_years: int
    backlog_days: int
    communities: list[CommunityFigures]
    totals: CommunityFigures
    #: each street's totals over its communities shown, the weakest first (share of
    #: weak branches, then of hollow groups, then the id)
    streets: list[StreetFigures] = []


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def street_overview(store: GraphReader, as_of: dt.date | str | None = None,
                    community: str | None = None, new_years: int = 5,
                    backlog_days: int = 30) -> StreetOverview:
    """Each community's figures (``community``: that one only; a community's own view)
    and the totals over those shown."""
    day = day_of(as_of)
    joined_from = years_before(dt.date.fromisoformat(day), new_years)
    mw = {s.community.id: s for s in middle_weakening(store, None, day).summary}
    duty = grid_duty(store, day)
    forces = {a.community.id: a for a in forces_report(store, day).allocation}
    backlog = open_cases_by_grid(store, day, backlog_days)
    missing: dict[str, dict[str, int]] = {}
    for g in duty.gaps:
        if g.community is not None:
            per = missing.setdefault(g.community.id, dict.fromkeys(MISSING, 0))
            for m in g.missing:
                if m in per:
                    per[m] += 1
    rows = []
    street_of: dict[str, str] = {}
    for c in store.nodes("Community"):
        if community is not None and c.id != community:
            continue
        up = store.adjacent(c.id, ["PART_OF"], "out", ["Street"])
        if up:
            street_of[c.id] = up[0].other
        led = store.adjacent(c.id, ["LEADS"], "in", ["Committee"])
        members = ({m.person.id for m in org_members(store, led[0].other, True, day)}
                   if led else set())
        people = store.get_nodes(sorted(members))
        new = sorted(i for i, p in people.items()
                     if joined_from <= str(p.properties.get("joined_party_on") or "") <= day)
        mentored = store.adjacent_many(new, ["MENTORS"], "in")
        paired = sum(1 for i in new if current(mentored.get(i, []), day))
        grids = [a.other for a in store.adjacent(c.id, ["IN"], "in", ["Grid"])]
        kinds = store.get_nodes(grids)
        base = sum(1 for g in kinds.values() if g.properties.get("kind") == "base")
        s = mw.get(c.id)
        f = forces.get(c.id)
        rows.append(CommunityFigures(
            community=node_ref(store.schema, c), street=None, party_members=len(members),
            branches=s.branches if s else 0, weak_branches=s.weak_branches if s else 0,
            weak_branch_share=s.weak_branch_share if s else 0.0,
            groups=s.groups if s else 0, hollow_groups=s.hollow_groups if s else 0,
            hollow_group_share=s.hollow_group_share if s else 0.0,
            new_members=len(new), new_members_paired=paired, base_grids=base,
            base_grids_missing=missing.get(c.id, dict.fromkeys(MISSING, 0)),
            deployed_staff=f.staff if f else 0, residents=f.residents if f else None,
            staff_per_10k_residents=f.per_10k_residents if f else None,
            case_backlog=sum(backlog.get(g, 0) for g in grids)))
    streets = store.get_nodes(sorted(set(street_of.values())))
    refs = {i: node_ref(store.schema, n) for i, n in streets.items()}
    for r in rows:
        if r.community is not None and r.community.id in street_of:
            r.street = refs[street_of[r.community.id]]
    by_street: list[StreetFigures] = []
    for sid, ref in refs.items():
        mine = [r for r in rows if r.street is not None and r.street.id == sid]
        by_street.append(StreetFigures(street=ref, communities=len(mine),
                                       totals=_totals(mine)))
    by_street.sort(key=lambda x: (-x.totals.weak_branch_share, -x.totals.hollow_group_share,
                                  x.street.id))
    return StreetOverview(as_of=day, new_years=new_years, backlog_days=backlog_days,
                          communities=rows, totals=_totals(rows), streets=by_street)


def _totals(rows: list[CommunityFigures]) -> CommunityFigures:
    def total(name: str) -> int:
        return sum(int(getattr(r, name)) for r in rows)

    residents = sum(r.residents or 0 for r in rows)
    staff = total("deployed_staff")
    return CommunityFigures(
        community=None, party_members=total("party_members"), branches=total("branches"),
        weak_branches=total("weak_branches"),
        weak_branch_share=_share(total("weak_branches"), total("branches")),
        groups=total("groups"), hollow_groups=total("hollow_groups"),
        hollow_group_share=_share(total("hollow_groups"), total("groups")),
        new_members=total("new_members"), new_members_paired=total("new_members_paired"),
        base_grids=total("base_grids"),
        base_grids_missing={m: sum(r.base_grids_missing[m] for r in rows) for m in MISSING},
        deployed_staff=staff, residents=residents or None,
        staff_per_10k_residents=round(staff / residents * 10_000, 4) if residents else None,
        case_backlog=total("case_backlog"))
