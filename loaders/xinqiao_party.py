"""The party structure of the Xinqiao scenario, with the planted weaknesses.

Part of :class:`loaders.xinqiao_build.Builder` (through
:class:`loaders.xinqiao_events.EventsMixin`). Every branch is planned first (its
kind, community and the reasons it is planted weak for), then its members are
made to fit exactly those reasons (see SCENARIO.md), then cadres and posts,
ended memberships (the traps), cover and homes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from loaders.xinqiao_data import COMMUNITIES, cn_number, labels_of
from loaders.xinqiao_rules import REASONS

__all__ = ["PartyMixin", "Mship", "PM", "BranchPlan"]

_REASON_W = {"no_secretary": 1.0, "too_few_members": 1.0, "too_many_members": 0.4,
             "no_resident_group": 1.4, "inactive": 1.5, "no_new_members": 1.0}
WEAK_SHARE = 0.15
# joined the party this many days before as_of, by category; the gaps around
# 5 and 20 years keep every member clearly new, middle or veteran.
JOIN_DAYS = {"prob": (30, 330), "new3": (400, 1000), "new": (400, 1600),
             "mid": (2190, 7120), "vet": (7490, 20090)}
SIZE = {"community": (8, 36), "jsc": (10, 35), "enterprise": (6, 18), "unit": (6, 25),
        "park": (6, 15)}
CAT_W = {"resident": (0.05, 0.17, 0.35, 0.43), "embedded": (0.07, 0.30, 0.45, 0.18)}


@dataclass(slots=True)
class Mship:
    pid: str
    org: str
    role: str
    since: int
    until: int | None = None
    rid: str | None = None


@dataclass(slots=True)
class PM:
    joined: int
    full: bool
    birth: int
    com: str | None  # community slug of the current membership, if any
    resident: bool
    cat: str


@dataclass(slots=True)
class BranchPlan:
    id: str
    kind: str  # community | jsc | enterprise | unit | park
    com: str
    name: str
    parent: str | None  # SUB_ORG_OF target
    alliance: str | None  # ALLIANCE_MEMBER target (stationed units)
    host: str | None  # EMBEDDED_IN target
    founded: int
    reasons: list[str] = field(default_factory=list)
    mships: list[Mship] = field(default_factory=list)
    covers: list[str] = field(default_factory=list)


class PartyMixin:
    """Party organisations, members and what hangs off them (see module doc)."""

    if TYPE_CHECKING:  # provided by Builder
        r: random.Random
        A: int
        as_of: dt.date
        wc: str
        planted: dict[str, Any]
        nodes: list[dict[str, Any]]
        rels: list[dict[str, Any]]
        groups: dict[str, list[str]]
        hollow: set[str]
        group_buildings: dict[str, list[str]]
        building_addr: dict[str, str]
        building_floors: dict[str, int]
        ents: dict[str, list[str]]
        ent_emp: dict[str, int]
        ent_com: dict[str, str]
        _ent_names: dict[str, str]
        units: list[tuple[str, str, bool]]
        unit_name: dict[str, str]
        parks: list[str]
        park_com: dict[str, str]
        park_name: dict[str, str]
        person_props: dict[str, dict[str, Any]]
        person_birth: dict[str, int]
        person_reg: dict[str, bool]

        def iso(self, ordinal: int) -> str: ...
        def ago(self, lo: int, hi: int) -> int: ...
        def birth_age(self, lo: float, hi: float) -> int: ...
        def job_since(self, pid: str, day: int) -> str: ...
        def node(self, nid: str, labels: tuple[str, ...], **props: Any) -> str: ...
        def rel(self, rtype: str, start: str, end: str, rid: str | None = None,
                **props: Any) -> None: ...
        def person(self, labels: tuple[str, ...], birth: int, registered: bool = False,
                   male: bool | None = None, **props: Any) -> str: ...

    # set up by EventsMixin._party
    pm: dict[str, PM]
    mships: list[Mship]  # memberships of non-branch organisations
    br: dict[str, BranchPlan]
    extra_residents: list[tuple[str, str]]  # (person, community)
    cover_of: dict[str, list[str]]  # branch -> groups it covers
    home: dict[str, str]  # resident party member -> group
    _age_gap: tuple[int, int]

    # ------------------------------------------------------------ plans
    def _plan_branches(self) -> None:
        r = self.r
        for c in COMMUNITIES:
            com = f"committee-{c.slug}"
            gen = None
            if c.slug in ("shangliao", "wanfeng", "xiner"):
                gen = self.node(f"genbranch-{c.slug}", _L("GeneralBranch"),
                                name=f"中共{c.zh}社区东片总支部委员会",
                                founded_on=self.iso(self.ago(3000, 6000)))
                self.rel("SUB_ORG_OF", gen, com, since=self.iso(self.ago(1500, 2900)))
            for k in range(1, c.branches + 1):
                parent = gen if gen and k > c.branches - 3 else com
                bid = f"branch-{c.slug}-{k:02d}"
                self.br[bid] = BranchPlan(bid, "community", c.slug,
                                          f"中共{c.zh}社区第{cn_number(k)}支部委员会",
                                          parent, None, None, self.ago(3300, 11000))
            if c.converted:
                bid = f"branch-jsc-{c.slug}"
                self.br[bid] = BranchPlan(bid, "jsc", c.slug,
                                          f"中共深圳市{c.zh}股份合作公司支部委员会",
                                          com, None, f"jsc-{c.slug}", self.ago(3300, 11000))
        big = sorted(e for k in ("manufacturing", "other") for e in self.ents[k]
                     if self.ent_emp[e] >= 40)
        for eid in sorted(r.sample(big, 40)):
            bid = f"branch-ent-{eid[-4:]}"
            cs = self.ent_com[eid]
            self.br[bid] = BranchPlan(bid, "enterprise", cs,
                                      f"中共{self._ent_names[eid]}支部委员会",
                                      f"committee-{cs}", None, eid, self.ago(1100, 6500))
        for uid, cs, has in self.units:
            if has:
                bid = f"branch-unit-{uid[-2:]}"
                self.br[bid] = BranchPlan(bid, "unit", cs, f"中共{self.unit_name[uid]}支部委员会",
                                          None, f"committee-{cs}", uid, self.ago(1100, 9000))
        for pid in self.parks[:5]:
            bid = f"branch-park-{pid[-2:]}"
            cs = self.park_com[pid]
            self.br[bid] = BranchPlan(bid, "park", cs, f"中共{self.park_name[pid]}联合支部委员会",
                                      f"committee-{cs}", None, pid, self.ago(1100, 5000))

    def _plant_reasons(self) -> None:
        r = self.r
        ids = sorted(self.br)
        community = [b for b in ids if self.br[b].kind == "community"]
        first = r.choice(community)
        weak = [first] + r.sample([b for b in ids if b != first], round(WEAK_SHARE * len(ids)) - 1)
        nrg_per_com: dict[str, int] = defaultdict(int)
        too_many = 0

        def allowed(b: BranchPlan, reason: str) -> bool:
            if reason in b.reasons:
                return False
            if reason == "no_resident_group":
                return b.kind == "community" and nrg_per_com[b.com] < 2
            if reason == "too_many_members":
                return too_many < 3 and "too_few_members" not in b.reasons
            if reason == "too_few_members":
                return "too_many_members" not in b.reasons
            return True

        def add(b: BranchPlan, reason: str) -> None:
            nonlocal too_many
            b.reasons.append(reason)
            if reason == "no_resident_group":
                nrg_per_com[b.com] += 1
            if reason == "too_many_members":
                too_many += 1

        add(self.br[first], "no_resident_group")
        rest = weak[1:]
        for reason, wid in zip([x for x in REASONS if x != "no_resident_group"], rest,
                               strict=False):
            add(self.br[wid], reason)
        for bid in weak:
            b = self.br[bid]
            want = 1 if not b.reasons else 0
            if r.random() < 0.4:
                want += 1
            for _ in range(want):
                ok = [x for x in REASONS if allowed(b, x)]
                if ok and len(b.reasons) < 2:
                    add(b, r.choices(ok, [_REASON_W[x] for x in ok])[0])
            b.reasons.sort()

    # ------------------------------------------------------------ members
    def _new_pm(self, cat: str, com: str | None, resident: bool,
                extra_labels: tuple[str, ...] = (), registered_p: float = 0.03) -> str:
        r = self.r
        lo, hi = JOIN_DAYS[cat]
        joined = self.A - r.randint(lo, hi)
        if cat == "vet":
            age = r.randint(18, 30)
        elif cat == "mid":
            age = r.randint(19, 40)
        else:
            age = r.randint(21, 32) if r.random() < 0.8 else r.randint(33, 45)
        birth = joined - int(age * 365.25) - r.randint(0, 364)
        if self._age_gap[0] < birth < self._age_gap[1]:  # no one just around 35
            birth = self._age_gap[0] - r.randint(1, 90)
        labels = ["PartyMember", *extra_labels]
        if resident:
            labels.append("Resident")
            if r.random() < 0.15:
                labels.append("Volunteer")
        registered = resident and r.random() < registered_p
        pid = self.person(tuple(labels), birth, registered, joined_party_on=self.iso(joined),
                          full_member=cat != "prob")
        self.pm[pid] = PM(joined, cat != "prob", birth, com, resident, cat)
        return pid

    def _msince(self, pid: str, lo: int, hi: int) -> int:
        return max(self.pm[pid].joined, self.ago(lo, hi))

    def _since(self, joined: int, founded: int) -> int:
        s = max(joined, founded)
        if self.r.random() < 0.45:
            s = max(s, self.A - self.r.randint(40, 4000))
        return min(s, self.A - 1)

    def _categories(self, b: BranchPlan) -> list[str]:
        r = self.r
        R = b.reasons
        nonew = "no_new_members" in R
        old = ("mid", "vet")
        if "too_few_members" in R:
            nf = r.randint(0 if "no_secretary" in R else 1, 2)
            cats = [r.choice(old) if nonew else r.choice(("new", "mid", "vet", "vet"))
                    for _ in range(nf)]
            if not nonew:
                cats += ["prob"] * r.randint(0 if "new" in cats else 1, 2)
            return cats
        n = r.randint(53, 62) if "too_many_members" in R else r.randint(*SIZE[b.kind])
        w = CAT_W["resident" if b.kind in ("community", "jsc") else "embedded"]
        cats = r.choices(("prob", "new", "mid", "vet"), w, k=n)
        if nonew:
            return [c if c in old else r.choice(old) for c in cats]
        if not any(c == "prob" for c in cats):
            cats[r.randrange(n)] = "new3"
        while sum(c != "prob" for c in cats) < 5:
            cats[cats.index("prob")] = "new3"
        return cats

    def _members(self, b: BranchPlan) -> None:
        r = self.r
        resident = b.kind in ("community", "jsc")
        reg_p = 0.4 if b.kind == "jsc" else 0.02
        cats = self._categories(b)
        pids = [self._new_pm(c, b.com, resident, registered_p=reg_p) for c in cats]
        full = [p for p, c in zip(pids, cats, strict=True) if c != "prob"]
        roles = dict.fromkeys(pids, "member")
        if "no_secretary" not in b.reasons:
            news = [p for p in full if self.pm[p].cat in ("new", "new3")]
            olds = [p for p in full if p not in news]
            sec = r.choice(news) if news and (r.random() < 0.25 or not olds) else r.choice(olds)
            roles[sec] = "secretary"
        rest = [p for p in full if roles[p] == "member"]
        r.shuffle(rest)
        if len(pids) >= 12 and rest:
            roles[rest.pop()] = "deputy"
        if len(pids) >= 7:
            for _ in range(min(r.randint(1, 3), len(rest))):
                roles[rest.pop()] = "committee"
        for p in pids:
            since = self._since(self.pm[p].joined, b.founded)
            b.mships.append(Mship(p, b.id, roles[p], since))
            if b.host and b.kind != "jsc":
                self.rel("WORKS_AT", p, b.host,
                         since=self.job_since(p, min(since, self.A - r.randint(60, 3000))))
        if b.host and b.kind == "enterprise":
            self.ent_emp[b.host] = max(self.ent_emp[b.host], 3 * len(pids) + 20)

    def _cadres(self) -> None:
        """Street working committee, community committees, general branches, posts."""
        r = self.r
        for role in ("secretary", "deputy", "deputy", "committee", "committee", "committee"):
            p = self._new_pm(r.choice(("mid", "vet")), None, False, ("Cadre",))
            self.mships.append(Mship(p, self.wc, role, self._msince(p, 30, 2000)))
        self.planted["three_boards_one_team"] = {}
        converted = [c.slug for c in COMMUNITIES if c.converted]
        three = r.sample(converted, 2)
        two = r.sample([c.slug for c in COMMUNITIES if c.slug not in three], 2)
        first_sec = r.sample([c.slug for c in COMMUNITIES], 3)
        for c in COMMUNITIES:
            com = f"committee-{c.slug}"
            people: dict[str, list[str]] = {}
            for role, cat in (("secretary", r.choice(("mid", "vet"))), ("deputy", "mid"),
                              ("committee", "vet"), ("committee", "mid"),
                              ("committee", r.choice(("new", "mid")))):
                p = self._new_pm(cat, c.slug, True, ("Cadre",), registered_p=0.2)
                self.mships.append(Mship(p, com, role, self._msince(p, 100, 3000)))
                people.setdefault(role, []).append(p)
            sec = people["secretary"][0]
            ws, rc, jsc = f"workstation-{c.slug}", f"rc-{c.slug}", f"jsc-{c.slug}"
            young = self._new_pm("new", c.slug, True, ("Cadre",))
            self.mships.append(Mship(young, com, "committee", self._msince(young, 30, 300)))
            posts: list[tuple[str, str, str]] = []
            if c.slug in three:
                posts += [(sec, ws, "工作站站长"), (sec, rc, "居委会主任"), (sec, jsc, "董事长")]
                self.planted["three_boards_one_team"][f"community-{c.slug}"] = {
                    "person": sec, "titles": ["工作站站长", "居委会主任", "董事长"]}
            elif c.slug in two:
                posts += [(sec, ws, "工作站站长"), (sec, rc, "居委会主任")]
                self.planted["three_boards_one_team"][f"community-{c.slug}"] = {
                    "person": sec, "titles": ["工作站站长", "居委会主任"]}
                if c.converted:
                    posts.append((young, jsc, "董事长"))
            else:  # 站企分设: posts split, a young new member runs the workstation
                posts += [(young, ws, "工作站站长"), (people["deputy"][0], rc, "居委会主任")]
                if c.converted:
                    chair = self.person(("Resident",), self.birth_age(45, 66), registered=True,
                                        male=True)
                    self.extra_residents.append((chair, c.slug))
                    posts.append((chair, jsc, "董事长"))
            posts.append((people["committee"][0], ws, "副站长"))
            for p, org, title in posts:
                self.rel("HOLDS_POST", p, org, title=title, since=self.iso(self.ago(60, 1800)))
            if c.slug in first_sec:
                fs = self._new_pm("mid", None, False, ("Cadre",))
                self.rel("HOLDS_POST", fs, f"community-{c.slug}", title="第一书记",
                         since=self.iso(self.ago(30, 700)))
            gen = f"genbranch-{c.slug}"
            if any(b.parent == gen for b in self.br.values()):
                p = self._new_pm("vet", c.slug, True, ("Cadre",))
                self.mships.append(Mship(p, gen, "secretary", self._msince(p, 100, 2000)))
                p = self._new_pm("mid", c.slug, True)
                self.mships.append(Mship(p, gen, "committee", self._msince(p, 100, 2000)))

    # ------------------------------------------------------------ traps
    def _ex_member(self, b: BranchPlan, role: str, cat: str) -> None:
        """A member who left (moved away, changed job): only an ended membership."""
        r = self.r
        p = self._new_pm(cat, None, False)
        start = max(self.pm[p].joined, b.founded)
        until = self.A if r.random() < 0.2 else r.randint(max(start + 31, self.A - 600), self.A)
        since = r.randint(start, until - 30)
        b.mships.append(Mship(p, b.id, role, since, until))
        if b.host and b.kind != "jsc":
            self.rel("WORKS_AT", p, b.host, since=self.iso(since), until=self.iso(until))

    def _traps(self) -> None:
        """Ended memberships that a query must not count (DOMAIN.md: "as of")."""
        r = self.r
        for bid in sorted(self.br):
            b = self.br[bid]
            R = b.reasons
            if "no_secretary" in R:
                cur = [m for m in b.mships if self.pm[m.pid].full and m.role == "member"]
                if cur and r.random() < 0.5:  # the secretary stepped down, stayed a member
                    m = r.choice(cur)
                    start = max(self.pm[m.pid].joined, b.founded)
                    d = self.A - r.randint(20, 400)
                    if start < d - 60:
                        m.since = d
                        s = r.randint(start, d - 60)
                        b.mships.append(Mship(m.pid, bid, "secretary", s, d,
                                              f"MEMBER_OF:{m.pid}->{bid}:{self.iso(s)}"))
                        continue
                self._ex_member(b, "secretary", r.choice(("mid", "vet")))
            if "too_few_members" in R:
                for _ in range(r.randint(2, 4)):
                    self._ex_member(b, "member", r.choice(("mid", "vet", "new")))
            if "no_new_members" in R:
                self._ex_member(b, "member", "new")
            if not R and r.random() < 0.2:
                self._ex_member(b, "member", r.choice(("new", "mid", "vet")))
        # transfers inside a community: an ended membership in another branch
        seen = {(m.pid, m.org) for b in self.br.values() for m in b.mships}
        by_com: dict[str, list[str]] = defaultdict(list)
        for bid in sorted(self.br):
            if self.br[bid].kind == "community":
                by_com[self.br[bid].com].append(bid)
        for com in sorted(by_com):
            for _ in range(3):
                src, dst = r.sample(by_com[com], 2)
                cands = [m for m in self.br[dst].mships if m.until is None and m.rid is None
                         and (m.pid, src) not in seen
                         and m.since - max(self.pm[m.pid].joined, self.br[src].founded) > 200]
                if not cands:
                    continue
                m = r.choice(cands)
                s = r.randint(max(self.pm[m.pid].joined, self.br[src].founded), m.since - 100)
                self.br[src].mships.append(Mship(m.pid, src, "member", s, m.since))
                seen.add((m.pid, src))

    # ------------------------------------------------------------ cover, homes
    def _covers(self) -> None:
        r = self.r
        self.cover_of = defaultdict(list)
        done: set[tuple[str, str]] = set()
        for c in COMMUNITIES:
            healthy = [g for g in self.groups[c.slug] if g not in self.hollow]
            r.shuffle(healthy)
            bs = [b for b in sorted(self.br) if self.br[b].com == c.slug
                  and self.br[b].kind == "community"]
            covering = [b for b in bs if "no_resident_group" not in self.br[b].reasons]
            r.shuffle(covering)
            for i, b in enumerate(covering):
                self.cover_of[b].append(healthy[i % len(healthy)])
            for g in healthy[len(covering):]:
                b = r.choice([x for x in covering if len(self.cover_of[x]) < 3])
                self.cover_of[b].append(g)
            for b in bs:
                for g in self.cover_of[b]:
                    self.rel("COVERS", b, g, since=self.iso(max(self.br[b].founded,
                                                                self.ago(100, 5000))))
                    done.add((b, g))
            # ended cover: branches that let a group go, hollow groups left behind
            ended = [(b, r.choice(self.groups[c.slug])) for b in bs
                     if "no_resident_group" in self.br[b].reasons and r.random() < 0.7]
            ended += [(r.choice(bs), g) for g in self.groups[c.slug]
                      if g in self.hollow and r.random() < 0.5]
            for b, g in ended:
                if (b, g) in done:
                    continue
                done.add((b, g))
                until = self.A if r.random() < 0.2 else self.ago(1, 700)
                self.rel("COVERS", b, g, since=self.iso(until - r.randint(300, 3000)),
                         until=self.iso(until))

    def _lives(self, pid: str, building: str, registered: bool,
               until: int | None = None, since: int | None = None) -> int:
        r = self.r
        birth = self.person_birth[pid]
        if since is None:
            since = (max(birth, self.ago(5000, 20000)) if registered
                     else max(birth, self.ago(30, 5000)))
        self.rel("LIVES_IN", pid, building, since=self.iso(since),
                 until=None if until is None else self.iso(until))
        if until is None:
            room = r.randint(1, self.building_floors[building]) * 100 + r.randint(1, 8)
            self.person_props[pid]["address"] = f"{self.building_addr[building]}{room}室"
        return since

    def _homes(self) -> None:
        """LIVES_IN for resident party members, group leaders (组长), moved-out traps."""
        r = self.r
        current: dict[str, str] = {}  # pid -> first current org
        for b in self.br.values():
            for m in b.mships:
                if m.until is None:
                    current.setdefault(m.pid, b.id)
        for m in self.mships:
            current.setdefault(m.pid, m.org)
        self.home = {}
        leaders: list[tuple[str, str, int, int | None]] = []
        for c in COMMUNITIES:
            healthy = [g for g in self.groups[c.slug] if g not in self.hollow]
            pms = sorted(p for p, info in self.pm.items() if info.resident and info.com == c.slug)
            r.shuffle(pms)
            taken: set[str] = set()
            for g in healthy:
                pick = next((p for p in pms if p not in taken
                             and g in self.cover_of.get(current[p], ())), None)
                if pick is None:
                    pick = next(p for p in pms if p not in taken)
                taken.add(pick)
                self.home[pick] = g
            for p in pms:
                if p in taken:
                    continue
                gs = self.cover_of.get(current[p], [])
                self.home[p] = r.choice(gs) if gs and r.random() < 0.7 else r.choice(healthy)
            for p in sorted(pms):
                self._lives(p, r.choice(self.group_buildings[self.home[p]]), self.person_reg[p])
            # moved out of a hollow group: an ended LIVES_IN there
            for g in self.groups[c.slug]:
                if g in self.hollow and r.random() < 0.5:
                    p = r.choice(sorted(pms))
                    until = self.ago(30, 1500)
                    since = until - r.randint(200, 2000)
                    if since > self.pm[p].birth:
                        self._lives(p, r.choice(self.group_buildings[g]), False, until, since)
            # group leaders
            for g in self.groups[c.slug]:
                if g in self.hollow:
                    if r.random() < 0.5:  # a former leader, post ended
                        reg = c.converted and r.random() < 0.5
                        p = self.person(("Resident",), self.birth_age(40, 75), registered=reg)
                        self._lives(p, r.choice(self.group_buildings[g]), reg)
                        until = self.A if r.random() < 0.25 else self.ago(1, 900)
                        leaders.append((p, g, until - r.randint(400, 3000), until))
                    continue
                living = sorted(p for p in pms if self.home[p] == g)
                if r.random() < 0.35:
                    p = r.choice(living)
                else:
                    reg = c.converted and r.random() < 0.4
                    p = self.person(("Resident",), self.birth_age(35, 70), registered=reg)
                    self._lives(p, r.choice(self.group_buildings[g]), reg)
                leaders.append((p, g, self.ago(60, 3000), None))
        for p, cs in self.extra_residents:
            g = r.choice([x for x in self.groups[cs] if x not in self.hollow])
            self._lives(p, r.choice(self.group_buildings[g]), True)
        for p, g, start, end in leaders:
            self.rel("HOLDS_POST", p, g, title="组长", since=self.iso(start),
                     until=None if end is None else self.iso(end))

def _L(label: str) -> tuple[str, ...]:
    return labels_of(label)
