"""Middle weakening (中间弱化): weak branches and hollow resident groups.

docs/domain.md §5.2, with every threshold a parameter. For each branch:

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
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from graph.cypher import load_cypher
from graph.errors import InvalidParameter
from graph.store import CypherStore, GraphReader, runs_cypher
from queries.common import (
    Assumption,
    NodeRef,
    assumed_day,
    committee_of_org,
    community_of_committee,
    current,
    day_of,
    node_ref,
    org_view,
    years_before,
)

CYPHER = load_cypher(Path(__file__).with_suffix(".cypher"))

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
    #: the street the report is restricted to (its communities), if any
    street: str | None = None
    thresholds: dict[str, int]
    weak_branches: list[BranchReport]
    hollow_groups: list[GroupReport]
    gaps: list[Gap]
    summary: list[CommunitySummary]
    #: a branch's newest joining date known only to the month or year, on the cutoff
    #: of no_new_members: the day taken for it
    assumptions: list[Assumption] = []



@dataclass
class _BranchFacts:
    id: str
    committee: str | None
    community: str | None
    members: int
    full_members: int
    secretary: str | None
    last_activity: str | None
    newest: str | None
    groups: list[str]
    embedded: bool
    newest_precision: str | None = None


@dataclass
class _GroupFacts:
    id: str
    community: str | None
    leaders: int
    party_members_living: int
    covered_by: list[str]


class _Facts:
    """What the rules look at, gathered through the store contract (any reader);
    :class:`_CypherFacts` gathers the same on a Cypher store."""

    def __init__(self, store: GraphReader, day: str) -> None:
        self.store, self.day = store, day
        self.hierarchy = org_view(store, day)
        self._community: dict[str, str | None] = {}

    def community_of(self, committee: str | None) -> str | None:
        if committee is None:
            return None
        if committee not in self._community:
            self._community[committee] = community_of_committee(self.hierarchy, committee)
        return self._community[committee]

    def committee_of_community(self, community: str) -> str | None:
        led = self.hierarchy.adjacent(community, ["LEADS"], "in", ["Committee"])
        return led[0].other if led else None

    def branches(self, within: set[str] | None = None) -> list[_BranchFacts]:
        st, day = self.store, self.day
        out = []
        for b in st.nodes("Branch"):
            bid = b.id
            committee = committee_of_org(st, bid, day)
            members = current(st.adjacent(bid, ["MEMBER_OF"], "in"), day)
            people = st.get_nodes(a.other for a in members)
            full = sum(1 for a in members
                       if people[a.other].properties.get("full_member") is True)
            secretaries = sorted(a.other for a in members
                                 if a.rel.properties.get("role") == "secretary")
            joined = [(j, people[a.other].properties.get("joined_party_on_precision") or "")
                      for a in members
                      if (j := people[a.other].properties.get("joined_party_on")) and j <= day]
            newest = max(joined, default=(None, None))
            held = st.adjacent(bid, ["HELD"], "out", ["Activity"])
            acts = st.get_nodes(a.other for a in held)
            dates = [d for a in held if (d := acts[a.other].properties.get("date")) and d <= day]
            groups = sorted(a.other for a in current(st.adjacent(bid, ["COVERS"], "out"), day))
            out.append(_BranchFacts(
                bid, committee, self.community_of(committee), len(members), full,
                secretaries[0] if secretaries else None, max(dates, default=None),
                newest[0], groups, bool(st.adjacent(bid, ["EMBEDDED_IN"], "out")),
                newest[1] or None))
        return out

    def groups(self, within: set[str] | None = None) -> list[_GroupFacts]:
        st, day = self.store, self.day
        living: dict[str, int] = {}
        for pm in st.nodes("PartyMember"):
            homes = current(st.adjacent(pm.id, ["LIVES_IN"], "out"), day)
            for gid in {a.other for h in homes
                        for a in st.adjacent(h.other, ["PART_OF"], "out", ["ResidentGroup"])}:
                living[gid] = living.get(gid, 0) + 1
        out = []
        for group in st.nodes("ResidentGroup"):
            gid = group.id
            comm = st.adjacent(gid, ["PART_OF"], "out", ["Community"])
            out.append(_GroupFacts(
                gid, comm[0].other if comm else None,
                len(current(st.adjacent(gid, ["HOLDS_POST"], "in"), day)), living.get(gid, 0),
                sorted(a.other for a in current(st.adjacent(gid, ["COVERS"], "in"), day))))
        return out

    def residents(self, group_ids: list[str]) -> dict[str, int]:
        st, day = self.store, self.day
        out = {}
        for gid in group_ids:
            n = 0
            for b in st.adjacent(gid, ["PART_OF"], "in", ["Building"]):
                n += len(current(st.adjacent(b.other, ["LIVES_IN"], "in", ["Resident"]), day))
            out[gid] = n
        return out


class _CypherFacts(_Facts):
    """The same facts with the Cypher of ``middle_weakening.cypher``: one round trip
    each instead of a walk per node."""

    def __init__(self, store: CypherStore, day: str) -> None:
        super().__init__(store, day)
        self.cypher = store

    # ``within``: the communities asked about; the Cypher keeps the branches and groups
    # that may be theirs (a superset: the Python rules decide), so a question about one
    # street of a district does not fetch the district
    def branches(self, within: set[str] | None = None) -> list[_BranchFacts]:
        out = []
        for r in self.cypher.read_cypher(CYPHER["branch_facts"], day=self.day,
                                         communities=_listed(within)):
            committee = committee_of_org(self.hierarchy, r["id"], self.day)
            out.append(_BranchFacts(r["id"], committee, self.community_of(committee),
                                    r["members"], r["full_members"], r["secretary"],
                                    r["last_activity"], r["newest"], sorted(r["groups"]),
                                    r["embedded"], r["newest_precision"]))
        return out

    def groups(self, within: set[str] | None = None) -> list[_GroupFacts]:
        return [_GroupFacts(r["id"], r["community"], r["leaders"], r["party_members_living"],
                            sorted(r["covered"]))
                for r in self.cypher.read_cypher(CYPHER["group_facts"], day=self.day,
                                                 communities=_listed(within))]

    def residents(self, group_ids: list[str]) -> dict[str, int]:
        return {r["id"]: r["residents"] for r in self.cypher.read_cypher(
            CYPHER["group_residents"], ids=group_ids, day=self.day)}


def _listed(within: set[str] | None) -> list[str] | None:
    return None if within is None else sorted(within)


def _facts(store: GraphReader, day: str) -> _Facts:
    return _CypherFacts(store, day) if runs_cypher(store) else _Facts(store, day)


def street_communities(store: GraphReader, street: str) -> set[str]:
    """The communities of a street (``PART_OF`` it); InvalidParameter for a node that is
    not a street, NodeNotFound for an unknown id."""
    if "Street" not in store.get_node(street).labels:
        raise InvalidParameter(f"{street!r} is not a street")
    return {a.other for a in store.adjacent(street, ["PART_OF"], "in", ["Community"])}


def middle_weakening(store: GraphReader, community: str | None = None,
                     as_of: dt.date | str | None = None,
                     thresholds: Thresholds | None = None,
                     street: str | None = None) -> MiddleWeakening:
    """Weak branches, hollow groups and the gaps between committee and groups.

    ``community`` restricts the report to one community (its id), ``street`` to the
    communities of one street (a district's graph holds several); raises NodeNotFound
    for an unknown id and InvalidParameter for a node that is not one, or a community
    not in the street. On Neo4j the facts come from ``middle_weakening.cypher``.
    """
    t = thresholds or Thresholds()
    day = day_of(as_of)
    if community is not None and "Community" not in store.get_node(community).labels:
        raise InvalidParameter(f"{community!r} is not a community")
    within: set[str] | None = None
    if street is not None:
        within = street_communities(store, street)
        if community is not None and community not in within:
            raise InvalidParameter(f"community {community!r} is not in street {street!r}")
    if community is not None:
        within = {community}
    d = dt.date.fromisoformat(day)
    activity_from = (d - dt.timedelta(days=t.inactive_days)).isoformat()
    joined_from = years_before(d, t.new_member_years)
    facts = _facts(store, day)
    bfacts = [b for b in facts.branches(within) if within is None or b.community in within]
    gfacts = [g for g in facts.groups(within) if within is None or g.community in within]
    communities = [c.id for c in store.nodes("Community") if within is None or c.id in within]
    committees = {c: facts.committee_of_community(c) for c in communities}
    for g in gfacts:
        if g.community and g.community not in committees:
            committees[g.community] = facts.committee_of_community(g.community)

    ids = {x for b in bfacts for x in (b.id, b.committee, b.community, b.secretary, *b.groups)
           if x}
    ids |= {x for g in gfacts for x in (g.id, g.community) if x}
    ids |= {x for x in [*committees, *committees.values()] if x}
    found = store.get_nodes(sorted(ids))
    refs = {i: node_ref(store.schema, n) for i, n in found.items()}

    def ref(i: str | None) -> NodeRef | None:
        return refs[i] if i else None

    branches = []
    assumed: list[Assumption] = []
    for b in bfacts:
        flags: list[tuple[str, str]] = []
        if b.secretary is None:
            flags.append(("no_secretary", "no current member has the role secretary"))
        if b.full_members < t.min_full_members:
            flags.append(("too_few_members",
                          f"{b.full_members} full member(s), fewer than {t.min_full_members}"))
        if b.members > t.max_members:
            flags.append(("too_many_members",
                          f"{b.members} members, more than {t.max_members}"))
        if not b.embedded and not b.groups:
            flags.append(("no_resident_group",
                          "a community branch that covers no resident group"))
        if b.last_activity is None or b.last_activity <= activity_from:
            flags.append(("inactive", f"last activity {b.last_activity or 'never'}; "
                                      f"none after {activity_from}"))
        if b.newest is None or b.newest < joined_from:
            flags.append(("no_new_members", f"newest member joined {b.newest or 'never'}; "
                                            f"none since {joined_from}"))
        a = assumed_day(refs[b.id], "joined_party_on", b.newest, b.newest_precision,
                        [joined_from])
        if a is not None:
            assumed.append(a)
        reasons = [Reason(reason=code, message_zh=REASONS[code][0], message=REASONS[code][1],
                          detail=detail) for code, detail in flags]
        branches.append(BranchReport(
            branch=refs[b.id], committee=ref(b.committee), community=ref(b.community),
            community_branch=not b.embedded, members=b.members, full_members=b.full_members,
            secretary=ref(b.secretary), last_activity=b.last_activity,
            newest_joined_party_on=b.newest, groups=[refs[g] for g in b.groups],
            reasons=reasons))

    groups = [GroupReport(group=refs[g.id], community=ref(g.community),
                          hollow=g.leaders == 0 and g.party_members_living == 0
                          and not g.covered_by,
                          leaders=g.leaders, party_members_living=g.party_members_living,
                          covered_by=g.covered_by, residents=0) for g in gfacts]
    weak = [b for b in branches if b.reasons]
    hollow = [g for g in groups if g.hollow]
    need = sorted({g.group.id for g in hollow} | {x.id for b in weak for x in b.groups})
    residents = facts.residents(need) if need else {}
    for hg in hollow:
        hg.residents = residents.get(hg.group.id, 0)

    gaps: list[Gap] = []
    for wb in weak:
        codes = [r.reason for r in wb.reasons]
        affected = sum(residents.get(x.id, 0) for x in wb.groups)
        gaps.append(_gap("weak_branch" if wb.groups else "no_group", codes, wb.committee,
                         wb.community, wb.branch, wb.groups, affected))
    for hg in hollow:
        committee = committees.get(hg.community.id) if hg.community else None
        gaps.append(_gap("no_branch", ["hollow", "no_branch"], ref(committee), hg.community,
                         None, [hg.group], hg.residents))
    gaps.sort(key=lambda x: (-x.severity, x.branch.id if x.branch else "",
                             x.groups[0].id if x.groups else ""))
    for i, gap in enumerate(gaps, 1):
        gap.rank = i

    return MiddleWeakening(
        as_of=day, community=community, street=street, thresholds=t.__dict__.copy(),
        weak_branches=weak, hollow_groups=hollow, gaps=gaps,
        summary=_summary(communities, refs, branches, groups, gaps), assumptions=assumed,
    )


def _gap(kind: Literal["weak_branch", "no_group", "no_branch"], codes: list[str],
         committee: NodeRef | None, community: NodeRef | None, branch: NodeRef | None,
         groups: list[NodeRef], affected: int) -> Gap:
    points = sum(REASONS[c][2] for c in codes)
    return Gap(rank=0, severity=round(points + math.log10(1 + affected), 4), kind=kind,
               reasons=codes, reasons_zh=[REASONS[c][0] for c in codes], committee=committee,
               community=community, branch=branch, groups=groups, residents_affected=affected)


def _summary(communities: list[str], refs: dict[str, NodeRef], branches: list[BranchReport],
             groups: list[GroupReport], gaps: list[Gap]) -> list[CommunitySummary]:
    out = []
    for cid in communities:
        bs = [b for b in branches if b.community and b.community.id == cid]
        gs = [g for g in groups if g.community and g.community.id == cid]
        gp = [g for g in gaps if g.community and g.community.id == cid]
        nw = sum(1 for b in bs if b.reasons)
        nh = sum(1 for g in gs if g.hollow)
        out.append(CommunitySummary(
            community=refs[cid], branches=len(bs), weak_branches=nw,
            weak_branch_share=round(nw / len(bs), 4) if bs else 0.0,
            groups=len(gs), hollow_groups=nh,
            hollow_group_share=round(nh / len(gs), 4) if gs else 0.0,
            gaps=len(gp), residents_affected=sum(g.residents_affected for g in gp),
        ))
    return out
