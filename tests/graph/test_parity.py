"""Both backends, same data, same answers, and a third way in: the district scenario
with two streets (Xinqiao and a synthetic one, 5,000 residents each, under the district
committee) built in the embedded store, loaded into Neo4j by a loader that is killed
mid-import and run again, and imported into a second Neo4j by ``neo4j-admin database
import full`` from the embedded store's CSV export. Every query is then compared with
the embedded store's answer on both Neo4j graphs (for 200 random start nodes where a
query takes one; two communities of each street where it takes a community): chains,
middle weakening (whole, per street, per community), community overviews, pairing,
lookups, search, grids, forces, cases."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.embedded import EmbeddedStore
from graph.neo4j_store import Neo4jStore
from graph.store import GraphStore
from loaders.baoan import BaoanScenario, load_district
from loaders.graph_csv import export_graph_csv
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
from tests.conftest import ROOT, SCENARIO_DAY, SERVER

pytestmark = pytest.mark.neo4j

DISTRICT = ["load", "scenario", "baoan", "--streets", "2", "--residents-per-street", "5000",
            "--as-of", SCENARIO_DAY]


def load_command(uri: str, password: str) -> tuple[list[str], dict[str, str]]:
    return ([GOVGRAPH, "--store", uri, *DISTRICT],
            dict(os.environ, GOVGRAPH_NEO4J_PASSWORD=password))


Stores = tuple[GraphStore, Neo4jStore, Neo4jStore, list[int]]


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    path = tmp_path_factory.mktemp("district") / "district.db"
    with EmbeddedStore(path) as s:
        load_district(s, BaoanScenario(streets=2, residents_per_street=5_000, seed=7,
                                       as_of=dt.date.fromisoformat(SCENARIO_DAY)))
    s = EmbeddedStore(path, read_only=True)
    yield s
    s.close()


@pytest.fixture(scope="module")
def both(neo4j_server: tuple[str, str], district: GraphStore,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stores]:
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
    # the bulk path: the embedded store's export through neo4j-admin into a server of
    # its own (the store opens on it as usual: constraints and indexes from the schema)
    work = tmp_path_factory.mktemp("admin")
    export_graph_csv(district, work / "csv", raw=True)
    admin_env = dict(os.environ, GOVGRAPH_NEO4J_HOME=str(work / "home"))
    imported = subprocess.run([str(SERVER), "import", str(work / "csv")],
                              capture_output=True, text=True, timeout=900, env=admin_env)
    assert imported.returncode == 0, imported.stderr[-3000:]
    try:
        admin = Neo4jStore(imported.stdout.strip().splitlines()[-1], "neo4j",
                           (work / "home" / "password").read_text().strip())
        try:
            yield district, neo, admin, seen
        finally:
            admin.close()
    finally:
        subprocess.run([str(SERVER), "stop"], capture_output=True, text=True, timeout=120,
                       env=admin_env)
        neo.close()


def same(stores: Stores, f: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """``f(store, *args, **kwargs)`` answers alike on the embedded store and on both
    Neo4j graphs."""
    emb, neo, admin, _ = stores
    want = f(emb, *args, **kwargs)
    assert f(neo, *args, **kwargs) == want, ("driver", f.__name__, args)
    assert f(admin, *args, **kwargs) == want, ("neo4j-admin", f.__name__, args)


def test_killed_import_rerun_is_complete_without_duplicates(both: Stores) -> None:
    emb, neo, admin, seen = both
    full = emb.counts()
    assert 0 < seen[-1] < full.nodes  # the kill left a partial graph
    got = neo.counts()
    assert (got.nodes, got.rels) == (full.nodes, full.rels)
    assert got.labels == full.labels and got.relationships == full.relationships
    assert neo.get_meta("scenario") == emb.get_meta("scenario")
    got = admin.counts()
    assert (got.nodes, got.rels) == (full.nodes, full.rels)
    assert got.labels == full.labels and got.relationships == full.relationships
    assert full.labels["District"] == 1 and full.labels["Street"] == 2


def test_stats_and_nodes_identical(both: Stores) -> None:
    emb = both[0]
    same(both, graph_stats)
    ids = sorted(n.id for n in emb.nodes("Building"))
    ids = ids[:50] + ids[-50:]  # both streets
    same(both, GraphStore.get_nodes, ids)


def some_communities(store: GraphStore) -> list[str]:
    """Two communities of each street (per-community answers on Neo4j cost a round trip
    or more each: all fourteen on two servers would take minutes)."""
    ids = sorted(c.id for c in store.nodes("Community"))
    return [i for i in ids if ":" not in i][:2] + [i for i in ids if ":" in i][:2]


def sample(store: GraphStore, k: int, seed: int) -> list[str]:
    ids = sorted(n.id for lab in ("Person", "Building", "Grid", "PartyOrg", "ResidentGroup",
                                  "Enterprise", "Community", "StationedUnit", "Activity",
                                  "Street", "District", "Department")
                 for n in store.nodes(lab))
    return random.Random(seed).sample(ids, k)


def test_leadership_chains_identical(both: Stores) -> None:
    emb = both[0]
    starts = sample(emb, 200, 1) + ["dept-baoan-zzb", "street-xinan", "district-baoan"]
    streets = set()
    for nid in starts:
        same(both, leadership_chain, nid, SCENARIO_DAY)
        chain = leadership_chain(emb, nid, SCENARIO_DAY)
        if chain.reached_top:
            assert chain.steps[-1].node.id == "dc-baoan", nid
            streets |= {s.node.id for s in chain.steps if "WorkingCommittee" in s.node.labels}
    assert streets == {"wc-xinqiao", "wc-xinan"}  # the sample spans both streets


def test_middle_weakening_identical(both: Stores) -> None:
    emb = both[0]
    same(both, middle_weakening, None, SCENARIO_DAY)
    for street in ("street-xinqiao", "street-xinan"):
        same(both, middle_weakening, None, SCENARIO_DAY, street=street)
    for c in some_communities(emb):
        same(both, middle_weakening, c, SCENARIO_DAY)
        same(both, community_overview, c, SCENARIO_DAY)


def test_pairing_identical(both: Stores) -> None:
    same(both, pairing_proposal, as_of=SCENARIO_DAY)
    same(both, pairing_proposal, capacity=1, as_of=SCENARIO_DAY, young_age=30)


def test_lookups_identical(both: Stores) -> None:
    emb = both[0]
    starts = sample(emb, 200, 2)
    for nid in starts[:24]:
        same(both, neighbourhood, nid, 2, limit=300)
        same(both, posts_of, nid, SCENARIO_DAY)
    for a, b in zip(starts[60:66], starts[90:96], strict=True):
        same(both, shortest_path, a, b)
    for org in sorted(n.id for n in emb.nodes("Committee"))[:3] + ["dc-baoan"]:
        same(both, org_members, org, True, SCENARIO_DAY)
    names = [n.name for n in emb.get_nodes(starts[120:135]).values()]
    for q in names + ["zs", "xinqiao", "wang", "新安一", "宝安区委"]:
        same(both, search, q)
    same(both, three_boards, as_of=SCENARIO_DAY)


def test_grids_forces_cases_identical(both: Stores) -> None:
    """The grid, front-line forces and patrol case reports, whole district and (the grid
    map) per community, with defaults and with one threshold moved."""
    emb = both[0]
    same(both, grid_duty, SCENARIO_DAY)
    same(both, grid_duty, SCENARIO_DAY, 1)
    same(both, overlap_analysis, as_of=SCENARIO_DAY)
    same(both, integration_proposal)
    same(both, forces_report, SCENARIO_DAY)
    same(both, forces_report, SCENARIO_DAY, 30)
    same(both, case_evaluation, SCENARIO_DAY)
    same(both, case_evaluation, SCENARIO_DAY, min_cases=1)
    same(both, open_cases_by_grid, SCENARIO_DAY)
    same(both, grid_map, SCENARIO_DAY)
    for c in some_communities(emb):
        same(both, grid_map, SCENARIO_DAY, community=c)


def test_embedded_reload_of_the_same_scenario_is_identical(tmp_path: Path,
                                                           district: GraphStore) -> None:
    # the parity above compares against a store built in-process; the CLI path agrees
    db = tmp_path / "again.db"
    cmd = [GOVGRAPH, "--store", str(db), *DISTRICT]
    assert subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=300).returncode == 0
    with EmbeddedStore(db, read_only=True) as again:
        assert graph_stats(again) == graph_stats(district)
