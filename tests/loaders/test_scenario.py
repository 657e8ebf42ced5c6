"""The built-in Xinqiao scenario: exact counts, validity, determinism, and what
load_scenario writes to a store. Its planted problems are test_scenario_planted's.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

import pytest

from graph.schema import get_schema
from graph.store import GraphStore
from graph.write import MemoryView, plan_batch
from loaders.xinqiao import XinqiaoScenario, load_scenario
from tests.loaders.scenario_helpers import (
    AS_OF,
    BATCH,
    COMMUNITY_NAMES,
    RESIDENTS,
    A,
    Batch,
    Record,
    Run,
    current,
    generate,
    of_type,
    with_label,
)

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


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

    def get_meta(self, key: str) -> Any:
        return self.meta.get(key)

    def check_capacity(self, incoming: int) -> None:
        """Asked once, for the whole load, before anything is written."""
        assert not self.batches
        self.asked = incoming

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
    assert store.asked == out["nodes"] + out["rels"]  # the whole load, asked first
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
