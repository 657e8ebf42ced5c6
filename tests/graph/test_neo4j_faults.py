"""Neo4j going away under a serving API, and a loader killed mid-import."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.neo4j_store import Neo4jStore
from tests.cli_helpers import GOVGRAPH
from tests.conftest import ROOT, SERVER
from tests.graphs import tiny_street

pytestmark = pytest.mark.neo4j


TOKEN: dict[str, str] = {}


def get(url: str, timeout: float = 20) -> tuple[int, dict[str, str], Any]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {TOKEN.get('t', '')}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, json.loads(e.read())


@pytest.fixture
def own_server(tmp_path: Path, neo4j_server: tuple[str, str]) -> Iterator[tuple[dict[str, str],
                                                                                str, str]]:
    """A Neo4j server of this test alone (it gets stopped): (env, uri, password)."""
    env = dict(os.environ, GOVGRAPH_NEO4J_HOME=str(tmp_path / "neo4j"))
    r = subprocess.run([str(SERVER), "start"], capture_output=True, text=True, env=env,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    uri = r.stdout.strip().splitlines()[-1]
    password = (tmp_path / "neo4j" / "password").read_text().strip()
    try:
        yield env, uri, password
    finally:
        subprocess.run([str(SERVER), "stop"], capture_output=True, env=env, timeout=120)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_outage_gives_503_quickly_and_recovers_without_restart(
        own_server: tuple[dict[str, str], str, str], tmp_path: Path) -> None:
    env, uri, password = own_server
    with Neo4jStore(uri, "neo4j", password) as s:
        s.upsert(*tiny_street())
    port = free_port()
    api_env = dict(env, GOVGRAPH_STORE=uri, GOVGRAPH_NEO4J_PASSWORD=password,
                   GOVGRAPH_SECURITY_DB=str(tmp_path / "security.db"))
    made = subprocess.run([GOVGRAPH, "token", "create", "--role", "analyst"], env=api_env,
                          capture_output=True, text=True, cwd=ROOT, check=True)
    TOKEN["t"] = made.stdout.strip().splitlines()[-1]
    api = subprocess.Popen([GOVGRAPH, "serve", "--port", str(port)], env=api_env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if get(f"{base}/health")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        status, _, body = get(f"{base}/api/v1/nodes/p1")
        assert (status, body["name"]) == (200, "张三")

        stop = subprocess.run([str(SERVER), "stop"], env=env, capture_output=True, timeout=120)
        assert stop.returncode == 0
        for path in ("/api/v1/nodes/p1", "/api/v1/chains/leadership/p1",
                     "/api/v1/gaps/middle-weakening", "/api/v1/search?q=zs"):
            t = time.monotonic()
            status, headers, body = get(base + path)
            elapsed = time.monotonic() - t
            assert status == 503, (path, status, body)
            assert elapsed < 5, (path, elapsed)
            assert headers.get("retry-after") == "5"
            assert "unavailable" in body["detail"] and "Traceback" not in json.dumps(body)
        status, _, body = get(f"{base}/health")
        assert status == 503 and body["live"] is True and body["ready"] is False
        assert get(f"{base}/health/live")[0] == 200

        resume = subprocess.run([str(SERVER), "resume"], env=env, capture_output=True,
                                text=True, timeout=600)
        assert resume.returncode == 0, resume.stderr
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, _, body = get(f"{base}/api/v1/nodes/p1")
            if status == 200:
                break
            time.sleep(0.5)
        assert (status, body["name"]) == (200, "张三")  # same API process, no restart
        assert get(f"{base}/health")[0] == 200
        assert api.poll() is None
    finally:
        api.send_signal(signal.SIGTERM)
        api.wait(timeout=30)


def test_init_creates_constraints_and_indexes_from_the_schema(
        neo4j_server: tuple[str, str]) -> None:
    uri, password = neo4j_server
    r = subprocess.run([GOVGRAPH, "--store", uri, "init"], capture_output=True, text=True,
                       env=dict(os.environ, GOVGRAPH_NEO4J_PASSWORD=password), timeout=120)
    assert r.returncode == 0, r.stderr
    assert "ready (neo4j)" in r.stdout
    with Neo4jStore(uri, "neo4j", password) as s:
        rows = s.driver.execute_query("SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties "
                                      "RETURN name, labelsOrTypes, properties").records
        constraints = {r["name"]: (r["labelsOrTypes"], r["properties"]) for r in rows}
        assert constraints["govnode_id"] == (["GovNode"], ["id"])
        rows = s.driver.execute_query("SHOW INDEXES YIELD name RETURN name").records
        names = {r["name"] for r in rows}
        schema = s.schema
        roots = {lab for lab, d in schema.labels.items() if d.extends is None}
        assert {"Person", "PartyOrg", "Grid", "Community"} <= roots
        assert {f"name_{lab}" for lab in roots} <= names
        assert "name_Resident" not in names  # covered by name_Person
        assert {f"relid_{t}" for t in schema.relationships} <= names
