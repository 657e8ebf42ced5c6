"""The ``govgraph`` command, end to end in subprocesses against real store files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli_helpers import GOVGRAPH
from tests.conftest import SCENARIO_DAY

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, store: Path | str | None = None, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    cmd = [GOVGRAPH] + (["--store", str(store)] if store else []) + list(args)
    e = dict(os.environ, COLUMNS="200", **(env or {}))
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=e, timeout=300)


def test_load_scenario_and_stats(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    r = run("load", "scenario", "xinqiao", "--residents", "5000", "--as-of", SCENARIO_DAY,
            store=db)
    assert r.returncode == 0, r.stderr
    assert "loaded Xinqiao scenario" in r.stdout
    r = run("stats", "--json", store=db)
    st = json.loads(r.stdout)
    labels = {x["label"]: x["count"] for x in st["labels"]}
    assert (labels["Community"], labels["DeployedStaff"], labels["Resident"]) == (7, 531, 5000)
    assert {g["kind"]: g["count"] for g in st["grids_by_kind"]}["base"] == 357
    assert st["two_heads_two_staff"] == 11_000
    table = run("stats", store=db).stdout
    assert "社区" in table and "基础网格" in table and "11,000" in table
    # --if-empty leaves a loaded store alone
    r = run("load", "scenario", "xinqiao", "--if-empty", store=db)
    assert r.returncode == 0 and "already holds" in r.stdout
    # the store setting comes from the environment too
    r = run("stats", "--json", env={"GOVGRAPH_STORE": str(db)})
    assert json.loads(r.stdout)["nodes"] == st["nodes"]


@pytest.mark.parametrize(("args", "message"), [
    (("load", "scenario", "xinqiao", "--residents", "10"), "residents must be between"),
    (("load", "scenario", "atlantis"), "unknown scenario 'atlantis'"),
    (("chain", "nobody"), "no node with id 'nobody'"),
    (("chain", "x", "--as-of", "2024-02-30"), "is not a date"),
    (("gaps", "--community", "nowhere"), "no node with id 'nowhere'"),
    (("pair", "--capacity", "-3"), "capacity=-3 must be an integer"),
])
def test_bad_input_is_one_clear_line(xinqiao_path: Path, tmp_path: Path,
                                     args: tuple[str, ...], message: str) -> None:
    db = tmp_path / "copy.db"
    shutil.copy(xinqiao_path, db)
    r = run(*args, store=db)
    assert r.returncode != 0
    assert message in r.stderr + r.stdout
    assert "Traceback" not in r.stderr


def test_unreachable_neo4j_is_a_clear_error(tmp_path: Path) -> None:
    r = run("stats", store="bolt://127.0.0.1:9")
    assert r.returncode == 1 and "Neo4j at 'bolt://127.0.0.1:9' is unavailable" in r.stderr
    assert "Traceback" not in r.stderr


def test_query_commands(xinqiao_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    shutil.copy(xinqiao_path, db)
    planted = json.loads(run("gaps", "--json", "--as-of", SCENARIO_DAY, store=db).stdout)
    assert {g["kind"] for g in planted["gaps"]} >= {"no_branch"}
    assert "中间弱化" in run("gaps", "--as-of", SCENARIO_DAY, store=db).stdout

    chain = json.loads(run("chain", "building-00001", "--json", "--as-of", SCENARIO_DAY,
                           store=db).stdout)
    assert chain["steps"][-1]["node"]["label"] == "WorkingCommittee"
    assert "领导链" in run("chain", "building-00001", "--as-of", SCENARIO_DAY, store=db).stdout

    hits = json.loads(run("search", chain["steps"][1]["leader"]["name"], "--json",
                          store=db).stdout)
    assert chain["steps"][1]["leader"]["id"] in {h["node"]["id"] for h in hits}

    p = json.loads(run("pair", "--json", "--as-of", SCENARIO_DAY, store=db).stdout)
    n = len(p["pairs"])
    assert n > 0
    r = run("pair", "--accept", "--as-of", SCENARIO_DAY, store=db)
    assert f"wrote {n} MENTORS" in r.stdout
    again = json.loads(run("pair", "--json", "--as-of", SCENARIO_DAY, store=db).stdout)
    assert len(again["kept"]) == len(p["kept"]) + n
