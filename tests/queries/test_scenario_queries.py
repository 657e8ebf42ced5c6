"""The queries on the Xinqiao scenario, checked against what the scenario planted."""

from __future__ import annotations

import random

from graph.store import GraphStore
from queries.leadership_chain import leadership_chain
from queries.lookups import org_members
from queries.middle_weakening import middle_weakening
from queries.pairing import pairing_proposal
from queries.stats import graph_stats
from tests.conftest import SCENARIO_DAY, scenario_planted


def test_exact_counts(xinqiao: GraphStore) -> None:
    st = graph_stats(xinqiao)
    labels = {lc.label: lc.count for lc in st.labels}
    assert (labels["Street"], labels["WorkingCommittee"], labels["Community"]) == (1, 1, 7)
    assert (labels["DeployedStaff"], labels["Department"], labels["Resident"]) == (531, 7, 5000)
    assert {g.kind: g.count for g in st.grids_by_kind} == {
        "base": 357, "security": 23, "fire": 4, "police": 44, "traffic": 7, "sub": 0}
    assert st.two_heads_two_staff == 11_000


def test_middle_weakening_finds_exactly_what_was_planted(xinqiao: GraphStore) -> None:
    planted = scenario_planted(xinqiao)
    r = middle_weakening(xinqiao, as_of=SCENARIO_DAY)
    weak = {b.branch.id: sorted(x.reason for x in b.reasons) for b in r.weak_branches}
    assert weak == {k: sorted(v) for k, v in planted["branches"]["weak"].items()}
    assert not set(weak) & set(planted["branches"]["healthy"])
    hollow = {g.group.id for g in r.hollow_groups}
    assert hollow == set(planted["resident_groups"]["hollow"])
    assert not hollow & set(planted["resident_groups"]["healthy"])
    # every hollow group is a gap with no branch; every weak branch is a gap
    assert {g.groups[0].id for g in r.gaps if g.kind == "no_branch"} == hollow
    assert {g.branch.id for g in r.gaps if g.branch} == set(weak)
    assert [g.rank for g in r.gaps] == list(range(1, len(r.gaps) + 1))
    assert all(a.severity >= b.severity for a, b in zip(r.gaps, r.gaps[1:], strict=False))


def test_leadership_chains_from_random_nodes(xinqiao: GraphStore) -> None:
    planted = scenario_planted(xinqiao)
    no_worker = set(planted["grids_without_worker"])
    rng = random.Random(3)
    buildings = [n.id for n in xinqiao.nodes("Building")]
    for b in rng.sample(buildings, 50):
        c = leadership_chain(xinqiao, b, as_of=SCENARIO_DAY)
        grid = next(s.node.id for s in c.steps if "Grid" in s.node.labels)
        reasons = {x.reason for x in c.breaks if x.node_id == grid}
        assert ("grid_without_worker" in reasons) == (grid in no_worker)
        assert c.reached_top and c.steps[-1].node.label == "WorkingCommittee"
    for g in no_worker:
        c = leadership_chain(xinqiao, g, as_of=SCENARIO_DAY)
        assert c.breaks[0].reason == "grid_without_worker"


def test_pairing_on_the_scenario(xinqiao: GraphStore) -> None:
    p = pairing_proposal(xinqiao, as_of=SCENARIO_DAY)
    assert p.objective.paired == len(p.pairs) > 0
    mentees = [x.mentee.id for x in p.pairs]
    assert len(mentees) == len(set(mentees))
    load: dict[str, int] = {}
    for k in p.kept:
        load[k.mentor.id] = load.get(k.mentor.id, 0) + 1
    for x in p.pairs:
        load[x.mentor.id] = load.get(x.mentor.id, 0) + 1
    assert max(load.values()) <= 2
    # mentor and mentee are members of the same community's party organisations
    for c in {x.community.id for x in p.pairs}:
        committee = xinqiao.adjacent(c, ["LEADS"], "in", ["Committee"])[0].other
        members = {m.person.id for m in org_members(xinqiao, committee, as_of=SCENARIO_DAY)}
        for x in p.pairs:
            if x.community.id == c:
                assert {x.mentor.id, x.mentee.id} <= members
    kept_mentees = {k.mentee.id for k in p.kept}
    assert not kept_mentees & set(mentees)
