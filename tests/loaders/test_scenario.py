"""The built-in Xinqiao scenario: exact counts, validity, determinism, planted problems.

The planted problems are checked against a plain re-implementation of the
definitions in docs/domain.md §5, written here without reusing the generator's code.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypedDict, cast

import pytest

from graph.schema import get_schema
from graph.store import GraphStore
from graph.write import MemoryView, plan_batch
from loaders.xinqiao import XinqiaoScenario, load_scenario

AS_OF = dt.date(2025, 6, 30)
A = AS_OF.isoformat()
RESIDENTS = 5_000
BATCH = 7_000

COMMUNITY_NAMES = {"community-xinqiao": "新桥社区", "community-shangxing": "上星社区",
                   "community-shangliao": "上寮社区", "community-wanfeng": "万丰社区",
                   "community-shaqi": "沙企社区", "community-huangpu": "黄埔社区",
                   "community-xiner": "新二社区"}
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

#: a node or relationship as XinqiaoScenario.batches() yields it, and one batch of them
Record = dict[str, Any]
Batch = tuple[list[Record], list[Record]]


class Run(TypedDict):
    """One generated scenario: the generator, its batches, every record, nodes by id."""

    sc: XinqiaoScenario
    batches: list[Batch]
    nodes: list[Record]
    rels: list[Record]
    by_id: dict[str, Record]


def generate(seed: int = 7, residents: int = RESIDENTS, batch_size: int = BATCH,
             as_of: dt.date = AS_OF) -> tuple[XinqiaoScenario, list[Batch]]:
    sc = XinqiaoScenario(residents=residents, seed=seed, as_of=as_of, batch_size=batch_size)
    batches = list(sc.batches())
    return sc, batches


def make_run(seed: int = 7, as_of: dt.date = AS_OF) -> Run:
    sc, batches = generate(seed=seed, as_of=as_of)
    nodes = [n for ns, _ in batches for n in ns]
    rels = [r for _, rs in batches for r in rs]
    return {"sc": sc, "batches": batches, "nodes": nodes, "rels": rels,
            "by_id": {n["id"]: n for n in nodes}}


@pytest.fixture(scope="module")
def run() -> Run:
    return make_run()


def with_label(run: Run, label: str) -> list[Record]:
    return [n for n in run["nodes"] if label in n["labels"]]


def of_type(run: Run, rtype: str) -> list[Record]:
    return [r for r in run["rels"] if r["type"] == rtype]


def current(rel: Record, as_of: str = A) -> bool:
    p = rel["properties"]
    since, until = p.get("since"), p.get("until")
    return (since is None or since <= as_of) and (until is None or until > as_of)


# ---------------------------------------------------------------- exact counts
def test_street_and_communities(run: Run) -> None:
    assert len(with_label(run, "Street")) == 1
    assert len(with_label(run, "WorkingCommittee")) == 1
    coms = with_label(run, "Community")
    assert {c["id"]: c["properties"]["name"] for c in coms} == COMMUNITY_NAMES
    assert sum(c["properties"]["village_converted"] for c in coms) == 6
    areas = [c["properties"]["area_km2"] for c in coms]
    assert math.fsum(areas) == 30.0 and max(areas) == 12.0 and min(areas) == 2.3
    assert sum(c["properties"]["population"] for c in coms) == 500_000
    assert sum(c["properties"]["registered_population"] for c in coms) == 13_400
    part_of = {r["start"] for r in of_type(run, "PART_OF") if r["end"] == "street-xinqiao"}
    assert part_of == set(COMMUNITY_NAMES)
    leads = {(r["start"], r["end"]) for r in of_type(run, "LEADS")}
    assert ("wc-xinqiao", "street-xinqiao") in leads
    for cid in COMMUNITY_NAMES:
        assert (cid.replace("community-", "committee-"), cid) in leads


def test_grid_counts(run: Run) -> None:
    kinds = Counter(g["properties"]["kind"] for g in with_label(run, "Grid"))
    assert kinds == {"base": 357, "security": 23, "fire": 4, "police": 44, "traffic": 7}
    grid_in = Counter(r["start"] for r in of_type(run, "IN") if r["start"].startswith("grid-"))
    assert set(grid_in) == {g["id"] for g in with_label(run, "Grid")}
    assert set(grid_in.values()) == {1}
    chiefs = with_label(run, "PoliceChief")
    assert len(chiefs) == 7 and all("PoliceOfficer" in c["labels"] for c in chiefs)


def test_people_counts(run: Run) -> None:
    assert len(with_label(run, "DeployedStaff")) == 531
    assert len(with_label(run, "Department")) == 7
    staff = {n["id"] for n in with_label(run, "DeployedStaff")}
    for t in ("FROM_DEPT", "DEPLOYED_TO"):
        assert Counter(r["start"] for r in of_type(run, t)) == Counter(staff)
    four = ("BuildingHead", "ShopManager", "PropertyStaff", "SecurityGuard")
    holders = [n for n in run["nodes"] if any(lab in n["labels"] for lab in four)]
    assert len(holders) == 11_000
    assert not any("Resident" in n["labels"] for n in holders)
    residents = with_label(run, "Resident")
    assert len(residents) == RESIDENTS
    homes = Counter(r["start"] for r in of_type(run, "LIVES_IN") if current(r))
    assert all(homes[n["id"]] == 1 for n in residents)
    registered = sum(n["properties"]["household_registered"] for n in residents)
    assert registered == round(RESIDENTS * 13_400 / 500_000)
    pms = with_label(run, "PartyMember")
    assert 2_000 <= len(pms) <= 2_600
    assert len(with_label(run, "Building")) == 4_800


def test_total_records_and_batches(run: Run) -> None:
    sc, batches = run["sc"], run["batches"]
    assert sc.total_records == len(run["nodes"]) + len(run["rels"])
    assert all(len(ns) + len(rs) <= BATCH for ns, rs in batches)
    counts = sc.planted["counts"]
    assert counts["nodes"] == len(run["nodes"]) and counts["rels"] == len(run["rels"])
    assert counts["labels"]["Resident"] == RESIDENTS
    json.dumps(sc.planted)  # JSON-serialisable


# ---------------------------------------------------------------- validity
def test_every_batch_validates(run: Run) -> None:
    """Every batch passes the store's write path as it is: each node and relationship
    new, and no value changed on the way in (names, phones, ID numbers are normal
    already), so the graph is exactly what the scenario generated."""
    schema = get_schema()
    view = MemoryView()
    for nodes, rels in run["batches"]:
        plan = plan_batch(schema, nodes, rels, view, as_of=run["sc"].as_of.isoformat())
        c = plan.changes
        assert (c.nodes_updated, c.nodes_unchanged, c.rels_updated, c.rels_ended) == (
            0, 0, 0, 0), "a node or relationship emitted twice"
        assert not c.remap and not c.candidates
        assert (c.nodes_added, c.rels_added) == (len(nodes), len(rels))
        given = {n["id"]: n["properties"] for n in nodes}
        for n in plan.nodes:
            assert n.properties == given[n.id], n.id
        given_rels = {r.get("id") or f"{r['type']}:{r['start']}->{r['end']}": r["properties"]
                      for r in rels}
        for r in plan.rels:
            assert r.properties == given_rels[r.id], r.id
        view.put(plan)


def test_id_numbers_and_phones(run: Run) -> None:
    people = with_label(run, "Person")
    ids, phones = set(), set()
    for n in people:
        p = n["properties"]
        idn = p["id_number"]
        assert len(idn) == 18 and idn[:17].isdigit()
        s = sum(int(c) * w for c, w in zip(idn[:17], ID_WEIGHTS, strict=True))
        assert idn[17] == "10X98765432"[s % 11], idn
        assert idn[6:14] == p["birth_date"].replace("-", "")
        assert (idn[:6] == "440306") == p["household_registered"]
        assert (int(idn[16]) % 2 == 1) == (p["gender"] == "male")
        ph = p["phone"]
        assert len(ph) == 11 and ph.isdigit() and ph[0] == "1" and ph[1] in "3456789"
        ids.add(idn)
        phones.add(ph)
    assert len(ids) == len(people) and len(phones) == len(people)


def test_residents_bounds() -> None:
    for bad in (4_999, 500_001, 0):
        with pytest.raises(ValueError, match="residents"):
            XinqiaoScenario(residents=bad)
    with pytest.raises(ValueError):
        XinqiaoScenario(residents=5_000, as_of=dt.date(2015, 1, 1))


# ---------------------------------------------------------------- determinism
def test_deterministic(run: Run) -> None:
    _, again = generate()
    assert again == run["batches"]
    _, other = generate(seed=8)
    assert other != run["batches"]


def _records(batches: list[Batch]) -> list[str]:
    return sorted(json.dumps(x, ensure_ascii=False, sort_keys=True)
                  for nodes, rels in batches for x in nodes + rels)


def test_records_do_not_depend_on_the_batch_size() -> None:
    """One seed, one graph: the embedded store takes 20,000 records a batch, Neo4j
    50,000; any cut of the stream gives the same records (25,000 residents: three
    blocks of draws, the last one short)."""
    cuts = [_records(generate(residents=25_000, batch_size=b)[1])
            for b in (20_000, 50_000, 7_777)]
    assert len(cuts[0]) > 50_000
    assert cuts[0] == cuts[1] == cuts[2]


# ---------------------------------------------------------------- planted problems
def five_years_before(d: dt.date) -> str:
    try:
        return d.replace(year=d.year - 5).isoformat()
    except ValueError:
        return d.replace(year=d.year - 5, day=28).isoformat()


def recompute_branch_reasons(run: Run, as_of: dt.date = AS_OF) -> dict[str, list[str]]:
    """docs/domain.md §5.2, written out plainly."""
    by_id = run["by_id"]
    a = as_of.isoformat()
    window_start = (as_of - dt.timedelta(days=90)).isoformat()
    new_since = five_years_before(as_of)
    out = {}
    for branch in with_label(run, "Branch"):
        b = branch["id"]
        members = [(r["start"], r["properties"]["role"]) for r in of_type(run, "MEMBER_OF")
                   if r["end"] == b and current(r, a)]
        reasons = []
        if not any(role == "secretary" for _, role in members):
            reasons.append("no_secretary")
        full = [p for p, _ in members if by_id[p]["properties"].get("full_member") is True]
        if len(full) < 3:
            reasons.append("too_few_members")
        if len(members) > 50:
            reasons.append("too_many_members")
        embedded = any(r["start"] == b for r in of_type(run, "EMBEDDED_IN"))
        covers = [r for r in of_type(run, "COVERS") if r["start"] == b and current(r, a)]
        if not embedded and not covers:
            reasons.append("no_resident_group")
        dates = [by_id[r["end"]]["properties"]["date"] for r in of_type(run, "HELD")
                 if r["start"] == b]
        if not any(window_start < d <= a for d in dates):
            reasons.append("inactive")
        if not any(by_id[p]["properties"]["joined_party_on"] > new_since for p, _ in members):
            reasons.append("no_new_members")
        out[b] = sorted(reasons)
    return out


def test_planted_branches_match_definition(run: Run) -> None:
    planted = run["sc"].planted["branches"]
    got = recompute_branch_reasons(run)
    assert {b: r for b, r in got.items() if r} == planted["weak"]
    assert sorted(b for b, r in got.items() if not r) == planted["healthy"]
    n = len(got)
    assert 0.12 <= len(planted["weak"]) / n <= 0.18
    assert all(1 <= len(r) <= 2 for r in planted["weak"].values())
    every = {x for r in planted["weak"].values() for x in r}
    assert every == {"no_secretary", "too_few_members", "too_many_members",
                     "no_resident_group", "inactive", "no_new_members"}


@pytest.mark.parametrize("seed,as_of", [(11, dt.date(2024, 2, 29)), (2, dt.date(2017, 1, 1))])
def test_planted_branches_other_seeds_and_dates(seed: int, as_of: dt.date) -> None:
    other = make_run(seed, as_of)
    got = recompute_branch_reasons(other, as_of)
    planted = other["sc"].planted["branches"]
    assert {b: r for b, r in got.items() if r} == planted["weak"]
    assert sorted(b for b, r in got.items() if not r) == planted["healthy"]


def test_healthy_branches_are_comfortable(run: Run) -> None:
    by_id = run["by_id"]
    recent = (AS_OF - dt.timedelta(days=30)).isoformat()
    three_years = AS_OF.replace(year=AS_OF.year - 3).isoformat()
    for b in run["sc"].planted["branches"]["healthy"]:
        members = [r for r in of_type(run, "MEMBER_OF") if r["end"] == b and current(r)]
        assert sum(by_id[r["start"]]["properties"]["full_member"] for r in members) >= 5
        assert len(members) <= 40
        assert any(by_id[r["start"]]["properties"]["joined_party_on"] > three_years
                   for r in members)
        dates = [by_id[r["end"]]["properties"]["date"] for r in of_type(run, "HELD")
                 if r["start"] == b]
        assert any(recent < d <= A for d in dates)


def test_planted_hollow_groups(run: Run) -> None:
    planted = run["sc"].planted["resident_groups"]
    pms = {n["id"] for n in with_label(run, "PartyMember")}
    member_now = {r["start"] for r in of_type(run, "MEMBER_OF") if current(r)}
    group_of = {r["start"]: r["end"] for r in of_type(run, "PART_OF")
                if r["start"].startswith("building-")}
    posts: defaultdict[str, int] = defaultdict(int)
    lived: defaultdict[str, int] = defaultdict(int)
    covered: defaultdict[str, int] = defaultdict(int)
    for r in of_type(run, "HOLDS_POST"):
        if r["end"].startswith("group-") and current(r):
            posts[r["end"]] += 1
    for r in of_type(run, "LIVES_IN"):
        if r["start"] in pms and current(r):
            lived[group_of[r["end"]]] += 1
    for r in of_type(run, "COVERS"):
        if current(r):
            covered[r["end"]] += 1
    groups = [g["id"] for g in with_label(run, "ResidentGroup")]
    hollow = sorted(g for g in groups if not posts[g] and not lived[g] and not covered[g])
    assert hollow == planted["hollow"]
    assert sorted(set(groups) - set(hollow)) == planted["healthy"]
    assert 0.07 <= len(hollow) / len(groups) <= 0.13
    for g in planted["healthy"]:  # healthy on all three counts, not just one
        assert posts[g] and lived[g] and covered[g]
        living_members = [r["start"] for r in of_type(run, "LIVES_IN")
                          if current(r) and group_of[r["end"]] == g and r["start"] in member_now]
        assert living_members


def test_other_planted_sets(run: Run) -> None:
    p = run["sc"].planted
    base = {g["id"] for g in with_label(run, "Grid") if g["properties"]["kind"] == "base"}
    staffed = {r["end"] for r in of_type(run, "RESPONSIBLE_FOR")}
    assert sorted(base - staffed) == p["grids_without_worker"]
    assert 10 <= len(p["grids_without_worker"]) <= 20
    assert sorted({g["id"] for g in with_label(run, "Grid")} - staffed) == \
        p["grids_without_worker"]
    headed = {r["end"] for r in of_type(run, "HEADS")}
    buildings = {b["id"] for b in with_label(run, "Building")}
    assert sorted(buildings - headed) == p["buildings_without_head"]
    grid_com = {r["start"]: r["end"] for r in of_type(run, "IN")}
    overl = defaultdict(set)
    for r in of_type(run, "OVERLAPS"):
        overl[r["start"]].add(grid_com[r["end"]])
    assert sorted(g for g, cs in overl.items() if len(cs) >= 2) == p["crossing_special_grids"]
    assert p["crossing_special_grids"]
    evaluated = {r["end"] for r in of_type(run, "EVALUATES")}
    rated = {n["id"] for n in run["nodes"]
             if "DeployedStaff" in n["labels"] or "PoliceChief" in n["labels"]}
    assert sorted(rated - evaluated) == p["not_evaluated"]
    assert 0 < len(p["not_evaluated"]) < 60


def test_new_and_veteran_members_per_community(run: Run) -> None:
    by_id = run["by_id"]
    new_since = five_years_before(AS_OF)
    vet_before = AS_OF.replace(year=AS_OF.year - 20).isoformat()
    sub = {r["start"]: r["end"] for r in of_type(run, "SUB_ORG_OF")}
    leads = {r["start"]: r["end"] for r in of_type(run, "LEADS")
             if r["end"].startswith("community-")}

    def community(org: str) -> str | None:
        while org not in leads and org in sub:
            org = sub[org]
        return leads.get(org)

    seen: defaultdict[str, dict[str, int]] = defaultdict(
        lambda: {"new": 0, "vet": 0, "probationary": 0})
    for r in of_type(run, "MEMBER_OF"):
        if not current(r):
            continue
        c = community(r["end"])
        props = by_id[r["start"]]["properties"]
        if c is None:
            continue
        if props["joined_party_on"] > new_since:
            seen[c]["new"] += 1
        if props["joined_party_on"] <= vet_before:
            seen[c]["vet"] += 1
        if not props["full_member"]:
            seen[c]["probationary"] += 1
    assert set(seen) == set(COMMUNITY_NAMES)
    assert all(v["new"] and v["vet"] and v["probationary"] for v in seen.values())
    assert run["sc"].planted["new_members_with_posts"]
    # mentoring pairs: veteran -> new, inside one community; do-not-pair likewise
    mentors = of_type(run, "MENTORS")
    assert 20 <= sum(current(r) for r in mentors) <= 40
    assert 5 <= len(of_type(run, "DO_NOT_PAIR")) <= 15
    home: dict[str, str | None] = {}
    for r in of_type(run, "MEMBER_OF"):
        if current(r):
            home.setdefault(r["start"], community(r["end"]))
    for r in mentors + of_type(run, "DO_NOT_PAIR"):
        assert home[r["start"]] == home[r["end"]] is not None
        assert by_id[r["start"]]["properties"]["joined_party_on"] <= vet_before
        assert by_id[r["end"]]["properties"]["joined_party_on"] > new_since
    load = Counter(r["start"] for r in mentors if current(r))
    assert max(load.values()) <= 2


# ---------------------------------------------------------------- load_scenario
class FakeStore:
    """The part of a GraphStore load_scenario uses: batch sizes and meta recorded."""

    def __init__(self) -> None:
        self.batches: list[tuple[int, int]] = []
        self.meta: dict[str, Any] = {}

    def upsert(self, nodes: Sequence[Record] = (), rels: Sequence[Record] = ()
               ) -> dict[str, int]:
        self.batches.append((len(nodes), len(rels)))
        return {"nodes": len(nodes), "rels": len(rels)}

    def upsert_stream(self, batches: Iterable[Batch],
                      progress: Callable[[int], Any] | None = None) -> dict[str, int]:
        """As the stores do it: :meth:`upsert` per batch, ``progress`` told each one's
        records."""
        total = {"nodes": 0, "rels": 0}
        for nodes, rels in batches:
            done = self.upsert(nodes, rels)
            total["nodes"] += done["nodes"]
            total["rels"] += done["rels"]
            if progress is not None:
                progress(done["nodes"] + done["rels"])
        return total

    def put_meta(self, key: str, value: Any) -> None:
        self.meta[key] = value


def test_load_scenario_into_store() -> None:
    store = FakeStore()
    seen: list[int] = []
    out = load_scenario(cast(GraphStore, store), residents=5_000, seed=3, as_of=AS_OF,
                        batch_size=50_000, progress=seen.append)
    assert out["nodes"] == sum(n for n, _ in store.batches)
    assert out["rels"] == sum(m for _, m in store.batches)
    assert sum(seen) == out["nodes"] + out["rels"]
    meta = store.meta["scenario"]
    assert meta["name"] == "xinqiao" and meta["residents"] == 5_000 and meta["seed"] == 3
    assert meta["as_of"] == A and meta["planted"] is out["planted"]
    json.dumps(meta)


def test_party_organisations_carry_the_names_clerks_write(run: Run) -> None:
    """Every party organisation has its short name (简称), as clerks write it; rosters
    find organisations by it."""
    orgs = {n["id"]: n["properties"] for n in with_label(run, "PartyOrg")}
    assert all(p.get("short_name") for p in orgs.values())
    assert orgs["wc-xinqiao"]["short_name"] == "新桥街道党工委"
    assert orgs["committee-shangxing"]["short_name"] == "上星社区党委"
    branch = next(p for i, p in orgs.items() if p["name"] == "中共上星社区第一支部委员会")
    assert branch["short_name"] == "上星社区第一党支部"
