"""Both backends, same data, same answers: the Xinqiao scenario loaded into Neo4j by a
loader that is killed mid-import and run again, then every query compared with the
embedded store's answer (for 200 random start nodes where a query takes one): chains,
middle weakening, community overviews, pairing, lookups, search, grids, forces, cases."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.neo4j_store import Neo4jStore
from graph.store import GraphStore
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
from tests.cli_helpers import GOVGRAPH
from tests.conftest import ROOT, SCENARIO_DAY

pytestmark = pytest.mark.neo4j


def load_command(uri: str, password: str) -> tuple[list[str], dict[str, str]]:
    return ([GOVGRAPH, "--store", uri, "load", "scenario", "xinqiao", "--residents", "5000",
             "--as-of", SCENARIO_DAY],
            dict(os.environ, GOVGRAPH_NEO4J_PASSWORD=password))


@pytest.fixture(scope="module")
def both(neo4j_server: tuple[str, str], xinqiao: GraphStore
         ) -> Iterator[tuple[GraphStore, Neo4jStore, list[int]]]:
    uri, password = neo4j_server
    neo = Neo4jStore(uri, "neo4j", password)
    neo.clear()
    cmd, env = load_command(uri, password)
    loader = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    seen = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and loader.poll() is None:
        n = neo.counts().nodes
        if n > 5_000:
            loader.send_signal(signal.SIGKILL)
            seen.append(n)
            break
        time.sleep(0.05)
    loader.wait(timeout=60)
    seen.append(neo.counts().nodes)
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    yield xinqiao, neo, seen
    neo.close()


def test_killed_import_rerun_is_complete_without_duplicates(
        both: tuple[GraphStore, Neo4jStore, list[int]]) -> None:
    emb, neo, seen = both
    full = emb.counts()
    assert 0 < seen[-1] < full.nodes  # the kill left a partial graph
    got = neo.counts()
    assert (got.nodes, got.rels) == (full.nodes, full.rels)
    assert got.labels == full.labels and got.relationships == full.relationships
    assert neo.get_meta("scenario") == emb.get_meta("scenario")


def test_stats_and_nodes_identical(both: tuple[GraphStore, Neo4jStore, list[int]]) -> None:
    emb, neo, _ = both
    assert graph_stats(emb) == graph_stats(neo)
    ids = sorted(n.id for n in emb.nodes("Building"))[:100]
    assert emb.get_nodes(ids) == neo.get_nodes(ids)


def sample(store: GraphStore, k: int, seed: int) -> list[str]:
    ids = sorted(n.id for lab in ("Person", "Building", "Grid", "PartyOrg", "ResidentGroup",
                                  "Enterprise", "Community", "StationedUnit", "Activity")
                 for n in store.nodes(lab))
    return random.Random(seed).sample(ids, k)


def test_leadership_chains_identical(both: tuple[GraphStore, Neo4jStore, list[int]]) -> None:
    emb, neo, _ = both
    for nid in sample(emb, 200, 1):
        assert leadership_chain(emb, nid, SCENARIO_DAY) == leadership_chain(neo, nid,
                                                                            SCENARIO_DAY), nid


def test_middle_weakening_identical(both: tuple[GraphStore, Neo4jStore, list[int]]) -> None:
    emb, neo, _ = both
    assert middle_weakening(emb, None, SCENARIO_DAY) == middle_weakening(neo, None, SCENARIO_DAY)
    for c in emb.nodes("Community"):
        assert middle_weakening(emb, c.id, SCENARIO_DAY) == middle_weakening(neo, c.id,
                                                                             SCENARIO_DAY)
        assert community_overview(emb, c.id, SCENARIO_DAY) == community_overview(
            neo, c.id, SCENARIO_DAY)


def test_pairing_identical(both: tuple[GraphStore, Neo4jStore, list[int]]) -> None:
    emb, neo, _ = both
    assert pairing_proposal(emb, as_of=SCENARIO_DAY) == pairing_proposal(neo, as_of=SCENARIO_DAY)
    assert pairing_proposal(emb, capacity=1, as_of=SCENARIO_DAY, young_age=30) == \
        pairing_proposal(neo, capacity=1, as_of=SCENARIO_DAY, young_age=30)


def test_lookups_identical(both: tuple[GraphStore, Neo4jStore, list[int]]) -> None:
    emb, neo, _ = both
    starts = sample(emb, 200, 2)
    for nid in starts[:60]:
        assert neighbourhood(emb, nid, 2, limit=300) == neighbourhood(neo, nid, 2, limit=300)
        assert posts_of(emb, nid, SCENARIO_DAY) == posts_of(neo, nid, SCENARIO_DAY)
    for a, b in zip(starts[60:72], starts[90:102], strict=True):
        assert shortest_path(emb, a, b) == shortest_path(neo, a, b), (a, b)
    for org in sorted(n.id for n in emb.nodes("Committee"))[:3]:
        assert org_members(emb, org, True, SCENARIO_DAY) == org_members(neo, org, True,
                                                                       SCENARIO_DAY)
    names = [n.name for n in emb.get_nodes(starts[120:150]).values()]
    for q in names + ["zs", "xinqiao", "wang"]:
        assert search(emb, q) == search(neo, q), q
    assert three_boards(emb, as_of=SCENARIO_DAY) == three_boards(neo, as_of=SCENARIO_DAY)


def test_grids_forces_cases_identical(both: tuple[GraphStore, Neo4jStore, list[int]]) -> None:
    """The grid, front-line forces and patrol case reports, whole street and (the grid
    map) per community, with defaults and with one threshold moved."""
    emb, neo, _ = both
    assert grid_duty(emb, SCENARIO_DAY) == grid_duty(neo, SCENARIO_DAY)
    assert grid_duty(emb, SCENARIO_DAY, 1) == grid_duty(neo, SCENARIO_DAY, 1)
    assert overlap_analysis(emb, as_of=SCENARIO_DAY) == overlap_analysis(neo, as_of=SCENARIO_DAY)
    assert integration_proposal(emb) == integration_proposal(neo)
    assert forces_report(emb, SCENARIO_DAY) == forces_report(neo, SCENARIO_DAY)
    assert forces_report(emb, SCENARIO_DAY, 30) == forces_report(neo, SCENARIO_DAY, 30)
    assert case_evaluation(emb, SCENARIO_DAY) == case_evaluation(neo, SCENARIO_DAY)
    assert case_evaluation(emb, SCENARIO_DAY, min_cases=1) == case_evaluation(
        neo, SCENARIO_DAY, min_cases=1)
    assert open_cases_by_grid(emb, SCENARIO_DAY) == open_cases_by_grid(neo, SCENARIO_DAY)
    assert grid_map(emb, SCENARIO_DAY) == grid_map(neo, SCENARIO_DAY)
    for c in emb.nodes("Community"):
        assert grid_map(emb, SCENARIO_DAY, community=c.id) == grid_map(
            neo, SCENARIO_DAY, community=c.id), c.id


def test_embedded_reload_of_the_same_scenario_is_identical(tmp_path: Path,
                                                           xinqiao: GraphStore) -> None:
    # the parity above compares against a store built in-process; the CLI path agrees
    db = tmp_path / "again.db"
    cmd = [GOVGRAPH, "--store", str(db), "load", "scenario", "xinqiao", "--residents", "5000",
           "--as-of", SCENARIO_DAY]
    assert subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=300).returncode == 0
    with EmbeddedStore(db, read_only=True) as again:
        assert graph_stats(again) == graph_stats(xinqiao)
