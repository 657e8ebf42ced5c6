"""The party's records over time: 党小组 (:func:`party_groups`), the organisations and
memberships as nodes and MEMBER_OF (:func:`emit_party`), a year of activities with
who attended (:func:`activities`), and mentoring pairs (:func:`mentors`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from loaders.xinqiao.data import COMMUNITIES, cn_number, labels_of
from loaders.xinqiao.emit import Draws, Emitter
from loaders.xinqiao.party_plan import PM, BranchPlan, Mship
from loaders.xinqiao.people import years_before

__all__ = ["DNP_REASONS", "KIND_ZH", "Mentoring", "activities", "emit_party", "mentors",
           "party_groups"]

KIND_ZH = {"members_meeting": "支部党员大会", "committee_meeting": "支委会",
           "group_meeting": "党小组会", "party_lecture": "党课", "other": "主题党日"}
DNP_REASONS = ("亲属关系回避", "存在邻里纠纷", "本人申请回避", "工作上下级关系")

# (current [veteran, new] pairs, ended pairs, DO_NOT_PAIR pairs)
Mentoring = tuple[list[list[str]], list[list[str]], list[list[str]]]


def party_groups(em: Emitter, d: Draws, br: dict[str, BranchPlan], pm: dict[str, PM]
                 ) -> dict[str, list[Mship]]:
    """党小组 under some healthy community branches (leader: role secretary); returns
    party group -> its memberships."""
    r = d.r
    out: dict[str, list[Mship]] = {}
    for bid in sorted(br):
        b = br[bid]
        cur = [m for m in b.mships if m.until is None]
        if b.kind != "community" or b.reasons or not 15 <= len(cur) <= 25:
            continue
        if r.random() < 0.5:
            continue
        half = len(cur) // 2
        ordered = sorted(cur, key=lambda m: m.pid)
        r.shuffle(ordered)
        for k, part in enumerate((ordered[:half], ordered[half:]), 1):
            gid = em.node(f"partygroup-{bid[7:]}-{k}", labels_of("PartyGroup"),
                          name=f"{b.name.removesuffix('支部委员会')}支部第{cn_number(k)}党小组",
                          founded_on=d.iso(b.founded))
            em.rel("SUB_ORG_OF", gid, bid, since=d.iso(b.founded))
            full = [m for m in part if pm[m.pid].full]
            lead = r.choice(full) if full else None
            out[gid] = [Mship(m.pid, gid, "secretary" if m is lead else "member", m.since)
                        for m in part]
    return out


def emit_party(em: Emitter, d: Draws, br: dict[str, BranchPlan], mships: list[Mship],
               groups: dict[str, list[Mship]]) -> None:
    """Branch nodes with their place in the structure, then every MEMBER_OF."""
    for bid in sorted(br):
        b = br[bid]
        em.node(bid, labels_of("Branch"), name=b.name, founded_on=d.iso(b.founded))
        if b.parent:
            em.rel("SUB_ORG_OF", bid, b.parent, since=d.iso(b.founded))
        if b.alliance:
            em.rel("ALLIANCE_MEMBER", bid, b.alliance, since=d.iso(d.ago(200, 2500)))
        if b.host:
            em.rel("EMBEDDED_IN", bid, b.host)
    every = [m for b in sorted(br) for m in br[b].mships] + mships
    every += [m for g in sorted(groups) for m in groups[g]]
    for m in every:
        em.rel("MEMBER_OF", m.pid, m.org, rid=m.rid, role=m.role, since=d.iso(m.since),
               until=None if m.until is None else d.iso(m.until))


class _Activities:
    """Numbers activities as they are made (``activity-NNNNN``)."""

    def __init__(self, em: Emitter, d: Draws) -> None:
        self.em, self.d = em, d
        self.made = 0

    def held(self, org: str, kind: str, day: int, ms: list[Mship]) -> None:
        """An activity ``org`` held on ``day``, attended by most of those of ``ms``
        current then (a branch committee meeting: its committee)."""
        em, r = self.em, self.d.r
        self.made += 1
        aid = f"activity-{self.made:05d}"
        date = dt.date.fromordinal(day)
        present = [m for m in ms if m.since <= day and (m.until is None or m.until > day)]
        if kind == "committee_meeting" and org.startswith("branch-"):
            present = [m for m in present if m.role != "member"] or present
        share = {"members_meeting": 0.8, "party_lecture": 0.7}.get(kind, 0.9)
        em.node(aid, labels_of("Activity"), name=f"{date.year}年{date.month}月{KIND_ZH[kind]}",
                kind=kind, date=date.isoformat())
        em.rel("HELD", org, aid)
        for p in sorted({m.pid for m in present}):
            if r.random() < share:
                em.rel("ATTENDED", p, aid)


def activities(em: Emitter, d: Draws, br: dict[str, BranchPlan], mships: list[Mship],
               groups: dict[str, list[Mship]]) -> int:
    """A year of branch, party group and committee activities; returns how many
    activities were made (later ones number on from there)."""
    r = d.r
    act = _Activities(em, d)
    kinds = ("members_meeting", "party_lecture", "committee_meeting")
    for bid in sorted(br):
        b = br[bid]
        if "inactive" in b.reasons:
            if r.random() < 0.2:
                continue  # nothing held at all
            last = d.A - 90 if r.random() < 0.4 else d.ago(91, 200)
            dates = [last - 30 * k - (r.randint(0, 10) if k else 0)
                     for k in range(r.randint(2, 8))]
        else:
            dates = [d.A - 30 * k - r.randint(1, 25) for k in range(12)]
        for k, day in enumerate(dates):
            if day < b.founded:
                break
            act.held(bid, kinds[k % 3], day, b.mships)
    for gid in sorted(groups):
        for k in range(6):
            act.held(gid, "group_meeting", d.A - 60 * k - r.randint(1, 40), groups[gid])
    for org in sorted({m.org for m in mships}):
        ms = [m for m in mships if m.org == org]
        for k in range(6):
            act.held(org, "committee_meeting", d.A - 60 * k - r.randint(1, 40), ms)
    return act.made


def mentors(em: Emitter, d: Draws, br: dict[str, BranchPlan], pm: dict[str, PM]) -> Mentoring:
    """MENTORS (veteran -> new member of community branches of one community), a few
    ended, and DO_NOT_PAIR."""
    r = d.r
    y5 = years_before(d.as_of, 5).toordinal()
    pairs: list[list[str]] = []
    ended: list[list[str]] = []
    dnp: list[list[str]] = []
    used: set[tuple[str, str]] = set()
    for c in COMMUNITIES:
        cur = [(m.pid, b) for b in sorted(br) if br[b].com == c.slug
               and br[b].kind == "community" for m in br[b].mships
               if m.until is None and m.rid is None]
        vets = sorted({p for p, _ in cur if pm[p].cat == "vet"})
        news = sorted({p for p, _ in cur if pm[p].joined > y5})
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
            since = max(pm[n].joined, d.ago(30, 700))
            em.rel("MENTORS", v, n, since=d.iso(since), score=round(r.uniform(0.5, 0.95), 2))
            pairs.append([v, n])
        for n in news[5:5 + (1 if c.slug in ("xinqiao", "xiner", "shaqi") else 0)]:
            v = vets[-1]
            joined = pm[n].joined
            if (v, n) in used or joined > d.A - 200:
                continue
            used.add((v, n))
            until = r.randint(joined + 60, d.A - 10)
            em.rel("MENTORS", v, n, since=d.iso(r.randint(joined, until - 30)),
                   until=d.iso(until), score=round(r.uniform(0.3, 0.7), 2))
            ended.append([v, n])
        for v, n in zip(vets[-3:-1], news[-2:], strict=False):
            if (v, n) in used or len(dnp) >= 10:
                continue
            used.add((v, n))
            em.rel("DO_NOT_PAIR", v, n, reason=r.choice(DNP_REASONS))
            dnp.append([v, n])
    return pairs, ended, dnp
