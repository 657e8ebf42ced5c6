"""New–veteran pairing (新老党员结对): an optimal, explainable mentoring plan.

docs/domain.md §5.3. A *new* member joined the party within ``new_years`` (5) of the as-of
date or is aged ``young_age`` (35) or less; a *veteran* joined at least ``veteran_years``
(20) before it. Pairs stay inside one community (the community of the committee the
member's party organisation is under). Each veteran mentors at most ``capacity``;
current ``MENTORS`` are kept and use capacity; ``DO_NOT_PAIR`` is honoured both ways.

The plan maximises, in this order: the number of new members holding a management
post who get a mentor, the number of new members paired, the total score. A pair's
score is 4 for the same branch + 2 for the same resident group + 1 for the same base
grid (so a shared branch outweighs group and grid together). It is solved exactly as
an assignment problem (scipy's ``linear_sum_assignment`` on veteran slots) whose
weights encode the three levels; rows and columns are sorted by id, so ties resolve
the same way every time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel
from scipy.optimize import linear_sum_assignment

from graph.cypher import load_cypher
from graph.errors import Conflict, InvalidParameter, NodeNotFound
from graph.masking import BAND_TOPS, age_band
from graph.model import Rel
from graph.store import CypherStore, GraphReader, GraphStore, runs_cypher
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
    party_level,
    years_before,
)

CYPHER = load_cypher(Path(__file__).with_suffix(".cypher"))

__all__ = ["pairing_proposal", "accept_pairing", "PairingProposal", "Pair", "Unpaired",
           "Objective", "SCORE_PARTS", "UNPAIRED_REASONS"]

#: part of a pair's score -> (points, Chinese, English)
SCORE_PARTS = {
    "same_branch": (4, "同一支部", "same branch"),
    "same_resident_group": (2, "同一居民小组", "same resident group"),
    "same_grid": (1, "同一网格", "same grid"),
}
UNPAIRED_REASONS = {
    "no_veteran_in_community": ("本社区无老党员", "no veteran in the community"),
    "do_not_pair": ("与本社区老党员均不宜结对", "every veteran of the community is on the "
                                           "do-not-pair list with this member"),
    "capacity_exhausted": ("老党员帮带名额已满", "every veteran who could mentor is at capacity"),
    "no_community": ("无法确定所属社区", "the member's community cannot be determined"),
}


class Pair(BaseModel):
    mentor: NodeRef
    mentee: NodeRef
    community: NodeRef
    score: int
    reasons: list[str]
    reasons_zh: list[str]
    mentee_management_post: bool


class Unpaired(BaseModel):
    member: NodeRef
    community: NodeRef | None
    management_post: bool
    reason: str
    reason_zh: str
    message: str


class Objective(BaseModel):
    management_paired: int
    paired: int
    total_score: int


class PairingProposal(BaseModel):
    as_of: str
    community: str | None
    capacity: int
    pairs: list[Pair]
    unpaired: list[Unpaired]
    kept: list[Pair]  # current MENTORS pairs, kept as they are
    objective: Objective
    #: joining dates known only to the month or year that fell on a cutoff (5 or 20
    #: years back): the day taken for them
    assumptions: list[Assumption] = []


@dataclass
class _Member:
    id: str
    community: str | None
    branches: frozenset[str]
    groups: frozenset[str]
    grids: frozenset[str]
    management: bool
    new: bool
    veteran: bool



@dataclass
class _Facts:
    """What pairing needs to know about one party member."""

    id: str
    joined: str | None
    birth: str | None
    memberships: list[tuple[str, tuple[str, ...], str]]  # (organisation, its labels, role)
    groups: set[str]
    grids: set[str]
    posts: int
    mentees: list[str]
    do_not_pair: list[str]
    joined_precision: str | None = None


def _facts(store: GraphReader, day: str) -> list[_Facts]:
    """Each member's facts: with ``pairing.cypher`` on a Cypher store (one round trip),
    else through the store contract."""
    if runs_cypher(store):
        return _cypher_facts(store, day)
    return _reader_facts(store, day)


def _cypher_facts(store: CypherStore, day: str) -> list[_Facts]:
    return [_Facts(r["id"], r["joined"], r["birth"],
                   [(m["org"], tuple(sorted(x for x in m["labels"] if x != "GovNode")),
                     m["role"]) for m in r["memberships"]],
                   set(r["groups"]), set(r["grids"]), r["posts"], r["mentees"],
                   r["do_not_pair"], r["joined_precision"])
            for r in store.read_cypher(CYPHER["member_facts"], day=day)]


def _reader_facts(store: GraphReader, day: str) -> list[_Facts]:
    out = []
    for pm in store.nodes("PartyMember"):
        p = pm.properties
        if p.get("joined_party_on", "") > day:
            continue  # not a party member yet on the day
        homes = [a.other for a in current(store.adjacent(pm.id, ["LIVES_IN"], "out"), day)]
        groups: set[str] = set()
        grids: set[str] = set()
        for b in homes:
            groups.update(a.other for a in store.adjacent(b, ["PART_OF"], "out",
                                                          ["ResidentGroup"]))
            grids.update(a.other for a in store.adjacent(b, ["IN_GRID"], "out", ["Grid"]))
        out.append(_Facts(
            pm.id, p.get("joined_party_on"), p.get("birth_date"),
            [(m.other, m.other_labels, str(m.rel.properties.get("role", "member")))
             for m in current(store.adjacent(pm.id, ["MEMBER_OF"], "out"), day)],
            groups, grids, len(current(store.adjacent(pm.id, ["HOLDS_POST"], "out"), day)),
            [a.other for a in current(store.adjacent(pm.id, ["MENTORS"], "out"), day)],
            [a.other for a in store.adjacent(pm.id, ["DO_NOT_PAIR"], "out")],
            p.get("joined_party_on_precision")))
    return out


def _young_test(d: dt.date, young_age: int, bands: bool) -> Callable[[str | None], bool]:
    """Whether a birth date makes a member young on ``d``: aged ``young_age`` or less,
    exactly; or, with ``bands``, from the age band today alone (all a masked caller may
    learn, whatever ``as_of`` and ``young_age`` it tries): the band's top, moved by the
    whole years between ``d`` and today, is at most ``young_age``."""
    if not bands:
        born_after = years_before(d, young_age + 1)  # aged <= young_age on the day
        return lambda birth: birth is not None and birth > born_after
    today = dt.date.today()
    shift = today.year - d.year - ((today.month, today.day) < (d.month, d.day))
    iso = today.isoformat()

    def young(birth: str | None) -> bool:
        band = age_band(birth, iso)
        return band is not None and band[1] - shift <= young_age
    return young


def _members(store: GraphReader, day: str, new_years: int, veteran_years: int,
             young_age: int, assumed: list[tuple[str, str, str]] | None = None,
             bands: bool = False) -> tuple[dict[str, _Member], list[_Facts]]:
    d = dt.date.fromisoformat(day)
    new_from = years_before(d, new_years)
    veteran_by = years_before(d, veteran_years)
    is_young = _young_test(d, young_age, bands)
    orgs = org_view(store, day)
    committee_cache: dict[str, str | None] = {}
    facts = _facts(store, day)
    out: dict[str, _Member] = {}
    for f in facts:
        community = None
        for org, _labels, _ in sorted(f.memberships, key=lambda m: (party_level(m[1]), m[0])):
            if org not in committee_cache:
                c = committee_of_org(orgs, org, day, alliance=False)
                committee_cache[org] = community_of_committee(orgs, c) if c else None
            community = committee_cache[org]
            if community:
                break
        management = any(role != "member" for _, _, role in f.memberships) or f.posts > 0
        new = (f.joined is not None and new_from <= f.joined <= day) or is_young(f.birth)
        veteran = f.joined is not None and f.joined <= veteran_by and not new
        if f.joined_precision and assumed is not None:  # (who, date, precision)
            assumed.append((f.id, f.joined or "", f.joined_precision))
        out[f.id] = _Member(f.id, community,
                            frozenset(o for o, labels, _ in f.memberships if "Branch" in labels),
                            frozenset(f.groups), frozenset(f.grids), management, new, veteran)
    return out, facts


def _score(a: _Member, b: _Member) -> tuple[int, list[str]]:
    parts = []
    if a.branches & b.branches:
        parts.append("same_branch")
    if a.groups & b.groups:
        parts.append("same_resident_group")
    if a.grids & b.grids:
        parts.append("same_grid")
    return sum(SCORE_PARTS[p][0] for p in parts), parts


def pairing_proposal(store: GraphReader, community: str | None = None, capacity: int = 2,
                     as_of: dt.date | str | None = None, new_years: int = 5,
                     veteran_years: int = 20, young_age: int = 35, birth_bands: bool = False
                     ) -> PairingProposal:
    """The optimal pairing of new members with veterans, per community. With
    ``birth_bands`` (every caller who sees birth dates masked) ages are taken from the
    age band today, and ``young_age`` must be a band's top (:data:`BAND_TOPS`), so no
    choice of ``as_of`` or ``young_age`` tells more of a birth date than the band."""
    for name, value, hi in (("capacity", capacity, 50), ("new_years", new_years, 100),
                            ("veteran_years", veteran_years, 100), ("young_age", young_age, 150)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= hi:
            raise InvalidParameter(f"{name}={value!r} must be an integer from 0 to {hi}")
    if birth_bands and young_age not in BAND_TOPS:
        raise InvalidParameter(
            f"young_age={young_age} must be an age band's top "
            f"({', '.join(map(str, BAND_TOPS))}): birth dates are masked to age bands")
    day = day_of(as_of)
    if community is not None and "Community" not in store.get_node(community).labels:
        raise InvalidParameter(f"{community!r} is not a community")
    schema = store.schema
    partial: list[tuple[str, str, str]] = []
    members, facts = _members(store, day, new_years, veteran_years, young_age, partial,
                              birth_bands)
    found = store.get_nodes(sorted({*members, *(m.community for m in members.values()
                                                 if m.community)}))
    refs = {i: node_ref(schema, n) for i, n in found.items()}

    def ref(nid: str) -> NodeRef:
        return refs[nid]

    # Current mentoring and the do-not-pair list.
    used: dict[str, int] = defaultdict(int)
    mentored: set[str] = set()
    kept: list[Pair] = []
    forbid: set[tuple[str, str]] = set()
    for f in facts:
        m = members[f.id]
        for other in f.mentees:
            used[m.id] += 1
            mentored.add(other)
            mentee = members.get(other)
            if mentee is not None and (community is None or m.community == community):
                score, parts = _score(m, mentee)
                kept.append(_pair(ref, m, mentee, score, parts))
        for other in f.do_not_pair:
            forbid.add((m.id, other))
            forbid.add((other, m.id))

    by_comm: dict[str | None, tuple[list[_Member], list[_Member]]] = defaultdict(
        lambda: ([], []))
    for m in sorted(members.values(), key=lambda m: m.id):
        if community is not None and m.community != community:
            continue
        if m.new and m.id not in mentored:
            by_comm[m.community][0].append(m)
        elif m.veteran:
            by_comm[m.community][1].append(m)

    pairs: list[Pair] = []
    unpaired: list[Unpaired] = []
    for comm in sorted(by_comm, key=lambda c: c or ""):
        new, vets = by_comm[comm]
        if not new:
            continue
        if comm is None:
            unpaired += [_unpaired(ref, m, "no_community") for m in new]
            continue
        slots = [v for v in vets for _ in range(max(0, capacity - used[v.id]))]
        matched: dict[str, tuple[_Member, int, list[str]]] = {}
        if slots:
            n = len(new)
            w2 = 8 * n + 1  # more than any total of scores (each <= 7)
            w1 = w2 * (n + 1)  # more than any number of pairs at weight w2
            weight = np.zeros((n, len(slots)))
            cache: dict[tuple[str, str], tuple[int, list[str]]] = {}
            for i, m in enumerate(new):
                for j, v in enumerate(slots):
                    if (m.id, v.id) in forbid:
                        continue
                    if (m.id, v.id) not in cache:
                        cache[(m.id, v.id)] = _score(m, v)
                    weight[i, j] = w1 * m.management + w2 + cache[(m.id, v.id)][0]
            rows, cols = linear_sum_assignment(weight, maximize=True)
            for i, j in zip(rows, cols, strict=True):
                if weight[i, j] > 0:
                    score, parts = cache[(new[i].id, slots[j].id)]
                    matched[new[i].id] = (slots[j], score, parts)
        for m in new:
            if m.id in matched:
                v, score, parts = matched[m.id]
                pairs.append(_pair(ref, v, m, score, parts))
            elif not vets:
                unpaired.append(_unpaired(ref, m, "no_veteran_in_community"))
            elif all((m.id, v.id) in forbid for v in vets):
                unpaired.append(_unpaired(ref, m, "do_not_pair"))
            else:
                unpaired.append(_unpaired(ref, m, "capacity_exhausted"))

    pairs.sort(key=lambda p: (p.community.id, p.mentor.id, p.mentee.id))
    kept.sort(key=lambda p: (p.community.id, p.mentor.id, p.mentee.id))
    objective = Objective(
        management_paired=sum(p.mentee_management_post for p in pairs),
        paired=len(pairs), total_score=sum(p.score for p in pairs))
    cutoffs = (years_before(dt.date.fromisoformat(day), new_years),
               years_before(dt.date.fromisoformat(day), veteran_years))
    assumed = [a for who, joined, precision in sorted(partial)
               if community is None or members[who].community == community
               if (a := assumed_day(ref(who), "joined_party_on", joined, precision, cutoffs))]
    return PairingProposal(as_of=day, community=community, capacity=capacity, pairs=pairs,
                           unpaired=unpaired, kept=kept, objective=objective,
                           assumptions=assumed)


def _pair(ref, mentor: _Member, mentee: _Member, score: int,  # type: ignore[no-untyped-def]
          parts: list[str]) -> Pair:
    return Pair(mentor=ref(mentor.id), mentee=ref(mentee.id),
                community=ref(mentee.community or mentor.community), score=score,
                reasons=parts or ["same_community"],
                reasons_zh=[SCORE_PARTS[p][1] for p in parts] or ["同一社区"],
                mentee_management_post=mentee.management)


def _unpaired(ref, m: _Member, reason: str) -> Unpaired:  # type: ignore[no-untyped-def]
    zh, en = UNPAIRED_REASONS[reason]
    return Unpaired(member=ref(m.id), community=ref(m.community) if m.community else None,
                    management_post=m.management, reason=reason, reason_zh=zh, message=en)


def accept_pairing(store: GraphStore, pairs: list[tuple[str, str]],
                   since: dt.date | str | None = None,
                   scores: dict[tuple[str, str], float] | None = None) -> int:
    """Write ``MENTORS`` (mentor → mentee) with ``since`` for accepted pairs.

    Refuses (nothing written) an unknown id (NodeNotFound), and (Conflict) anyone who is
    not a party member, a pair on the do-not-pair list or a mentor paired with themself.
    """
    day = day_of(since)
    rels = []
    people = store.get_nodes({x for pair in pairs for x in pair})
    for mentor, mentee in pairs:
        for who in (mentor, mentee):
            if who not in people:
                raise NodeNotFound(who)
            if "PartyMember" not in people[who].labels:
                raise Conflict(f"{who!r} is not a party member")
        if mentor == mentee:
            raise Conflict(f"{mentor!r} cannot mentor themself")
        dnp = {a.other for a in store.adjacent(mentor, ["DO_NOT_PAIR"])}
        if mentee in dnp:
            raise Conflict(f"{mentor!r} and {mentee!r} are on the do-not-pair list")
        props: dict[str, object] = {"since": day}
        if scores and (mentor, mentee) in scores:
            props["score"] = float(scores[(mentor, mentee)])
        rels.append(Rel("MENTORS", mentor, mentee, props, f"MENTORS:{mentor}->{mentee}:{day}"))
    store.upsert([], rels)
    return len(rels)
