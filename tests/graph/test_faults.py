"""Faults (issue 15): a Neo4j server that hangs (SIGSTOP on its JVM) while the API
serves, and its recovery."""

from __future__ import annotations

import os
import signal
import statistics
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.graphs import two_communities
from tests.servers import listening_pid, serving

PATHS = ["/api/v1/nodes/brA", "/api/v1/nodes/brA/neighbors?depth=2",
         "/api/v1/chains/leadership/mA2", "/api/v1/search?q=%E4%B8%8A%E6%98%9F", "/api/v1/stats",
         "/api/v1/orgs/ccA/members", "/api/v1/gaps/middle-weakening", "/health/ready"]


@pytest.mark.neo4j
def test_a_frozen_neo4j_gives_503_within_5_s_and_recovers(
        tmp_path: Path, neo4j_server: tuple[str, str]) -> None:
    """Eight requests at once to a frozen server each get a 503 with Retry-After within
    5 s, ``/health/live`` keeps answering at once, later requests fail fast (the
    breaker), and after SIGCONT the API answers again."""
    uri, password = neo4j_server
    pid = listening_pid(urlsplit(uri).port or 7687)
    with serving(tmp_path, two_communities(), neo4j=(uri, password),
                 rate_limit_per_second="1000", rate_limit_burst="1000") as server:
        token, _ = server.token("analyst")
        for path in PATHS:
            assert server.get(path, token)[0] == 200, path
        answers: list[tuple[str, int, float]] = []

        def ask(path: str) -> None:
            t = time.monotonic()
            status, _ = server.get(path, token)
            answers.append((path, status, time.monotonic() - t))

        os.kill(pid, signal.SIGSTOP)
        try:
            threads = [threading.Thread(target=ask, args=(p,)) for p in PATHS]
            for t in threads:
                t.start()
            time.sleep(0.5)
            live = []
            for _ in range(7):  # while the eight wait on the frozen server
                t0 = time.monotonic()
                assert server.get("/health/live")[0] == 200
                live.append(time.monotonic() - t0)
            for t in threads:
                t.join()
            t0 = time.monotonic()
            later = server.get("/api/v1/nodes/brA", token)[0]
            fast = time.monotonic() - t0
            # a CLI process meets the frozen server too: one line, and it exits
            import subprocess

            from tests.cli_helpers import GOVGRAPH
            t0 = time.monotonic()
            cli = subprocess.run([GOVGRAPH, "--store", uri, "stats"], capture_output=True,
                                 text=True, timeout=60,
                                 env=dict(os.environ, GOVGRAPH_NEO4J_PASSWORD=password))
            cli_took = time.monotonic() - t0
        finally:
            os.kill(pid, signal.SIGCONT)
        assert cli.returncode == 1 and "unavailable" in cli.stderr, cli.stderr
        assert "Traceback" not in cli.stderr and cli_took < 20, cli_took
        slow = [a for a in answers if a[1] != 503 or a[2] >= 5.0]
        assert len(answers) == len(PATHS) and slow == [], answers
        assert statistics.median(live) < 0.1, live
        assert later == 503 and fast < 2.5, (later, fast)
        back: Any = None
        for _ in range(60):
            back = server.get("/api/v1/nodes/brA", token)[0]
            if back == 200:
                break
            time.sleep(0.5)
        assert back == 200
        assert all(server.get(p, token)[0] == 200 for p in PATHS)


def test_if_empty_finishes_a_scenario_load_that_was_killed(tmp_path: Path) -> None:
    """``load scenario --if-empty`` (what ``make run`` does) on a store a killed load
    left partial loads it again, to the same graph as an uninterrupted load; on a whole
    one it does nothing."""
    import sqlite3
    import subprocess

    from tests.cli_helpers import GOVGRAPH
    from tests.conftest import ROOT

    def cmd(db: Path, *extra: str) -> list[str]:
        return [GOVGRAPH, "--store", str(db), "load", "scenario", "xinqiao", "--residents",
                "30000", "--as-of", "2026-06-30", *extra]

    whole = tmp_path / "whole.db"
    assert subprocess.run(cmd(whole), cwd=ROOT, capture_output=True, timeout=600
                          ).returncode == 0
    db = tmp_path / "killed.db"
    loader = subprocess.Popen(cmd(db), cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    seen = 0
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and loader.poll() is None:
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
                seen = c.execute("SELECT count(*) FROM nodes").fetchone()[0]
        except sqlite3.Error:
            seen = 0
        if seen > 0:
            loader.kill()
            break
        time.sleep(0.02)
    loader.wait(timeout=60)
    assert seen > 0, "the load finished before it could be killed"

    def counts(path: Path) -> tuple[int, int]:
        with sqlite3.connect(path) as c:
            return (c.execute("SELECT count(*) FROM nodes").fetchone()[0],
                    c.execute("SELECT count(*) FROM rels").fetchone()[0])

    assert counts(db) < counts(whole)
    # with other options than the killed load's: it finishes what was started
    again = subprocess.run(cmd(db, "--if-empty", "--seed", "9"), cwd=ROOT,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "did not finish" in again.stderr and "--seed 7" in again.stderr
    assert counts(db) == counts(whole)
    done = subprocess.run(cmd(db, "--if-empty"), cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0 and "not loading" in done.stdout
