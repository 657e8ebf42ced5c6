"""New–veteran pairing: hand-checked cases, a greedy trap, and brute force."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from graph.errors import Conflict, InvalidParameter, NodeNotFound
from graph.store import GraphStore
from queries.pairing import PairingProposal, accept_pairing, pairing_proposal
from tests.graphs import node, rel

DAY = "2024-06-30"
NEW = "2022-07-01"  # joined 2 years before DAY
VET = "1990-07-01"  # joined 34 years before DAY
MID = "2012-07-01"  # neither new nor veteran


class Street:
    """A builder for small streets: communities, branches, groups, grids, members."""

    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = [node("pwc", "WorkingCommittee")]
        self.rels: list[dict[str, Any]] = []

    def community(self, c: str) -> None:
        self.nodes += [node(c, "Community"), node(f"cc-{c}", "Committee")]
        self.rels += [rel("LEADS", f"cc-{c}", c), rel("SUB_ORG_OF", f"cc-{c}", "pwc")]

    def branch(self, b: str, c: str) -> None:
        self.nodes.append(node(b, "Branch"))
        self.rels.append(rel("SUB_ORG_OF", b, f"cc-{c}"))

    def home(self, bld: str, group: str, grid: str, c: str) -> None:
        for nid, lab, extra in ((group, "ResidentGroup", {}), (grid, "Grid", {"kind": "base"})):
            if all(n["id"] != nid for n in self.nodes):
                self.nodes.append(node(nid, lab, **extra))
                self.rels.append(rel("PART_OF", nid, c) if lab == "ResidentGroup"
                                 else rel("IN", nid, c))
        self.nodes.append(node(bld, "Building"))
        self.rels += [rel("PART_OF", bld, group), rel("IN_GRID", bld, grid)]

    def member(self, m: str, branch: str, joined: str, role: str = "member",
               home: str | None = None, born: str = "1960-01-01") -> None:
        self.nodes.append(node(m, "PartyMember", joined_party_on=joined, birth_date=born))
        self.rels.append(rel("MEMBER_OF", m, branch, role=role, since=joined))
        if home:
            self.rels.append(rel("LIVES_IN", m, home))

    def load(self, store: GraphStore) -> GraphStore:
        store.upsert(self.nodes, self.rels)
        return store


def pairs_of(p: PairingProposal) -> set[tuple[str, str]]:
    return {(x.mentor.id, x.mentee.id) for x in p.pairs}


def test_greedy_by_score_fails_where_the_optimum_pairs_everyone(store: GraphStore) -> None:
    s = Street()
    s.community("c")
    s.branch("b1", "c")
    s.branch("b2", "c")
    s.member("V1", "b1", VET)
    s.member("V2", "b2", VET)
    s.member("N1", "b2", NEW, role="deputy")  # management post
    s.member("N2", "b1", NEW)
    s.rels.append(rel("DO_NOT_PAIR", "V2", "N1", reason="亲属"))
    s.load(store)

    # Greedy by score: N2–V1 share a branch (4), taken first; N1 may only pair with V1.
    scores = {("V1", "N2"): 4, ("V1", "N1"): 0, ("V2", "N2"): 0}
    cap = {"V1": 1, "V2": 1}
    greedy: dict[str, str] = {}
    for (v, n), _ in sorted(scores.items(), key=lambda kv: -kv[1]):
        if cap[v] and n not in greedy:
            greedy[n] = v
            cap[v] -= 1
    assert "N1" not in greedy

    p = pairing_proposal(store, capacity=1, as_of=DAY)
    assert pairs_of(p) == {("V1", "N1"), ("V2", "N2")} and p.unpaired == []
    assert p.objective.model_dump() == {"management_paired": 1, "paired": 2, "total_score": 0}
    n1 = next(x for x in p.pairs if x.mentee.id == "N1")
    assert n1.mentee_management_post and n1.reasons == ["same_community"]


def scored_street() -> Street:
    """V1–N1 share branch and group (6); V2–N2 branch, group and grid (7)."""
    s = Street()
    s.community("c")
    s.branch("b1", "c")
    s.branch("b2", "c")
    s.home("h1", "g1", "grid1", "c")
    s.home("h2", "g1", "grid2", "c")
    s.home("h3", "g2", "grid1", "c")
    s.member("V1", "b1", VET, home="h1")
    s.member("N1", "b1", NEW, home="h2")  # same branch + same group = 6
    s.member("V2", "b2", VET, home="h3")
    s.member("N2", "b2", NEW, home="h3")  # same branch, group and grid = 7
    return s


def test_scores_and_reasons(store: GraphStore) -> None:
    scored_street().load(store)
    p = pairing_proposal(store, capacity=1, as_of=DAY)
    got = {(x.mentor.id, x.mentee.id): (x.score, x.reasons) for x in p.pairs}
    assert got == {("V1", "N1"): (6, ["same_branch", "same_resident_group"]),
                   ("V2", "N2"): (7, ["same_branch", "same_resident_group", "same_grid"])}
    assert p.objective.total_score == 13
    assert next(x for x in p.pairs if x.mentee.id == "N1").reasons_zh == ["同一支部",
                                                                           "同一居民小组"]


def test_unpaired_reasons_existing_pairs_and_capacity(store: GraphStore) -> None:
    s = Street()
    for c in ("cA", "cB"):
        s.community(c)
        s.branch(f"b-{c}", c)
    # cA: one veteran, capacity 2, already mentors K1; N1 gets the last slot, N2 none.
    s.member("VA", "b-cA", VET)
    s.member("K1", "b-cA", NEW)
    s.member("N1", "b-cA", NEW, role="secretary")
    s.member("N2", "b-cA", NEW)
    s.member("N3", "b-cA", NEW)
    s.rels += [rel("MENTORS", "VA", "K1", since="2023-01-01", score=4.0),
               rel("DO_NOT_PAIR", "N3", "VA")]
    # cB: new members only; a veteran of cA must not cross over.
    s.member("NB", "b-cB", NEW)
    s.member("MB", "b-cB", MID)  # neither new nor veteran
    s.load(store)
    p = pairing_proposal(store, capacity=2, as_of=DAY)
    assert pairs_of(p) == {("VA", "N1")}  # the management post wins the last slot
    assert [(k.mentor.id, k.mentee.id) for k in p.kept] == [("VA", "K1")]
    assert {(u.member.id, u.reason) for u in p.unpaired} == {
        ("N2", "capacity_exhausted"), ("N3", "do_not_pair"), ("NB", "no_veteran_in_community")}
    nb = next(u for u in p.unpaired if u.member.id == "NB")
    assert nb.community is not None
    assert nb.reason_zh == "本社区无老党员" and nb.community.id == "cB"
    # Filtering by community.
    pa = pairing_proposal(store, community="cB", capacity=2, as_of=DAY)
    assert pa.pairs == [] and [u.member.id for u in pa.unpaired] == ["NB"]


def test_young_members_are_new_and_as_of_moves(store: GraphStore) -> None:
    s = Street()
    s.community("c")
    s.branch("b", "c")
    s.member("V", "b", VET)
    s.member("Y", "b", MID, born="1990-01-01")  # joined 12 years ago but aged 34
    s.member("N", "b", "2020-01-01")  # joined 4.5 years before DAY
    s.load(store)
    assert pairs_of(pairing_proposal(store, as_of=DAY)) == {("V", "Y"), ("V", "N")}
    # Two years later N is no longer new, and Y is 36.
    assert pairs_of(pairing_proposal(store, as_of="2026-06-30")) == set()
    # In 2009 Y (aged 19) and N had not joined the party yet: nobody to pair.
    p = pairing_proposal(store, as_of="2009-06-30")
    assert p.pairs == [] and p.unpaired == []
    # In 2013 Y (joined 2012) is new; with veterans defined as 25 years in the party,
    # V (23 years) is none.
    p = pairing_proposal(store, as_of="2013-06-30", veteran_years=25)
    assert [(u.member.id, u.reason) for u in p.unpaired] == [("Y", "no_veteran_in_community")]


def test_accept_writes_mentors_with_since(store: GraphStore) -> None:
    s = Street()
    s.community("c")
    s.branch("b", "c")
    s.member("V", "b", VET)
    s.member("N", "b", NEW)
    s.member("X", "b", NEW)
    s.rels.append(rel("DO_NOT_PAIR", "V", "X"))
    s.load(store)
    p = pairing_proposal(store, capacity=1, as_of=DAY)
    assert accept_pairing(store, [(x.mentor.id, x.mentee.id) for x in p.pairs], since=DAY,
                          scores={("V", "N"): 4.0}) == 1
    [m] = store.neighbours("V", ["MENTORS"], "out")
    assert (m.node.id, m.rel.properties) == ("N", {"since": DAY, "score": 4.0})
    again = pairing_proposal(store, capacity=1, as_of=DAY)
    assert again.pairs == [] and [(k.mentor.id, k.mentee.id) for k in again.kept] == [("V", "N")]
    with pytest.raises(Conflict, match="do-not-pair"):
        accept_pairing(store, [("X", "V")])
    with pytest.raises(Conflict, match="not a party member"):
        accept_pairing(store, [("V", "b")])  # a branch
    with pytest.raises(NodeNotFound):
        accept_pairing(store, [("V", "nobody")])
    with pytest.raises(InvalidParameter, match="capacity"):
        pairing_proposal(store, capacity=-1)


def brute_force(new: list[dict[str, Any]], vets: list[dict[str, Any]], capacity: int,
                forbid: set[tuple[str, str]]) -> tuple[int, int, int]:
    """Best (management paired, paired, total score) over every assignment."""
    def score(a: dict[str, Any], b: dict[str, Any]) -> int:
        return int(4 * (a["branch"] == b["branch"]) + 2 * (a["group"] == b["group"]) + (
            a["grid"] == b["grid"]))

    best = (0, 0, 0)
    choices = [[None] + [v for v in vets if v["community"] == n["community"]
                         and (n["id"], v["id"]) not in forbid] for n in new]
    for combo in itertools.product(*choices):
        load: dict[str, int] = {}
        ok = True
        for v in combo:
            if v is not None:
                load[v["id"]] = load.get(v["id"], 0) + 1
                ok &= load[v["id"]] <= capacity
        if not ok:
            continue
        val = (sum(1 for n, v in zip(new, combo, strict=True) if v and n["mgmt"]),
               sum(1 for v in combo if v),
               sum(score(n, v) for n, v in zip(new, combo, strict=True) if v))
        best = max(best, val)
    return best


@pytest.mark.parametrize("seed", range(25))
def test_objective_equals_brute_force(store: GraphStore, seed: int) -> None:
    rng = random.Random(seed)
    s = Street()
    comms = ["c1", "c2"][: rng.randint(1, 2)]
    people: list[dict[str, Any]] = []
    for c in comms:
        s.community(c)
        for b in range(2):
            s.branch(f"{c}-b{b}", c)
        for h in range(3):
            s.home(f"{c}-h{h}", f"{c}-g{h % 2}", f"{c}-grid{h // 2}", c)
    n_new, n_vet = rng.randint(2, 6), rng.randint(1, 3)
    for i in range(n_new + n_vet):
        c = rng.choice(comms)
        b, h = rng.randrange(2), rng.randrange(3)
        is_new = i < n_new
        mgmt = is_new and rng.random() < 0.4
        pid = f"{'n' if is_new else 'v'}{i}"
        s.member(pid, f"{c}-b{b}", NEW if is_new else VET, role="committee" if mgmt else
                 "member", home=f"{c}-h{h}")
        people.append({"id": pid, "community": c, "branch": b, "group": h % 2, "grid": h // 2,
                       "mgmt": mgmt, "new": is_new})
    new = [p for p in people if p["new"]]
    vets = [p for p in people if not p["new"]]
    forbid: set[tuple[str, str]] = set()
    for n in new:
        for v in vets:
            if rng.random() < 0.2:
                s.rels.append(rel("DO_NOT_PAIR", v["id"], n["id"]))
                forbid.add((n["id"], v["id"]))
    capacity = rng.randint(1, 2)
    s.load(store)
    p = pairing_proposal(store, capacity=capacity, as_of=DAY)
    got = (p.objective.management_paired, p.objective.paired, p.objective.total_score)
    assert got == brute_force(new, vets, capacity, forbid)
    assert all((x.mentee.id, x.mentor.id) not in forbid for x in p.pairs)
    per_vet: dict[str, int] = {}
    for x in p.pairs:
        per_vet[x.mentor.id] = per_vet.get(x.mentor.id, 0) + 1
    assert max(per_vet.values(), default=0) <= capacity


def test_alliance_members_do_not_belong_to_the_community(store: GraphStore) -> None:
    s = Street()
    s.community("c")
    s.branch("b", "c")
    s.nodes.append(node("unit-org", "Branch"))
    s.rels.append(rel("ALLIANCE_MEMBER", "unit-org", "cc-c"))  # regional alliance only
    s.member("V", "b", VET)
    s.member("U", "unit-org", NEW)
    s.load(store)
    p = pairing_proposal(store, as_of=DAY)
    assert p.pairs == [] and [(u.member.id, u.reason) for u in p.unpaired] == [
        ("U", "no_community")]


def test_a_joining_date_known_to_the_month_on_a_cutoff_is_an_assumption(
        store: GraphStore) -> None:
    """As of 2024-06-30 a new member joined on or after 2019-06-30. n1 joined "2019.06"
    (stored as 2019-06-01, to the month): taken as 2019-06-01 she is not new — the
    proposal says it assumed so. n2 joined "2019.07": new either way, nothing said;
    v1 joined "2004.06" (the veteran cutoff is 2004-06-30): a veteran, assumed."""
    s = Street()
    s.community("c1")
    s.branch("b1", "c1")
    s.member("n1", "b1", "2019.06", born="1960-01-01")
    s.member("n2", "b1", "2019.07", born="1960-01-01")
    s.member("v1", "b1", "2004.06")
    s.load(store)
    p = pairing_proposal(store, as_of=DAY)
    assert pairs_of(p) == {("v1", "n2")}
    got = [(a.node.id, a.given, a.assumed, a.cutoff) for a in p.assumptions]
    assert got == [("n1", "2019-06", "2019-06-01", "2019-06-30"),
                   ("v1", "2004-06", "2004-06-01", "2004-06-30")]
    # a node as answers show it: redaction and the audit see the member
    assert "PartyMember" in p.assumptions[0].node.labels
    assert p.assumptions[0].message_zh == (
        "入党日期只知道到 2019-06，按 2019-06-01 计（与 2019-06-30 比较）")
