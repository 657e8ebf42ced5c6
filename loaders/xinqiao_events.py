"""Party groups, records, activities and mentoring of the Xinqiao scenario, and the
check that every planted flag holds.

:class:`EventsMixin` completes :class:`loaders.xinqiao_party.PartyMixin`;
:meth:`EventsMixin._check_party` re-derives every planted flag from the emitted
records by the definitions of DOMAIN.md §5 (:mod:`loaders.xinqiao_rules`) and
fails loudly if one disagrees, whatever the seed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from graph.model import is_current
from loaders.xinqiao_data import COMMUNITIES, cn_number
from loaders.xinqiao_party import _L, Mship, PartyMixin
from loaders.xinqiao_people import years_before
from loaders.xinqiao_rules import branch_flags, hollow_groups

__all__ = ["EventsMixin"]

KIND_ZH = {"members_meeting": "支部党员大会", "committee_meeting": "支委会",
           "group_meeting": "党小组会", "party_lecture": "党课", "other": "主题党日"}
DNP_REASONS = ("亲属关系回避", "存在邻里纠纷", "本人申请回避", "工作上下级关系")


class EventsMixin(PartyMixin):
    """The party structure's entry point and its later stages."""

    def _party(self) -> None:
        self.pm = {}
        self.mships = []
        self.br = {}
        self.extra_residents = []
        y35 = years_before(self.as_of, 35).toordinal()
        y36 = years_before(self.as_of, 36).toordinal()
        self._age_gap = (y36 - 30, y35 + 30)
        self._plan_branches()
        self._plant_reasons()
        for b in self.br.values():
            self._members(b)
        self._cadres()
        self._traps()
        self._covers()
        self._homes()
        self._party_groups()
        self._emit_party()
        self._activities()
        self._mentors()


    def _party_groups(self) -> None:
        """党小组 under some healthy community branches (leader: role secretary)."""
        r = self.r
        self.party_groups: dict[str, list[Mship]] = {}
        for bid in sorted(self.br):
            b = self.br[bid]
            cur = [m for m in b.mships if m.until is None]
            if b.kind != "community" or b.reasons or not 15 <= len(cur) <= 25:
                continue
            if r.random() < 0.5:
                continue
            half = len(cur) // 2
            ordered = sorted(cur, key=lambda m: m.pid)
            r.shuffle(ordered)
            for k, part in enumerate((ordered[:half], ordered[half:]), 1):
                gid = self.node(f"partygroup-{bid[7:]}-{k}", _L("PartyGroup"),
                                name=f"{b.name.removesuffix('支部委员会')}支部第{cn_number(k)}党小组",
                                founded_on=self.iso(b.founded))
                self.rel("SUB_ORG_OF", gid, bid, since=self.iso(b.founded))
                full = [m for m in part if self.pm[m.pid].full]
                lead = r.choice(full) if full else None
                self.party_groups[gid] = [
                    Mship(m.pid, gid, "secretary" if m is lead else "member", m.since)
                    for m in part]

    def _emit_party(self) -> None:
        for bid in sorted(self.br):
            b = self.br[bid]
            self.node(bid, _L("Branch"), name=b.name, founded_on=self.iso(b.founded))
            if b.parent:
                self.rel("SUB_ORG_OF", bid, b.parent, since=self.iso(b.founded))
            if b.alliance:
                self.rel("ALLIANCE_MEMBER", bid, b.alliance, since=self.iso(self.ago(200, 2500)))
            if b.host:
                self.rel("EMBEDDED_IN", bid, b.host)
        every = [m for b in sorted(self.br) for m in self.br[b].mships] + self.mships
        every += [m for g in sorted(self.party_groups) for m in self.party_groups[g]]
        for m in every:
            self.rel("MEMBER_OF", m.pid, m.org, rid=m.rid, role=m.role, since=self.iso(m.since),
                     until=None if m.until is None else self.iso(m.until))

    # ------------------------------------------------------------ activities
    def _activities(self) -> None:
        r = self.r
        self._act_no = 0
        kinds = ("members_meeting", "party_lecture", "committee_meeting")
        for bid in sorted(self.br):
            b = self.br[bid]
            if "inactive" in b.reasons:
                if r.random() < 0.2:
                    continue  # nothing held at all
                last = self.A - 90 if r.random() < 0.4 else self.ago(91, 200)
                dates = [last - 30 * k - (r.randint(0, 10) if k else 0)
                         for k in range(r.randint(2, 8))]
            else:
                dates = [self.A - 30 * k - r.randint(1, 25) for k in range(12)]
            for k, d in enumerate(dates):
                if d < b.founded:
                    break
                self._activity(bid, kinds[k % 3], d, b.mships)
        for gid in sorted(self.party_groups):
            for k in range(6):
                self._activity(gid, "group_meeting", self.A - 60 * k - r.randint(1, 40),
                               self.party_groups[gid])
        coms = sorted({m.org for m in self.mships})
        for org in coms:
            ms = [m for m in self.mships if m.org == org]
            for k in range(6):
                self._activity(org, "committee_meeting", self.A - 60 * k - r.randint(1, 40), ms)

    def _activity(self, org: str, kind: str, day: int, ms: list[Mship]) -> None:
        r = self.r
        self._act_no += 1
        aid = f"activity-{self._act_no:05d}"
        d = dt.date.fromordinal(day)
        present = [m for m in ms if m.since <= day and (m.until is None or m.until > day)]
        if kind == "committee_meeting" and org.startswith("branch-"):
            present = [m for m in present if m.role != "member"] or present
        share = {"members_meeting": 0.8, "party_lecture": 0.7}.get(kind, 0.9)
        self.node(aid, _L("Activity"), name=f"{d.year}年{d.month}月{KIND_ZH[kind]}", kind=kind,
                  date=d.isoformat())
        self.rel("HELD", org, aid)
        for p in sorted({m.pid for m in present}):
            if r.random() < share:
                self.rel("ATTENDED", p, aid)

    # ------------------------------------------------------------ mentoring
    def _mentors(self) -> None:
        r = self.r
        y5 = years_before(self.as_of, 5).toordinal()
        pairs: list[list[str]] = []
        ended: list[list[str]] = []
        dnp: list[list[str]] = []
        used: set[tuple[str, str]] = set()
        for c in COMMUNITIES:
            cur = [(m.pid, b) for b in sorted(self.br) if self.br[b].com == c.slug
                   and self.br[b].kind == "community" for m in self.br[b].mships
                   if m.until is None and m.rid is None]
            vets = sorted({p for p, _ in cur if self.pm[p].cat == "vet"})
            news = sorted({p for p, _ in cur if self.pm[p].joined > y5})
            if len(vets) < 4 or len(news) < 8:
                continue
            r.shuffle(vets)
            r.shuffle(news)
            load: dict[str, int] = defaultdict(int)
            branch_of = dict(cur)
            half = vets[: max(1, len(vets) // 2)]
            for i, n in enumerate(news[: r.randint(3, 5)]):
                same = [v for v in half if branch_of[v] == branch_of[n] and load[v] < 2]
                v = same[0] if same and r.random() < 0.7 else half[i % len(half)]
                if load[v] >= 2 or (v, n) in used:
                    continue
                load[v] += 1
                used.add((v, n))
                since = max(self.pm[n].joined, self.ago(30, 700))
                self.rel("MENTORS", v, n, since=self.iso(since),
                         score=round(r.uniform(0.5, 0.95), 2))
                pairs.append([v, n])
            for n in news[5:5 + (1 if c.slug in ("xinqiao", "xiner", "shaqi") else 0)]:
                v = vets[-1]
                joined = self.pm[n].joined
                if (v, n) in used or joined > self.A - 200:
                    continue
                used.add((v, n))
                until = r.randint(joined + 60, self.A - 10)
                self.rel("MENTORS", v, n, since=self.iso(r.randint(joined, until - 30)),
                         until=self.iso(until), score=round(r.uniform(0.3, 0.7), 2))
                ended.append([v, n])
            for v, n in zip(vets[-3:-1], news[-2:], strict=False):
                if (v, n) in used or len(dnp) >= 10:
                    continue
                used.add((v, n))
                self.rel("DO_NOT_PAIR", v, n, reason=r.choice(DNP_REASONS))
                dnp.append([v, n])
        self.planted["mentors"] = {"current": pairs, "ended": ended}
        self.planted["do_not_pair"] = dnp

    # ------------------------------------------------------------ check
    def _check_party(self) -> None:
        flags = branch_flags(self.nodes, self.rels, self.as_of)
        weak = {b: sorted(p.reasons) for b, p in self.br.items() if p.reasons}
        got = {b: f for b, f in flags.items() if f}
        if got != weak:
            bad = sorted({(b, tuple(f)) for b, f in got.items()}
                         ^ {(b, tuple(f)) for b, f in weak.items()})[:5]
            raise AssertionError(f"planted branch flags do not hold: {bad}")
        hollow = hollow_groups(self.nodes, self.rels, self.as_of)
        if {g for g, h in hollow.items() if h} != self.hollow:
            raise AssertionError("planted hollow groups do not hold")
        self.planted["branches"] = {
            "weak": {b: weak[b] for b in sorted(weak)},
            "healthy": sorted(b for b in self.br if b not in weak),
            "kind": {b: self.br[b].kind for b in sorted(self.br)},
            "community": {b: f"community-{self.br[b].com}" for b in sorted(self.br)},
        }
        self.planted["resident_groups"] = {"hollow": sorted(self.hollow),
                                           "healthy": sorted(g for g in hollow if not hollow[g])}
        self.planted["new_members_with_posts"] = self._new_with_posts()

    def _new_with_posts(self) -> list[str]:
        a = self.as_of.isoformat()
        y5 = years_before(self.as_of, 5).isoformat()
        y36 = years_before(self.as_of, 36).isoformat()
        props = {n["id"]: n["properties"] for n in self.nodes if "PartyMember" in n["labels"]}
        posted = set()
        for r in self.rels:
            p = r["properties"]
            if r["start"] in props and is_current(p, a) and (
                    r["type"] == "HOLDS_POST"
                    or (r["type"] == "MEMBER_OF" and p["role"] != "member")):
                posted.add(r["start"])
        return sorted(pid for pid in posted if props[pid]["joined_party_on"] > y5
                      or props[pid]["birth_date"] > y36)
