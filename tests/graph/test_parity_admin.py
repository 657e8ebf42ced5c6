"""The bulk path gives the same graph: the two-street district's CSV export
(``govgraph export csv --raw``) through the real ``neo4j-admin database import full``
into a Neo4j of its own (``scripts/neo4j-server import``), which govgraph's Neo4j
backend opens as usual (constraints and indexes from the schema); then every query
compared with the embedded store's answer (:mod:`tests.graph.parity_checks`)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator

import pytest

from graph.embedded import EmbeddedStore
from graph.neo4j_store import Neo4jStore
from graph.store import GraphStore
from loaders.graph_csv import export_graph_csv
from tests.conftest import SERVER
from tests.graph.parity_checks import CHECKS, build_district, check_counts

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def imported(neo4j_server: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[tuple[GraphStore, Neo4jStore]]:
    # neo4j_server: only for its skip (or failure) without Java; the import starts its own
    work = tmp_path_factory.mktemp("admin")
    build_district(work / "district.db")
    emb = EmbeddedStore(work / "district.db", read_only=True)
    export_graph_csv(emb, work / "csv", raw=True)
    env = dict(os.environ, GOVGRAPH_NEO4J_HOME=str(work / "home"))
    done = subprocess.run([str(SERVER), "import", str(work / "csv")], capture_output=True,
                          text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    try:
        admin = Neo4jStore(done.stdout.strip().splitlines()[-1], "neo4j",
                           (work / "home" / "password").read_text().strip())
        yield emb, admin
        admin.close()
    finally:
        subprocess.run([str(SERVER), "stop"], capture_output=True, text=True, timeout=120,
                       env=env)
        emb.close()


def test_the_import_holds_every_record(imported: tuple[GraphStore, Neo4jStore]) -> None:
    check_counts(*imported)


@pytest.mark.parametrize("check", CHECKS, ids=[c.__name__ for c in CHECKS])
def test_queries_identical(imported: tuple[GraphStore, Neo4jStore],
                           check: Callable[[GraphStore, GraphStore], None]) -> None:
    check(*imported)
