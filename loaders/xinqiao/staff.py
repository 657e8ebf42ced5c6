"""The scenario's staff: the 531 deployed staff of seven departments, grid workers,
police officers, social workers (:func:`staff`), and the 11,000 两长两员 — building
heads, shop managers, property staff, security guards (:func:`two_heads_two_staff`).
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.numbers import largest_remainder
from loaders.xinqiao.data import COMMUNITIES, DEPARTMENTS, TWO_HEADS_TWO_STAFF
from loaders.xinqiao.economy import Economy
from loaders.xinqiao.emit import Draws, Emitter
from loaders.xinqiao.places import Buildings, Grids, split_sizes

__all__ = ["Staff", "staff", "two_heads_two_staff"]


@dataclass(frozen=True, slots=True)
class Staff:
    """Who works where, as the front-line forces (:mod:`loaders.xinqiao.forces`) need it."""

    grid_worker: dict[str, str]  # base grid -> its grid worker
    with_grid: set[str]  # deployed staff responsible for a special grid
    by_dept: dict[tuple[str, str], list[str]]  # (department, community) -> deployed staff
    community_of: dict[str, str]  # deployed staff -> community slug
    grids_without_worker: list[str]
    not_evaluated: list[str]


def staff(em: Emitter, d: Draws, grids: Grids, eco: Economy) -> Staff:
    r = d.r
    coms = list(COMMUNITIES)
    pops = [c.population for c in coms]
    not_eval: list[str] = []
    dept_staff: dict[tuple[str, str], list[str]] = {}
    evaluated: list[str] = []
    staff_com: dict[str, str] = {}
    for slug, _short, _full, _field, count in DEPARTMENTS:
        for c, k in zip(coms, largest_remainder(count, pops), strict=True):
            for _ in range(k):
                emp = r.choices(("temporary", "auxiliary", "contract", "civil_servant"),
                                (45, 35, 12, 8))[0]
                pid = em.person(("DeployedStaff",), d.birth_age(23, 55), employment=emp)
                em.rel("FROM_DEPT", pid, f"dept-{slug}")
                em.rel("DEPLOYED_TO", pid, f"community-{c.slug}",
                       since=em.job_since(pid, d.ago(30, 1800)))
                dept_staff.setdefault((slug, c.slug), []).append(pid)
                evaluated.append(pid)
                staff_com[pid] = c.slug
    skip = set(r.sample(evaluated, round(0.05 * len(evaluated))))
    for pid in evaluated:
        if pid in skip:
            not_eval.append(pid)
            continue
        em.rel("EVALUATES", f"committee-{staff_com[pid]}", pid,
               weight=r.choice((0.2, 0.3, 0.3, 0.4)))
    # grid workers: one per base grid, except ~4% planted without
    base_all = [g for c in coms for g in grids.base[c.slug]]
    without = set(r.sample(base_all, round(0.04 * len(base_all))))
    grid_worker: dict[str, str] = {}
    for c in coms:
        for gid in grids.base[c.slug]:
            if gid in without:
                continue
            pid = em.person(("GridWorker",), d.birth_age(22, 50))
            em.rel("WORKS_AT", pid, f"workstation-{c.slug}",
                   since=em.job_since(pid, d.ago(60, 2500)))
            em.rel("RESPONSIBLE_FOR", pid, gid, since=em.job_since(pid, d.ago(30, 2000)))
            grid_worker[gid] = pid
    # special grids: police officers, traffic police, deployed staff
    with_grid: set[str] = set()
    chief_skip = r.choice(coms).slug
    for c in coms:
        chief_done = False
        for kind, gid in grids.special[c.slug]:
            start = d.ago(30, 1500)
            if kind == "police":
                labs = ("PoliceOfficer",) if chief_done else ("PoliceChief",)
                pid = em.person(labs, d.birth_age(26, 52), male=r.random() < 0.8)
                em.rel("WORKS_AT", pid, eco.police_station, since=em.job_since(pid, start))
                if not chief_done:
                    chief_done = True
                    if c.slug == chief_skip:
                        not_eval.append(pid)
                    else:
                        em.rel("EVALUATES", f"committee-{c.slug}", pid, weight=0.3)
            elif kind == "traffic":
                pid = em.person(("PoliceOfficer",), d.birth_age(25, 50), male=r.random() < 0.85)
                em.rel("WORKS_AT", pid, eco.traffic_unit, since=em.job_since(pid, start))
            else:
                pool = dept_staff[("ajb" if kind == "security" else "xaw", c.slug)]
                pid = r.choice(pool)
                with_grid.add(pid)
            em.rel("RESPONSIBLE_FOR", pid, gid, since=em.job_since(pid, start))
    # social workers and the centres they work at
    for c in coms:
        for _ in range(r.randint(4, 7)):
            pid = em.person(("SocialWorker",), d.birth_age(22, 45), male=r.random() < 0.3)
            em.rel("WORKS_AT", pid, eco.social_work_centres[c.slug],
                   since=em.job_since(pid, d.ago(30, 2500)))
    return Staff(grid_worker, with_grid, dept_staff, staff_com, sorted(without),
                 sorted(not_eval))


def two_heads_two_staff(em: Emitter, d: Draws, bld: Buildings, eco: Economy,
                        employees: dict[str, int]) -> tuple[dict[str, int], list[str]]:
    """The 两长两员; returns the enterprises' employee numbers raised to fit the shop
    managers and guards working there, and the buildings left without a head."""
    r = d.r
    employees = dict(employees)
    all_b = [b for c in COMMUNITIES for b in bld.by_community[c.slug]]
    headed = sorted(r.sample(all_b, TWO_HEADS_TWO_STAFF["BuildingHead"]))
    without_head = sorted(set(all_b) - set(headed))
    converted_b = {b for c in COMMUNITIES if c.converted for b in bld.by_community[c.slug]}
    for b in headed:
        landlord = b in converted_b and r.random() < 0.6
        labs = ("BuildingHead", "Landlord") if landlord else ("BuildingHead",)
        pid = em.person(labs, d.birth_age(28, 72), registered=landlord and r.random() < 0.5,
                        address=bld.address[b])
        em.rel("HEADS", pid, b, since=em.job_since(pid, d.ago(30, 3000)))
    # shop managers: every retail enterprise gets at least one
    retail = eco.enterprises["retail"]
    sizes = split_sizes(r, TWO_HEADS_TWO_STAFF["ShopManager"], len(retail), 1, spread=0.9)
    for eid, k in zip(retail, sizes, strict=True):
        employees[eid] = k * 3 + r.randint(2, 25)
        for _ in range(k):
            pid = em.person(("ShopManager",), d.birth_age(21, 55))
            em.rel("WORKS_AT", pid, eid, since=em.job_since(pid, d.ago(20, 3000)))
    propcos = eco.property_companies
    sizes = split_sizes(r, TWO_HEADS_TWO_STAFF["PropertyStaff"], len(propcos), 20)
    for pc, k in zip(propcos, sizes, strict=True):
        for _ in range(k):
            pid = em.person(("PropertyStaff",), d.birth_age(20, 58))
            em.rel("WORKS_AT", pid, pc, since=em.job_since(pid, d.ago(20, 3000)))
    # security guards at the larger factories and the industrial parks
    manu = sorted(eco.enterprises["manufacturing"], key=lambda e: (-employees[e], e))
    sites = manu[:200] + eco.parks
    sizes = split_sizes(r, TWO_HEADS_TWO_STAFF["SecurityGuard"], len(sites), 2, spread=0.9)
    for site, k in zip(sites, sizes, strict=True):
        if site.startswith("enterprise-"):
            employees[site] = max(employees[site], k * 8)
        for _ in range(k):
            pid = em.person(("SecurityGuard",), d.birth_age(20, 58), male=r.random() < 0.9)
            em.rel("WORKS_AT", pid, site, since=em.job_since(pid, d.ago(20, 2500)))
    return employees, without_head
