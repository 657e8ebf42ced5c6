"""Shared fixtures. ``store`` is parametrised over every backend: a backend joins the
contract suite by adding one entry to ``BACKENDS``; ``reader`` adds the in-memory
subgraph for the read half."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.embedded import EmbeddedStore
from graph.store import GraphReader, GraphStore
from graph.subgraph import Subgraph

ROOT = Path(__file__).resolve().parents[1]
# Tests make many requests per token: no rate limit unless a test sets one.
os.environ.setdefault("GOVGRAPH_RATE_LIMIT_PER_SECOND", "0")
# Never the repository's ./data/security.db: an app a test builds without its own
# security store writes here.
os.environ.setdefault("GOVGRAPH_SECURITY_DB", os.path.join(
    __import__("tempfile").mkdtemp(prefix="govgraph-test-sec-"), "security.db"))
SERVER = ROOT / "scripts" / "neo4j-server"


def _govgraph_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("GOVGRAPH_")}


#: the test files that take longest (1–4 min each on a 2-core VM; --durations): run
#: first, so that with a file per worker (``make test``) none of them starts last
SLOWEST = ("tests/graph/test_parity.py", "tests/graph/test_parity_admin.py",
           "tests/loaders/test_injection.py",
           "tests/api/test_redteam_inference.py", "tests/graph/test_units.py",
           "tests/api/test_schemathesis.py", "tests/graph/test_concurrency.py",
           "tests/loaders/test_seed_parity.py", "tests/graph/test_parity_search.py",
           "tests/api/test_access.py", "tests/graph/test_neo4j_faults.py",
           "tests/loaders/test_graph_csv.py", "tests/api/test_cli_data.py")


def _rename(item: pytest.Item, nodeid: str) -> None:
    """Give ``item`` another node id (pytest 9 keeps it as a NodeId, older ones as a
    string)."""
    try:
        from _pytest.nodeid import coerce_node_id
    except ImportError:  # pytest < 9
        setattr(item, "_nodeid", nodeid)  # noqa: B010 (a private slot)
    else:
        item._id = coerce_node_id(nodeid)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A workbench page test marked ``embedded_only`` runs on the embedded store alone:
    a page renders the answers of JSON routes that are tested (and parity-tested) on
    every backend, so its Neo4j variant would test the same answers again, at a cost
    the suite's time budget does not have. Deselected, so the summary counts them."""
    for item in items:
        # Schemathesis names each API operation's test ``test_x[GET /path]`` but gives
        # them all one node id, ``…::test_x``: pytest-xdist's scheduling by file
        # (``--dist loadfile``) keeps one item per node id, so 114 of the 117 ran
        # nowhere. The operation goes into the id, as a parameter would.
        if type(item).__name__ == "SchemathesisFunction" and "[" in item.name and not (
                item.nodeid.endswith("]")):
            _rename(item, item.nodeid + item.name[item.name.index("["):])
    first = {f: n for n, f in enumerate(SLOWEST)}
    items.sort(key=lambda i: first.get(i.nodeid.split("::", 1)[0], len(first)))  # stable
    dropped = [i for i in items if isinstance(i, pytest.Function)
               and i.get_closest_marker("embedded_only") is not None
               and hasattr(i, "callspec") and i.callspec.params.get("store") == "neo4j"]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        gone = set(map(id, dropped))
        items[:] = [i for i in items if id(i) not in gone]


@pytest.fixture(autouse=True)
def _environment_kept() -> Iterator[None]:
    """A test leaves the GOVGRAPH_ settings as it found them (monkeypatch restores its
    own before this runs): a leaked one changes what later tests run against — an
    empty GOVGRAPH_NEO4J_PASSWORD left by one test once failed another's Neo4j start."""
    before = _govgraph_env()
    yield
    after = _govgraph_env()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"the test changed the environment and left it so: {changed}"


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(Bolt URI, password) of a real Neo4j 5.26: the one GOVGRAPH_TEST_NEO4J names, or
    one started for this session by scripts/neo4j-server (stopped at the end).

    Without Java or Maven the Neo4j tests are skipped with a loud reason, unless
    GOVGRAPH_REQUIRE_NEO4J=1 (set by .ci/run), which turns the skip into a failure.
    """
    uri = os.environ.get("GOVGRAPH_TEST_NEO4J")
    if uri:
        if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
            # every Neo4j test clears the database: two workers on one server would
            # wipe each other's graphs (without GOVGRAPH_TEST_NEO4J each worker
            # starts a server of its own)
            pytest.fail("GOVGRAPH_TEST_NEO4J names one server for several pytest-xdist "
                        "workers; run with -n 0, or unset it for a server per worker")
        yield uri, os.environ.get("GOVGRAPH_TEST_NEO4J_PASSWORD", "govgraph-test")
        return
    required = os.environ.get("GOVGRAPH_REQUIRE_NEO4J") == "1"
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        why = (f"NEO4J TESTS NOT RUN: {' and '.join(missing)} not found; install Java 17 "
               "and Maven (or point GOVGRAPH_TEST_NEO4J at a running Neo4j 5.26)")
        if required:
            pytest.fail(why)
        pytest.skip(why)
    # A run directory of this session's own (of this pytest-xdist worker's own: each
    # worker has its own temporary directory, and so its own server): never touch a
    # server someone else runs.
    home = tmp_path_factory.mktemp("neo4j")
    env = dict(os.environ, GOVGRAPH_NEO4J_HOME=str(home))
    started = subprocess.run([str(SERVER), "start"], capture_output=True, text=True,
                             timeout=1200, env=env)
    if started.returncode != 0:
        why = f"could not start Neo4j (exit {started.returncode}):\n{started.stderr[-3000:]}"
        if required or started.returncode != 2:
            pytest.fail(why)
        pytest.skip(why)
    lines = started.stdout.strip().splitlines()
    uri = lines[-1].strip()
    password_file = home / "password"
    password = password_file.read_text().strip() if password_file.exists() else ""
    try:
        yield uri, password
    finally:
        subprocess.run([str(SERVER), "stop"], capture_output=True, text=True, timeout=120,
                       env=env)


def _embedded(request: pytest.FixtureRequest, tmp_path: Path) -> GraphStore:
    return EmbeddedStore(tmp_path / "contract.db")


def _neo4j(request: pytest.FixtureRequest, tmp_path: Path) -> GraphStore:
    from graph.neo4j_store import Neo4jStore

    uri, password = request.getfixturevalue("neo4j_server")
    s = Neo4jStore(uri, "neo4j", password)
    s.clear()
    return s


BACKENDS: dict[str, Callable[[pytest.FixtureRequest, Path], GraphStore]] = {
    "embedded": _embedded,
    "neo4j": _neo4j,
}


@pytest.fixture(params=[pytest.param(b, marks=pytest.mark.neo4j) if b == "neo4j" else b
                        for b in sorted(BACKENDS)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    s = BACKENDS[request.param](request, tmp_path)
    try:
        yield s
    finally:
        s.close()


#: builds a reader holding the given nodes and relationships
MakeReader = Callable[..., GraphReader]


@pytest.fixture(params=[pytest.param(b, marks=pytest.mark.neo4j) if b == "neo4j" else b
                        for b in [*sorted(BACKENDS), "subgraph"]])
def reader(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeReader]:
    """The read half of the contract on every backend and on the in-memory subgraph:
    ``reader(nodes, rels)`` writes them through the write path (the subgraph: into a
    scratch embedded store, then copies every node and relationship into it)."""
    stores: list[GraphStore] = []

    def make(nodes: Iterable[Any] = (), rels: Iterable[Any] = ()) -> GraphReader:
        s = BACKENDS["embedded" if request.param == "subgraph" else request.param](
            request, tmp_path)
        stores.append(s)
        s.upsert(nodes, rels)
        if request.param != "subgraph":
            return s
        c = s.counts()
        return Subgraph(s.schema, [n for lab in c.labels for n in s.nodes(lab)],
                        [r for t in c.relationships for r in s.rels(t)])

    try:
        yield make
    finally:
        for s in stores:
            s.close()


SCENARIO_DAY = "2026-06-30"


@pytest.fixture(scope="session")
def xinqiao_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small Xinqiao scenario (5,000 residents) in an embedded store file, built once."""
    import datetime as dt

    from loaders.xinqiao import XinqiaoScenario, load_scenario

    path = tmp_path_factory.mktemp("xinqiao") / "xinqiao.db"
    with EmbeddedStore(path) as s:
        load_scenario(s, scenario=XinqiaoScenario(residents=5_000, seed=7,
                                                  as_of=dt.date.fromisoformat(SCENARIO_DAY)))
    return path


@pytest.fixture(scope="session")
def xinqiao(xinqiao_path: Path) -> Iterator[GraphStore]:
    """The small scenario, opened read-only (tests must not change it)."""
    s = EmbeddedStore(xinqiao_path, read_only=True)
    yield s
    s.close()


def scenario_planted(store: GraphStore) -> dict[str, Any]:
    """What the scenario loaded into ``store`` planted (its meta ``"scenario"``)."""
    meta = store.get_meta("scenario")
    assert isinstance(meta, dict), meta
    planted = meta["planted"]
    assert isinstance(planted, dict)
    return planted
