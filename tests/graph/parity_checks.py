"""What the parity tests compare (``test_parity.py``: Neo4j loaded by the driver;
``test_parity_admin.py``: Neo4j imported by neo4j-admin — two files, so two workers run
them at once): every query on the two-street district, the embedded store's answer
against the other store's (for 200 random start nodes where a query takes one; two
communities of each street where it takes a community)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.embedded import EmbeddedStore
from graph.store import GraphStore
from loaders.baoan import BaoanScenario, load_district
from queries.cases import case_evaluation
from queries.community import community_overview
from queries.forces import forces_report
from queries.grid_duty import grid_duty
from queries.grid_integration import integration_proposal
from queries.grid_map import grid_map, open_cases_by_grid
from queries.grids import overlap_analysis
from queries.leadership_chain import leadership_chain
from queries.lookups import neighbourhood, org_members, posts_of, shortest_path, three_boards
from queries.middle_weakening import middle_weakening
from queries.pairing import pairing_proposal
from queries.search import search
from queries.stats import graph_stats
from tests.conftest import SCENARIO_DAY

#: the district both parity tests load: Xinqiao and one synthetic street, 5,000 each
DISTRICT = ["load", "scenario", "baoan", "--streets", "2", "--residents-per-street", "5000",
            "--as-of", SCENARIO_DAY]


def build_district(path: Path) -> None:
    """The same district in an embedded store, built in-process."""
    with EmbeddedStore(path) as s:
        load_district(s, BaoanScenario(streets=2, residents_per_street=5_000, seed=7,
                                       as_of=dt.date.fromisoformat(SCENARIO_DAY)))


def same(emb: GraphStore, other: GraphStore, f: Callable[..., Any], *args: Any,
         **kwargs: Any) -> None:
    """``f(store, *args, **kwargs)`` answers alike on both stores."""
    assert f(other, *args, **kwargs) == f(emb, *args, **kwargs), (f.__name__, args)


def check_counts(emb: GraphStore, other: GraphStore) -> None:
    full, got = emb.counts(), other.counts()
    assert (got.nodes, got.rels) == (full.nodes, full.rels)
    assert got.labels == full.labels and got.relationships == full.relationships
    assert full.labels["District"] == 1 and full.labels["Street"] == 2


def check_stats_and_nodes(emb: GraphStore, other: GraphStore) -> None:
    same(emb, other, graph_stats)
    ids = sorted(n.id for n in emb.nodes("Building"))
    same(emb, other, GraphStore.get_nodes, ids[:50] + ids[-50:])  # both streets


def some_communities(store: GraphStore) -> list[str]:
    """Two communities of each street (per-community answers on Neo4j cost a round trip
    or more each)."""
    ids = sorted(c.id for c in store.nodes("Community"))
    return [i for i in ids if ":" not in i][:2] + [i for i in ids if ":" in i][:2]


def sample(store: GraphStore, k: int, seed: int) -> list[str]:
    ids = sorted(n.id for lab in ("Person", "Building", "Grid", "PartyOrg", "ResidentGroup",
                                  "Enterprise", "Community", "StationedUnit", "Activity",
                                  "Street", "District", "Department")
                 for n in store.nodes(lab))
    return random.Random(seed).sample(ids, k)


def check_chains(emb: GraphStore, other: GraphStore) -> None:
    starts = sample(emb, 200, 1) + ["dept-baoan-zzb", "street-xinan", "district-baoan"]
    streets = set()
    for nid in starts:
        same(emb, other, leadership_chain, nid, SCENARIO_DAY)
        chain = leadership_chain(emb, nid, SCENARIO_DAY)
        if chain.reached_top:
            assert chain.steps[-1].node.id == "dc-baoan", nid
            streets |= {s.node.id for s in chain.steps if "WorkingCommittee" in s.node.labels}
    assert streets == {"wc-xinqiao", "wc-xinan"}  # the sample spans both streets


def check_middle_weakening(emb: GraphStore, other: GraphStore) -> None:
    same(emb, other, middle_weakening, None, SCENARIO_DAY)
    for street in ("street-xinqiao", "street-xinan"):
        same(emb, other, middle_weakening, None, SCENARIO_DAY, street=street)
    for c in some_communities(emb):
        same(emb, other, middle_weakening, c, SCENARIO_DAY)
        same(emb, other, community_overview, c, SCENARIO_DAY)


def check_pairing(emb: GraphStore, other: GraphStore) -> None:
    same(emb, other, pairing_proposal, as_of=SCENARIO_DAY)
    same(emb, other, pairing_proposal, capacity=1, as_of=SCENARIO_DAY, young_age=30)


def check_lookups(emb: GraphStore, other: GraphStore) -> None:
    starts = sample(emb, 200, 2)
    for nid in starts[:24]:
        same(emb, other, neighbourhood, nid, 2, limit=300)
        same(emb, other, posts_of, nid, SCENARIO_DAY)
    for a, b in zip(starts[60:66], starts[90:96], strict=True):
        same(emb, other, shortest_path, a, b)
    for org in sorted(n.id for n in emb.nodes("Committee"))[:3] + ["dc-baoan"]:
        same(emb, other, org_members, org, True, SCENARIO_DAY)
    names = [n.name for n in emb.get_nodes(starts[120:135]).values()]
    for q in names + ["zs", "xinqiao", "wang", "新安一", "宝安区委"]:
        same(emb, other, search, q)
    same(emb, other, three_boards, as_of=SCENARIO_DAY)


def check_grids_forces_cases(emb: GraphStore, other: GraphStore) -> None:
    """The grid, front-line forces and patrol case reports, whole district and (the grid
    map) per community, with defaults and with one threshold moved."""
    same(emb, other, grid_duty, SCENARIO_DAY)
    same(emb, other, grid_duty, SCENARIO_DAY, 1)
    same(emb, other, overlap_analysis, as_of=SCENARIO_DAY)
    same(emb, other, integration_proposal)
    same(emb, other, forces_report, SCENARIO_DAY)
    same(emb, other, forces_report, SCENARIO_DAY, 30)
    same(emb, other, case_evaluation, SCENARIO_DAY)
    same(emb, other, case_evaluation, SCENARIO_DAY, min_cases=1)
    same(emb, other, open_cases_by_grid, SCENARIO_DAY)
    same(emb, other, grid_map, SCENARIO_DAY)
    for c in some_communities(emb):
        same(emb, other, grid_map, SCENARIO_DAY, community=c)


#: every check on the queries, for a test per check in each parity file
CHECKS = (check_stats_and_nodes, check_chains, check_middle_weakening, check_pairing,
          check_lookups, check_grids_forces_cases)
