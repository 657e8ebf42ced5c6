"""Both backends, same data, same answers: the district scenario with two streets
(Xinqiao and a synthetic one, 5,000 residents each, under the district committee)
built in the embedded store and loaded into Neo4j by a loader that is killed mid-import
and run again; then every query compared (:mod:`tests.graph.parity_checks`). The third
way in, neo4j-admin's bulk import, is ``test_parity_admin.py``."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.neo4j_store import Neo4jStore
from graph.store import GraphStore
from queries.stats import graph_stats
from tests.cli_helpers import GOVGRAPH
from tests.conftest import ROOT
from tests.graph.parity_checks import CHECKS, DISTRICT, build_district, check_counts

pytestmark = pytest.mark.neo4j


def load_command(uri: str, password: str) -> tuple[list[str], dict[str, str]]:
    return ([GOVGRAPH, "--store", uri, *DISTRICT],
            dict(os.environ, GOVGRAPH_NEO4J_PASSWORD=password))


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    path = tmp_path_factory.mktemp("district") / "district.db"
    build_district(path)
    s = EmbeddedStore(path, read_only=True)
    yield s
    s.close()


@pytest.fixture(scope="module")
def both(neo4j_server: tuple[str, str], district: GraphStore
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
    yield district, neo, seen
    neo.close()


def test_killed_import_rerun_is_complete_without_duplicates(
        both: tuple[GraphStore, Neo4jStore, list[int]]) -> None:
    emb, neo, seen = both
    assert 0 < seen[-1] < emb.counts().nodes  # the kill left a partial graph
    check_counts(emb, neo)
    assert neo.get_meta("scenario") == emb.get_meta("scenario")


@pytest.mark.parametrize("check", CHECKS, ids=[c.__name__ for c in CHECKS])
def test_queries_identical(both: tuple[GraphStore, Neo4jStore, list[int]],
                           check: Callable[[GraphStore, GraphStore], None]) -> None:
    check(both[0], both[1])


def test_embedded_reload_of_the_same_scenario_is_identical(tmp_path: Path,
                                                           district: GraphStore) -> None:
    # the parity above compares against a store built in-process; the CLI path agrees
    db = tmp_path / "again.db"
    cmd = [GOVGRAPH, "--store", str(db), *DISTRICT]
    assert subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=300).returncode == 0
    with EmbeddedStore(db, read_only=True) as again:
        assert graph_stats(again) == graph_stats(district)
