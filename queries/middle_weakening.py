"""Middle weakening (中间弱化): weak branches and hollow resident groups.

DOMAIN.md §5, with every threshold a parameter. For each branch:

- ``no_secretary``: no current member with role secretary;
- ``too_few_members``: fewer than ``min_full_members`` (3) current full members;
- ``too_many_members``: more than ``max_members`` (50) current members;
- ``no_resident_group``: a community branch (one not embedded in an enterprise or
  unit) that covers no resident group;
- ``inactive``: no activity held in the ``inactive_days`` (90) days up to the as-of date;
- ``no_new_members``: no current member who joined the party in the
  ``new_member_years`` (5) years up to the as-of date.

A resident group is ``hollow`` when it has no current leader post, no party member
living in it and no branch covering it.

A gap is a weak branch with the groups it covers (``weak_branch``; with no groups,
``no_group``) or a hollow group, which by definition no branch covers
(``no_branch``). Severity = the points of its reasons (below) + log10(1 + residents
affected): reasons dominate, the number of residents orders gaps of equal reasons.
Ties are broken by id.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from graph.errors import InvalidParameter
from graph.store import GraphStore
from queries.common import (
    NodeRef,
    committee_of_org,
    community_of_committee,
    current,
    day_of,
    node_ref,
)

__all__ = ["middle_weakening", "Thresholds", "MiddleWeakening", "BranchReport", "GroupReport",
           "Gap", "CommunitySummary", "REASONS"]

#: reason -> (Chinese, English, severity points)
REASONS: dict[str, tuple[str, str, int]] = {
    "no_secretary": ("支部无书记", "no secretary", 3),
    "too_few_members": ("正式党员不足3人", "too few full members", 3),
    "too_many_members": ("党员超过50人", "too many members", 1),
    "no_resident_group": ("未覆盖居民小组", "covers no resident group", 2),
    "inactive": ("90天内未开展组织生活", "no activity in the period", 2),
    "no_new_members": ("5年内未发展党员", "no member joined in the period", 1),
    "hollow": ("居民小组虚化", "hollow resident group", 3),
    "no_branch": ("无党支部覆盖(中间环节缺失)", "no branch covers the group", 2),
}


@dataclass(frozen=True)
class Thresholds:
    min_full_members: int = 3
    max_members: int = 50
    inactive_days: int = 90
    new_member_years: int = 5

    def __post_init__(self) -> None:
        for name in ("min_full_members", "max_members", "inactive_days", "new_member_years"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0 or v > 100_000:
                raise InvalidParameter(f"threshold {name}={v!r} must be an integer 0-100000")


class Reason(BaseModel):
    reason: str
    message_zh: str
    message: str
    detail: str


class BranchReport(BaseModel):
    branch: NodeRef
    committee: NodeRef | None
    community: NodeRef | None
    community_branch: bool
    members: int
    full_members: int
    secretary: NodeRef | None
    last_activity: str | None
    newest_joined_party_on: str | None
    groups: list[NodeRef]
    reasons: list[Reason]


class GroupReport(BaseModel):
    group: NodeRef
    community: NodeRef | None
    hollow: bool
    leaders: int
    party_members_living: int
    covered_by: list[str]
    residents: int


class Gap(BaseModel):
    rank: int
    severity: float
    kind: Literal["weak_branch", "no_group", "no_branch"]
    reasons: list[str]
    reasons_zh: list[str]
    committee: NodeRef | None
    community: NodeRef | None
    branch: NodeRef | None
    groups: list[NodeRef]
    residents_affected: int


class CommunitySummary(BaseModel):
    community: NodeRef
    branches: int
    weak_branches: int
    weak_branch_share: float
    groups: int
    hollow_groups: int
    hollow_group_share: float
    gaps: int
    residents_affected: int


class MiddleWeakening(BaseModel):
    as_of: str
    community: str | None
    thresholds: dict[str, int]
    weak_branches: list[BranchReport]
    hollow_groups: list[GroupReport]
    gaps: list[Gap]
    summary: list[CommunitySummary]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class _Scan:
    """What one run learns about branches and groups, shared by the report parts."""

    def __init__(self, store: GraphStore, day: str, t: Thresholds) -> None:
        self.store, self.day, self.t = store, day, t
        d = dt.date.fromisoformat(day)
        self.activity_from = (d - dt.timedelta(days=t.inactive_days)).isoformat()
        self.joined_from = _years_before(d, t.new_member_years).isoformat()
        self.schema = store.schema
        self._refs: dict[str, NodeRef] = {}
        self._community_of_committee: dict[str, str | None] = {}

    def ref(self, nid: str) -> NodeRef:
        r = self._refs.get(nid)
        if r is None:
            r = self._refs[nid] = node_ref(self.schema, self.store.get_node(nid))
        return r

    def community_of(self, committee: str | None) -> str | None:
        if committee is None:
            return None
        if committee not in self._community_of_committee:
            self._community_of_committee[committee] = community_of_committee(self.store,
                                                                             committee)
        return self._community_of_committee[committee]

    def branch(self, bid: str) -> BranchReport:
        st, day, t = self.store, self.day, self.t
        committee = committee_of_org(st, bid, day)
        community = self.community_of(committee)
        members = current(st.adjacent(bid, ["MEMBER_OF"], "in"), day)
        people = st.get_nodes(a.other for a in members)
        full = sum(1 for a in members if people[a.other].properties.get("full_member") is True)
        secretaries = sorted(a.other for a in members
                             if a.rel.properties.get("role") == "secretary")
        joined = [j for a in members
                  if (j := people[a.other].properties.get("joined_party_on")) and j <= day]
        newest = max(joined, default=None)
        held = st.adjacent(bid, ["HELD"], "out", ["Activity"])
        dates = [d for d in (st.get_nodes(a.other for a in held)[a.other].properties.get("date")
                             for a in held) if d and d <= day]
        last = max(dates, default=None)
        groups = sorted(a.other for a in current(st.adjacent(bid, ["COVERS"], "out"), day))
        embedded = bool(st.adjacent(bid, ["EMBEDDED_IN"], "out"))

        reasons = []

        def flag(code: str, detail: str) -> None:
            zh, en, _ = REASONS[code]
            reasons.append(Reason(reason=code, message_zh=zh, message=en, detail=detail))

        if not secretaries:
            flag("no_secretary", "no current member has the role secretary")
        if full < t.min_full_members:
            flag("too_few_members", f"{full} full member(s), fewer than {t.min_full_members}")
        if len(members) > t.max_members:
            flag("too_many_members", f"{len(members)} members, more than {t.max_members}")
        if not embedded and not groups:
            flag("no_resident_group", "a community branch that covers no resident group")
        if last is None or last <= self.activity_from:
            flag("inactive", f"last activity {last or 'never'}; none after {self.activity_from}")
        if newest is None or newest < self.joined_from:
            flag("no_new_members",
                 f"newest member joined {newest or 'never'}; none since {self.joined_from}")
        return BranchReport(
            branch=self.ref(bid),
            committee=self.ref(committee) if committee else None,
            community=self.ref(community) if community else None,
            community_branch=not embedded,
            members=len(members),
            full_members=full,
            secretary=self.ref(secretaries[0]) if secretaries else None,
            last_activity=last,
            newest_joined_party_on=newest,
            groups=[self.ref(g) for g in groups],
            reasons=reasons,
        )

    def residents_of_group(self, gid: str) -> int:
        st, day = self.store, self.day
        n = 0
        for b in st.adjacent(gid, ["PART_OF"], "in", ["Building"]):
            n += len(current(st.adjacent(b.other, ["LIVES_IN"], "in", ["Resident"]), day))
        return n

    def groups_with_party_members(self) -> dict[str, int]:
        """Resident group -> party members currently living in it."""
        st, day = self.store, self.day
        out: dict[str, int] = {}
        for pm in st.nodes("PartyMember"):
            homes = current(st.adjacent(pm.id, ["LIVES_IN"], "out"), day)
            groups = {g.other for h in homes
                      for g in st.adjacent(h.other, ["PART_OF"], "out", ["ResidentGroup"])}
            for g in groups:
                out[g] = out.get(g, 0) + 1
        return out


def middle_weakening(store: GraphStore, community: str | None = None,
                     as_of: dt.date | str | None = None,
                     thresholds: Thresholds | None = None) -> MiddleWeakening:
    """Weak branches, hollow groups and the gaps between committee and groups.

    ``community`` restricts the report to one community (its id); raises
    NodeNotFound for an unknown id and InvalidParameter for a node that is not one.
    """
    t = thresholds or Thresholds()
    day = day_of(as_of)
    if community is not None and "Community" not in store.get_node(community).labels:
        raise InvalidParameter(f"{community!r} is not a community")
    scan = _Scan(store, day, t)

    branches = [scan.branch(b.id) for b in store.nodes("Branch")]
    if community is not None:
        branches = [b for b in branches if b.community and b.community.id == community]

    living = scan.groups_with_party_members()
    groups: list[GroupReport] = []
    for g in store.nodes("ResidentGroup"):
        comm = store.adjacent(g.id, ["PART_OF"], "out", ["Community"])
        comm_id = comm[0].other if comm else None
        if community is not None and comm_id != community:
            continue
        leaders = len(current(store.adjacent(g.id, ["HOLDS_POST"], "in"), day))
        covered = sorted(a.other for a in current(store.adjacent(g.id, ["COVERS"], "in"), day))
        pms = living.get(g.id, 0)
        is_hollow = leaders == 0 and pms == 0 and not covered
        groups.append(GroupReport(group=scan.ref(g.id),
                                  community=scan.ref(comm_id) if comm_id else None,
                                  hollow=is_hollow, leaders=leaders, party_members_living=pms,
                                  covered_by=covered, residents=0))

    weak = [b for b in branches if b.reasons]
    hollow = [g for g in groups if g.hollow]
    residents: dict[str, int] = {}

    def residents_in(gid: str) -> int:
        if gid not in residents:
            residents[gid] = scan.residents_of_group(gid)
        return residents[gid]

    for hg in hollow:
        hg.residents = residents_in(hg.group.id)

    gaps: list[Gap] = []
    for b in weak:
        codes = [r.reason for r in b.reasons]
        affected = sum(residents_in(g.id) for g in b.groups)
        gaps.append(_gap("weak_branch" if b.groups else "no_group", codes, b.committee,
                         b.community, b.branch, b.groups, affected))
    for hg in hollow:
        committee = None
        if hg.community is not None:
            led = store.adjacent(hg.community.id, ["LEADS"], "in", ["Committee"])
            committee = scan.ref(led[0].other) if led else None
        gaps.append(_gap("no_branch", ["hollow", "no_branch"], committee, hg.community, None,
                         [hg.group], hg.residents))
    gaps.sort(key=lambda x: (-x.severity, x.branch.id if x.branch else "",
                             x.groups[0].id if x.groups else ""))
    for i, gap in enumerate(gaps, 1):
        gap.rank = i

    return MiddleWeakening(
        as_of=day, community=community, thresholds=t.__dict__.copy(),
        weak_branches=weak, hollow_groups=hollow, gaps=gaps,
        summary=_summary(store, scan, branches, groups, gaps, community),
    )


def _gap(kind: Literal["weak_branch", "no_group", "no_branch"], codes: list[str],
         committee: NodeRef | None, community: NodeRef | None, branch: NodeRef | None,
         groups: list[NodeRef], affected: int) -> Gap:
    points = sum(REASONS[c][2] for c in codes)
    return Gap(rank=0, severity=round(points + math.log10(1 + affected), 4), kind=kind,
               reasons=codes, reasons_zh=[REASONS[c][0] for c in codes], committee=committee,
               community=community, branch=branch, groups=groups, residents_affected=affected)


def _summary(store: GraphStore, scan: _Scan, branches: list[BranchReport],
             groups: list[GroupReport], gaps: list[Gap],
             community: str | None) -> list[CommunitySummary]:
    out = []
    for c in store.nodes("Community"):
        if community is not None and c.id != community:
            continue
        bs = [b for b in branches if b.community and b.community.id == c.id]
        gs = [g for g in groups if g.community and g.community.id == c.id]
        gp = [g for g in gaps if g.community and g.community.id == c.id]
        nw = sum(1 for b in bs if b.reasons)
        nh = sum(1 for g in gs if g.hollow)
        out.append(CommunitySummary(
            community=scan.ref(c.id), branches=len(bs), weak_branches=nw,
            weak_branch_share=round(nw / len(bs), 4) if bs else 0.0,
            groups=len(gs), hollow_groups=nh,
            hollow_group_share=round(nh / len(gs), 4) if gs else 0.0,
            gaps=len(gp), residents_affected=sum(g.residents_affected for g in gp),
        ))
    return out
