"""Where the party meets the neighbourhood: which resident groups each community
branch covers (:func:`covers`), where resident party members live, who leads each
resident group (组长), and the traps of hollow groups — ended covers, ended posts,
members who moved out (:func:`homes`).
"""

from __future__ import annotations

from collections import defaultdict

from loaders.xinqiao.data import COMMUNITIES
from loaders.xinqiao.emit import Draws, Emitter
from loaders.xinqiao.party_plan import PM, BranchPlan, Mship
from loaders.xinqiao.places import Buildings, Groups

__all__ = ["covers", "homes"]


def covers(em: Emitter, d: Draws, groups: Groups, br: dict[str, BranchPlan]
           ) -> dict[str, list[str]]:
    """COVERS of community branches (every healthy group covered, current ones and the
    ended ones of branches planted without a group); returns branch -> groups."""
    r = d.r
    cover_of: dict[str, list[str]] = defaultdict(list)
    done: set[tuple[str, str]] = set()
    for c in COMMUNITIES:
        mine = groups.by_community[c.slug]
        healthy = [g for g in mine if g not in groups.hollow]
        r.shuffle(healthy)
        bs = [b for b in sorted(br) if br[b].com == c.slug and br[b].kind == "community"]
        covering = [b for b in bs if "no_resident_group" not in br[b].reasons]
        r.shuffle(covering)
        for i, b in enumerate(covering):
            cover_of[b].append(healthy[i % len(healthy)])
        for g in healthy[len(covering):]:
            b = r.choice([x for x in covering if len(cover_of[x]) < 3])
            cover_of[b].append(g)
        for b in bs:
            for g in cover_of[b]:
                em.rel("COVERS", b, g, since=d.iso(max(br[b].founded, d.ago(100, 5000))))
                done.add((b, g))
        # ended cover: branches that let a group go, hollow groups left behind
        ended = [(b, r.choice(mine)) for b in bs
                 if "no_resident_group" in br[b].reasons and r.random() < 0.7]
        ended += [(r.choice(bs), g) for g in mine if g in groups.hollow and r.random() < 0.5]
        for b, g in ended:
            if (b, g) in done:
                continue
            done.add((b, g))
            until = d.A if r.random() < 0.2 else d.ago(1, 700)
            em.rel("COVERS", b, g, since=d.iso(until - r.randint(300, 3000)),
                   until=d.iso(until))
    return cover_of


def _lives(em: Emitter, d: Draws, bld: Buildings, pid: str, building: str, registered: bool,
           until: int | None = None, since: int | None = None) -> int:
    """A LIVES_IN; a current one also gives the person their address."""
    r = d.r
    birth = em.person_birth[pid]
    if since is None:
        since = (max(birth, d.ago(5000, 20000)) if registered
                 else max(birth, d.ago(30, 5000)))
    em.rel("LIVES_IN", pid, building, since=d.iso(since),
           until=None if until is None else d.iso(until))
    if until is None:
        room = r.randint(1, bld.floors[building]) * 100 + r.randint(1, 8)
        em.person_props[pid]["address"] = f"{bld.address[building]}{room}室"
    return since


def homes(em: Emitter, d: Draws, groups: Groups, bld: Buildings, br: dict[str, BranchPlan],
          pm: dict[str, PM], mships: list[Mship], cover_of: dict[str, list[str]],
          extra_residents: list[tuple[str, str]]) -> None:
    """LIVES_IN for resident party members, group leaders (组长), moved-out traps."""
    r = d.r
    current: dict[str, str] = {}  # pid -> first current org
    for b in br.values():
        for m in b.mships:
            if m.until is None:
                current.setdefault(m.pid, b.id)
    for m in mships:
        current.setdefault(m.pid, m.org)
    home: dict[str, str] = {}  # resident party member -> group
    leaders: list[tuple[str, str, int, int | None]] = []
    for c in COMMUNITIES:
        mine = groups.by_community[c.slug]
        healthy = [g for g in mine if g not in groups.hollow]
        pms = sorted(p for p, info in pm.items() if info.resident and info.com == c.slug)
        r.shuffle(pms)
        taken: set[str] = set()
        for g in healthy:
            pick = next((p for p in pms if p not in taken
                         and g in cover_of.get(current[p], ())), None)
            if pick is None:
                pick = next(p for p in pms if p not in taken)
            taken.add(pick)
            home[pick] = g
        for p in pms:
            if p in taken:
                continue
            gs = cover_of.get(current[p], [])
            home[p] = r.choice(gs) if gs and r.random() < 0.7 else r.choice(healthy)
        for p in sorted(pms):
            _lives(em, d, bld, p, r.choice(bld.by_group[home[p]]), em.person_reg[p])
        # moved out of a hollow group: an ended LIVES_IN there
        for g in mine:
            if g in groups.hollow and r.random() < 0.5:
                p = r.choice(sorted(pms))
                until = d.ago(30, 1500)
                since = until - r.randint(200, 2000)
                if since > pm[p].birth:
                    _lives(em, d, bld, p, r.choice(bld.by_group[g]), False, until, since)
        # group leaders
        for g in mine:
            if g in groups.hollow:
                if r.random() < 0.5:  # a former leader, post ended
                    reg = c.converted and r.random() < 0.5
                    p = em.person(("Resident",), d.birth_age(40, 75), registered=reg)
                    _lives(em, d, bld, p, r.choice(bld.by_group[g]), reg)
                    until = d.A if r.random() < 0.25 else d.ago(1, 900)
                    leaders.append((p, g, until - r.randint(400, 3000), until))
                continue
            living = sorted(p for p in pms if home[p] == g)
            if r.random() < 0.35:
                p = r.choice(living)
            else:
                reg = c.converted and r.random() < 0.4
                p = em.person(("Resident",), d.birth_age(35, 70), registered=reg)
                _lives(em, d, bld, p, r.choice(bld.by_group[g]), reg)
            leaders.append((p, g, d.ago(60, 3000), None))
    for p, cs in extra_residents:
        g = r.choice([x for x in groups.by_community[cs] if x not in groups.hollow])
        _lives(em, d, bld, p, r.choice(bld.by_group[g]), True)
    for p, g, start, end in leaders:
        em.rel("HOLDS_POST", p, g, title="组长", since=d.iso(start),
               until=None if end is None else d.iso(end))
