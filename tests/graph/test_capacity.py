"""The embedded store refuses a write that would take its index past the memory it may
use (issue 18), names the estimate and Neo4j, and writes nothing; ``--force`` tries."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph import capacity
from graph.capacity import BASE_BYTES, BYTES_PER_RECORD, MIB, CapacityExceeded
from graph.embedded import EmbeddedStore
from graph.settings import get_settings
from tests.cli_helpers import GOVGRAPH
from tests.conftest import SCENARIO_DAY
from tests.graphs import node, rel, tiny_street

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def budget(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int], None]]:
    """Set the budget in MiB for the test (the settings are cached: cleared around it)."""

    def set_mib(mib: int) -> None:
        monkeypatch.setenv("GOVGRAPH_EMBEDDED_MEMORY_MB", str(mib))
        get_settings.cache_clear()

    get_settings.cache_clear()
    yield set_mib
    get_settings.cache_clear()


def _people(n: int, start: int = 0) -> list[dict[str, object]]:
    return [node(f"b{i}", "Building") for i in range(start, start + n)]


def test_records_count_nodes_and_relationships_through_writes(tmp_path: Path) -> None:
    nodes, rels = tiny_street()
    with EmbeddedStore(tmp_path / "s.db") as s:
        s.upsert(nodes, rels)
        c = s.counts()
        assert s.records() == c.nodes + c.rels == len(nodes) + len(rels)
        s.upsert(nodes, rels)  # the same again: nothing new
        assert s.records() == len(nodes) + len(rels)
        # a new building and the relationship to it; then the building deleted with it
        s.upsert([node("b-new", "Building")], [rel("PART_OF", "b-new", "rg1")])
        assert s.records() == len(nodes) + len(rels) + 2
        s.upsert(delete=["b-new"])
        assert s.records() == len(nodes) + len(rels)
    with EmbeddedStore(tmp_path / "s.db") as s:  # reopened: counted from the record
        assert s.records() == len(nodes) + len(rels)


def test_refused_past_the_budget_exactly_at_the_line(tmp_path: Path,
                                                    budget: Callable[[int], None]) -> None:
    # a budget of BASE + 10 records' bytes, rounded down to whole MiB: room for
    # floor((mib * MiB - BASE) / BYTES_PER_RECORD) records
    mib = BASE_BYTES // MIB + 1
    room = (mib * MIB - BASE_BYTES) // BYTES_PER_RECORD
    budget(mib)
    with EmbeddedStore(tmp_path / "s.db") as s:
        s.upsert(_people(room - 1))
        assert s.records() == room - 1
        with pytest.raises(CapacityExceeded) as e:
            s.upsert(_people(2, start=room - 1))  # one past the line
        assert s.records() == room - 1 and s.counts().nodes == room - 1  # nothing written
        msg = str(e.value)
        assert f"to {room + 1:,} records" in msg and "Neo4j" in msg and "--force" in msg
        assert f"GOVGRAPH_EMBEDDED_MEMORY_MB={mib}" in msg
        s.upsert(_people(1, start=room - 1))  # exactly to the line: accepted
        assert s.records() == room
        # what is stored may still be written again (updates add nothing)
        s.upsert([node("b0", "Building", name="改名")])
        assert s.get_node("b0").properties["name"] == "改名"
        s.allow_beyond_memory = True  # --force
        s.upsert(_people(3, start=room))
        assert s.records() == room + 3


def test_default_budget_is_three_quarters_of_the_machine(budget: Callable[[int], None],
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.delenv("GOVGRAPH_EMBEDDED_MEMORY_MB", raising=False)
    get_settings.cache_clear()
    monkeypatch.setattr(capacity, "machine_bytes", lambda: 8 * 1024 * MIB)
    got, source = capacity.budget_bytes()
    assert got == 6 * 1024 * MIB and "75% of this machine's 8.0 GiB" in source


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GOVGRAPH, *args], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, COLUMNS="300", **env), timeout=300)


def test_scenario_load_refused_before_writing_and_forced(tmp_path: Path) -> None:
    from loaders.xinqiao import XinqiaoScenario

    total = XinqiaoScenario(residents=5000).total_records
    need_mib = (BASE_BYTES + BYTES_PER_RECORD * total) / MIB
    # a budget one MiB short of the whole load (the estimate's own arithmetic)
    env = {"GOVGRAPH_EMBEDDED_MEMORY_MB": str(int(need_mib) - 1)}
    db = tmp_path / "x.db"
    args = ("--store", str(db), "load", "scenario", "xinqiao", "--residents", "5000",
            "--as-of", SCENARIO_DAY)
    r = _cli(*args, env=env)
    assert r.returncode == 1, r.stdout + r.stderr
    line = " ".join(r.stderr.split())
    assert f"loading {total:,} more records" in line and "Neo4j" in line, line
    assert "Traceback" not in r.stderr
    with EmbeddedStore(db, read_only=True) as s:
        assert s.records() == 0 and s.get_meta("scenario_loading") is None
    r = _cli(*args, "--force", env=env)
    assert r.returncode == 0, r.stderr
    with EmbeddedStore(db, read_only=True) as s:
        assert s.records() == total
    # a budget the load fits: no --force needed
    db2 = tmp_path / "y.db"
    r = _cli("--store", str(db2), *args[2:], env={"GOVGRAPH_EMBEDDED_MEMORY_MB":
                                                  str(int(need_mib) + 1)})
    assert r.returncode == 0, r.stderr


def test_roster_upload_past_the_budget_is_409_and_writes_nothing(
        tmp_path: Path, budget: Callable[[int], None]) -> None:
    """Over HTTP, the same refusal: an upload that would take the index past its budget
    answers 409 naming the estimate and Neo4j, and the store is as it was; one that fits
    is written."""
    from tests.api_helpers import client_for
    from tests.graphs import idn
    from tests.rosters import snapshot

    head = "姓名,身份证号,入党日期,所在党组织\n"

    def roster(n: int, start: int = 0) -> bytes:
        rows = [f"党员{i},{idn(f'44030619800101{i:03d}')},2001-07-01,上星第一支部\n"
                for i in range(start, start + n)]
        return (head + "".join(rows)).encode()

    mib = BASE_BYTES // MIB + 1  # room for (MiB - BASE) / BYTES_PER_RECORD records
    room = (mib * MIB - BASE_BYTES) // BYTES_PER_RECORD
    budget(mib)
    with EmbeddedStore(tmp_path / "s.db") as s:
        s.upsert(*tiny_street())
        held = s.records()
        # each member is a node and its MEMBER_OF: two records a row
        too_many = (room - held) // 2 + 1
        assert too_many < 1000  # the roster's ID numbers stay distinct
        before = snapshot(s)
        with client_for(s) as c:
            r = c.post("/api/v1/rosters/party_members", params={"as_of": "2026-06-30"},
                       files={"file": ("名册.csv", roster(too_many), "text/csv")})
            assert r.status_code == 409, r.text
            detail = r.json()["detail"]
            assert "Neo4j" in detail and f"GOVGRAPH_EMBEDDED_MEMORY_MB={mib}" in detail
            assert "Traceback" not in r.text
            assert snapshot(s) == before and s.records() == held
            r = c.post("/api/v1/rosters/party_members", params={"as_of": "2026-06-30"},
                       files={"file": ("名册.csv", roster(2), "text/csv")})
            assert r.status_code == 200 and r.json()["written"], r.text
            assert s.records() == held + 4
