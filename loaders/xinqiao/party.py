"""The party structure of the scenario, with the planted weaknesses (SCENARIO.md §3,
§4), in the order its builders draw: every branch is planned first (its kind,
community and the reasons it is planted weak for, :mod:`~loaders.xinqiao.party_plan`),
then its members are made to fit exactly those reasons, then cadres and posts, ended
memberships (the traps, :mod:`~loaders.xinqiao.party_members`), cover and homes
(:mod:`~loaders.xinqiao.party_homes`), party groups, activities and mentoring
(:mod:`~loaders.xinqiao.party_events`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loaders.xinqiao.economy import Economy
from loaders.xinqiao.emit import Draws, Emitter
from loaders.xinqiao.party_events import activities, emit_party, mentors, party_groups
from loaders.xinqiao.party_homes import covers, homes
from loaders.xinqiao.party_members import Members
from loaders.xinqiao.party_plan import BranchPlan, plan_branches, plant_reasons
from loaders.xinqiao.places import Buildings, Groups

__all__ = ["Party", "party"]


@dataclass(frozen=True, slots=True)
class Party:
    branches: dict[str, BranchPlan]  # with their planted reasons
    activities: int  # activities made (activity-00001 ...): later ones number on
    staffing: dict[str, int]  # enterprise -> employees it needs at least for its branch
    three_boards_one_team: dict[str, Any]
    mentors: dict[str, list[list[str]]]  # current / ended [veteran, new] pairs
    do_not_pair: list[list[str]]


def party(em: Emitter, d: Draws, wc: str, groups: Groups, bld: Buildings, eco: Economy
          ) -> Party:
    """Branches, members, homes, posts, activities, mentoring."""
    br = plan_branches(em, d, eco)
    plant_reasons(d, br)
    members = Members(em, d)
    staffing: dict[str, int] = {}
    for b in br.values():
        n = members.branch(b)
        if b.host and b.kind == "enterprise":
            staffing[b.host] = 3 * n + 20
    cadres = members.cadres(wc, br)
    members.traps(br)
    cover_of = covers(em, d, groups, br)
    homes(em, d, groups, bld, br, members.pm, cadres.mships, cover_of, cadres.extra_residents)
    pgroups = party_groups(em, d, br, members.pm)
    emit_party(em, d, br, cadres.mships, pgroups)
    made = activities(em, d, br, cadres.mships, pgroups)
    current, ended, dnp = mentors(em, d, br, members.pm)
    return Party(br, made, staffing, cadres.three_boards_one_team,
                 {"current": current, "ended": ended}, dnp)
