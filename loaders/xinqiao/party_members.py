"""Party members made to fit their branch's plan: how many, new or veteran, who is
secretary (:meth:`Members.branch`); the cadres of the working committee, community
committees and general branches with their posts (:meth:`Members.cadres`); and the
ended memberships a correct "as of" query must not count (:meth:`Members.traps`).

Every member made is kept in :attr:`Members.pm`, which the later party builders read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from loaders.xinqiao.data import COMMUNITIES
from loaders.xinqiao.emit import Draws, Emitter
from loaders.xinqiao.party_plan import PM, BranchPlan, Mship
from loaders.xinqiao.people import years_before

__all__ = ["CAT_W", "JOIN_DAYS", "SIZE", "Cadres", "Members"]

# joined the party this many days before as_of, by category; the gaps around
# 5 and 20 years keep every member clearly new, middle or veteran.
JOIN_DAYS = {"prob": (30, 330), "new3": (400, 1000), "new": (400, 1600),
             "mid": (2190, 7120), "vet": (7490, 20090)}
SIZE = {"community": (8, 36), "jsc": (10, 35), "enterprise": (6, 18), "unit": (6, 25),
        "park": (6, 15)}
CAT_W = {"resident": (0.05, 0.17, 0.35, 0.43), "embedded": (0.07, 0.30, 0.45, 0.18)}



@dataclass(frozen=True, slots=True)
class Cadres:
    """What :meth:`Members.cadres` made besides party members."""

    mships: list[Mship]  # of the working committee, community committees, general branches
    extra_residents: list[tuple[str, str]]  # (person, community): non-party post holders
    three_boards_one_team: dict[str, Any]  # as planted


class Members:
    """Makes party members into one registry (``pm``: person id -> :class:`PM`)."""

    def __init__(self, em: Emitter, d: Draws) -> None:
        self.em = em
        self.d = d
        self.pm: dict[str, PM] = {}
        y35 = years_before(d.as_of, 35).toordinal()
        y36 = years_before(d.as_of, 36).toordinal()
        self._age_gap = (y36 - 30, y35 + 30)  # nobody's age is within a month of 35/36

    def new(self, cat: str, com: str | None, resident: bool,
            extra_labels: tuple[str, ...] = (), registered_p: float = 0.03) -> str:
        """A party member of category ``cat`` (prob, new3, new, mid, vet)."""
        r = self.d.r
        lo, hi = JOIN_DAYS[cat]
        joined = self.d.A - r.randint(lo, hi)
        if cat == "vet":
            age = r.randint(18, 30)
        elif cat == "mid":
            age = r.randint(19, 40)
        else:
            age = r.randint(21, 32) if r.random() < 0.8 else r.randint(33, 45)
        birth = joined - int(age * 365.25) - r.randint(0, 364)
        if self._age_gap[0] < birth < self._age_gap[1]:
            birth = self._age_gap[0] - r.randint(1, 90)
        labels = ["PartyMember", *extra_labels]
        if resident:
            labels.append("Resident")
            if r.random() < 0.15:
                labels.append("Volunteer")
        registered = resident and r.random() < registered_p
        pid = self.em.person(tuple(labels), birth, registered,
                             joined_party_on=self.d.iso(joined), full_member=cat != "prob")
        self.pm[pid] = PM(joined, cat != "prob", birth, com, resident, cat)
        return pid

    def _msince(self, pid: str, lo: int, hi: int) -> int:
        return max(self.pm[pid].joined, self.d.ago(lo, hi))

    def _since(self, joined: int, founded: int) -> int:
        r = self.d.r
        s = max(joined, founded)
        if r.random() < 0.45:
            s = max(s, self.d.A - r.randint(40, 4000))
        return min(s, self.d.A - 1)

    def _categories(self, b: BranchPlan) -> list[str]:
        r = self.d.r
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

    def branch(self, b: BranchPlan) -> int:
        """A branch's members (into ``b.mships``), roles by its plan; embedded
        members work at the host. Returns how many were made."""
        em, d, r = self.em, self.d, self.d.r
        resident = b.kind in ("community", "jsc")
        reg_p = 0.4 if b.kind == "jsc" else 0.02
        cats = self._categories(b)
        pids = [self.new(c, b.com, resident, registered_p=reg_p) for c in cats]
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
                em.rel("WORKS_AT", p, b.host,
                       since=em.job_since(p, min(since, d.A - r.randint(60, 3000))))
        return len(pids)

    def cadres(self, wc: str, br: dict[str, BranchPlan]) -> Cadres:
        """Street working committee, community committees, general branches, posts."""
        em, d, r = self.em, self.d, self.d.r
        mships: list[Mship] = []
        extra_residents: list[tuple[str, str]] = []
        for role in ("secretary", "deputy", "deputy", "committee", "committee", "committee"):
            p = self.new(r.choice(("mid", "vet")), None, False, ("Cadre",))
            mships.append(Mship(p, wc, role, self._msince(p, 30, 2000)))
        three_boards: dict[str, Any] = {}
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
                p = self.new(cat, c.slug, True, ("Cadre",), registered_p=0.2)
                mships.append(Mship(p, com, role, self._msince(p, 100, 3000)))
                people.setdefault(role, []).append(p)
            sec = people["secretary"][0]
            ws, rc, jsc = f"workstation-{c.slug}", f"rc-{c.slug}", f"jsc-{c.slug}"
            young = self.new("new", c.slug, True, ("Cadre",))
            mships.append(Mship(young, com, "committee", self._msince(young, 30, 300)))
            posts: list[tuple[str, str, str]] = []
            if c.slug in three:
                posts += [(sec, ws, "工作站站长"), (sec, rc, "居委会主任"), (sec, jsc, "董事长")]
                three_boards[f"community-{c.slug}"] = {
                    "person": sec, "titles": ["工作站站长", "居委会主任", "董事长"]}
            elif c.slug in two:
                posts += [(sec, ws, "工作站站长"), (sec, rc, "居委会主任")]
                three_boards[f"community-{c.slug}"] = {
                    "person": sec, "titles": ["工作站站长", "居委会主任"]}
                if c.converted:
                    posts.append((young, jsc, "董事长"))
            else:  # 站企分设: posts split, a young new member runs the workstation
                posts += [(young, ws, "工作站站长"), (people["deputy"][0], rc, "居委会主任")]
                if c.converted:
                    chair = em.person(("Resident",), d.birth_age(45, 66), registered=True,
                                      male=True)
                    extra_residents.append((chair, c.slug))
                    posts.append((chair, jsc, "董事长"))
            posts.append((people["committee"][0], ws, "副站长"))
            for p, org, title in posts:
                em.rel("HOLDS_POST", p, org, title=title, since=d.iso(d.ago(60, 1800)))
            if c.slug in first_sec:
                fs = self.new("mid", None, False, ("Cadre",))
                em.rel("HOLDS_POST", fs, f"community-{c.slug}", title="第一书记",
                       since=d.iso(d.ago(30, 700)))
            gen = f"genbranch-{c.slug}"
            if any(b.parent == gen for b in br.values()):
                p = self.new("vet", c.slug, True, ("Cadre",))
                mships.append(Mship(p, gen, "secretary", self._msince(p, 100, 2000)))
                p = self.new("mid", c.slug, True)
                mships.append(Mship(p, gen, "committee", self._msince(p, 100, 2000)))
        return Cadres(mships, extra_residents, three_boards)

    # ------------------------------------------------------------ traps
    def _ex_member(self, b: BranchPlan, role: str, cat: str) -> None:
        """A member who left (moved away, changed job): only an ended membership."""
        em, d, r = self.em, self.d, self.d.r
        p = self.new(cat, None, False)
        start = max(self.pm[p].joined, b.founded)
        until = d.A if r.random() < 0.2 else r.randint(max(start + 31, d.A - 600), d.A)
        since = r.randint(start, until - 30)
        b.mships.append(Mship(p, b.id, role, since, until))
        if b.host and b.kind != "jsc":
            em.rel("WORKS_AT", p, b.host, since=d.iso(since), until=d.iso(until))

    def traps(self, br: dict[str, BranchPlan]) -> None:
        """Ended memberships that a query must not count (docs/domain.md §4.5, "as of")."""
        d, r = self.d, self.d.r
        for bid in sorted(br):
            b = br[bid]
            R = b.reasons
            if "no_secretary" in R:
                cur = [m for m in b.mships if self.pm[m.pid].full and m.role == "member"]
                if cur and r.random() < 0.5:  # the secretary stepped down, stayed a member
                    m = r.choice(cur)
                    start = max(self.pm[m.pid].joined, b.founded)
                    day = d.A - r.randint(20, 400)
                    if start < day - 60:
                        m.since = day
                        s = r.randint(start, day - 60)
                        b.mships.append(Mship(m.pid, bid, "secretary", s, day,
                                              f"MEMBER_OF:{m.pid}->{bid}:{d.iso(s)}"))
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
        seen = {(m.pid, m.org) for b in br.values() for m in b.mships}
        by_com: dict[str, list[str]] = defaultdict(list)
        for bid in sorted(br):
            if br[bid].kind == "community":
                by_com[br[bid].com].append(bid)
        for com in sorted(by_com):
            for _ in range(3):
                src, dst = r.sample(by_com[com], 2)
                cands = [m for m in br[dst].mships if m.until is None and m.rid is None
                         and (m.pid, src) not in seen
                         and m.since - max(self.pm[m.pid].joined, br[src].founded) > 200]
                if not cands:
                    continue
                m = r.choice(cands)
                s = r.randint(max(self.pm[m.pid].joined, br[src].founded), m.since - 100)
                br[src].mships.append(Mship(m.pid, src, "member", s, m.since))
                seen.add((m.pid, src))
