"""The fixed part of the Xinqiao scenario: everything except the bulk of residents.

:func:`build_fixed` runs the builders in the order they draw from the random
streams — places, economy, party, staff, 两长两员, people, the self-check, front-line
forces — and collects what they planted. Its size does not depend on the number of
residents (a few tens of thousands of records); the residents are streamed
afterwards by :mod:`loaders.xinqiao.residents`.

All randomness comes from ``random.Random(seed)`` (structure) and a numpy generator
seeded from ``seed`` (personal properties), in a fixed order, so the output is a
function of (seed, as_of) alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from loaders.xinqiao.check import check_party
from loaders.xinqiao.data import COMMUNITIES
from loaders.xinqiao.economy import economy, emit_enterprises
from loaders.xinqiao.emit import Draws, Emitter, Record
from loaders.xinqiao.forces import forces
from loaders.xinqiao.geometry import StreetMap
from loaders.xinqiao.party import party
from loaders.xinqiao.people import PeopleFactory
from loaders.xinqiao.places import Buildings, Grids, Groups, buildings, communities, grids, street
from loaders.xinqiao.staff import staff, two_heads_two_staff

__all__ = ["Fixed", "build_fixed"]


@dataclass(frozen=True, slots=True)
class Fixed:
    """The fixed part's records (every relationship after all nodes) and what the
    resident stream continues from."""

    nodes: list[Record]
    rels: list[Record]
    planted: dict[str, Any]
    pf: PeopleFactory  # its ID-number counters go on with the residents
    person_no: int  # the last person number used
    buildings: Buildings
    residents: int  # Resident nodes among ``nodes``


def build_fixed(seed: int, as_of: dt.date, pf: PeopleFactory | None = None,
                person_base: int = 0) -> Fixed:
    """The fixed part for ``seed``; ``pf`` and ``person_base`` (a street of a district)
    continue another street's ID-number counters and start its person numbers apart."""
    d = Draws(seed, as_of, pf)
    em = Emitter(d, person_base)
    smap = StreetMap(seed)
    planted: dict[str, Any] = {}
    wc = street(em)
    groups = communities(em, d, smap, wc)
    grid = grids(em, d, smap)
    planted["crossing_special_grids"] = grid.crossing
    bld = buildings(em, d, groups, grid.base)
    eco = economy(em, d)
    pty = party(em, d, wc, groups, bld, eco)
    planted["three_boards_one_team"] = pty.three_boards_one_team
    planted["mentors"] = pty.mentors
    planted["do_not_pair"] = pty.do_not_pair
    st = staff(em, d, grid, eco)
    planted["grids_without_worker"] = st.grids_without_worker
    planted["not_evaluated"] = st.not_evaluated
    employees = {e: max(n, pty.staffing.get(e, 0)) for e, n in eco.employees.items()}
    employees, planted["buildings_without_head"] = two_heads_two_staff(em, d, bld, eco,
                                                                       employees)
    emit_enterprises(em, eco, employees)
    em.flush_people()
    planted.update(check_party(em.nodes, em.rels, as_of, pty.branches, groups.hollow))
    planted.update(forces(em, d, grid, st, pty.activities))
    planted["rates"] = _rates(planted, grid, groups)
    residents = sum(1 for n in em.nodes if "Resident" in n["labels"])
    return Fixed(em.nodes, em.rels, planted, d.pf, em.person_no, bld, residents)


def _rates(p: dict[str, Any], grid: Grids, groups: Groups) -> dict[str, float]:
    n_special = sum(len(v) for v in grid.special.values())
    n_br = len(p["branches"]["weak"]) + len(p["branches"]["healthy"])
    n_rg = sum(len(v) for v in groups.by_community.values())
    return {
        "weak_branches": round(len(p["branches"]["weak"]) / n_br, 4),
        "hollow_resident_groups": round(len(p["resident_groups"]["hollow"]) / n_rg, 4),
        "base_grids_without_worker": round(len(p["grids_without_worker"]) / 357, 4),
        "buildings_without_head": round(len(p["buildings_without_head"]) / 4800, 4),
        "crossing_special_grids": round(len(p["crossing_special_grids"]) / n_special, 4),
        "not_evaluated": round(len(p["not_evaluated"]) / (531 + len(COMMUNITIES)), 4),
    }
