"""Installs as users install them (issue 16): the wheel carries every file the code
reads at run time, building it warns of nothing, and a non-editable install into a
fresh venv runs — on the embedded store and against Neo4j (``graph/neo4j_store.py``
reads its Cypher file: the wheel once shipped without it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ("graph", "queries", "api", "loaders")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", str(ROOT), "-w",
                        str(out)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    noise = [line for line in (r.stdout + r.stderr).splitlines() if "warn" in line.lower()]
    assert noise == [], noise[:5]
    (found,) = out.glob("govgraph-*.whl")
    return found


def test_the_wheel_carries_every_file_of_the_packages(wheel: Path) -> None:
    tracked = subprocess.run(["git", "ls-files", *PACKAGES], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    with zipfile.ZipFile(wheel) as z:
        shipped = {n for n in z.namelist() if ".dist-info/" not in n}
    missing = sorted(set(tracked) - shipped)
    assert missing == [], missing
    assert "graph/neo4j_store.cypher" in shipped and "graph/schema/labels.yaml" in shipped


@pytest.fixture(scope="module")
def fresh(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv holding the wheel, not an editable install; the dependencies come
    from this environment's site-packages (a path added, its .pth files not run, so
    its editable govgraph stays out)."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                        str(wheel)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], capture_output=True, text=True, check=True
                          ).stdout.strip()
    Path(site, "deps-from-project.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def _run(venv: Path, *args: str, cwd: Path, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv / "bin" / args[0]), *args[1:]], cwd=cwd, timeout=600,
                          capture_output=True, text=True,
                          env={k: v for k, v in (env or os.environ).items()
                               if k != "PYTHONPATH"})


def test_a_fresh_install_loads_the_scenario_and_counts_it(fresh: Path,
                                                          tmp_path: Path) -> None:
    where = _run(fresh, "python", "-c", "import graph.neo4j_store, api.cli, loaders.roster; "
                 "print(graph.neo4j_store.__file__)", cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().startswith(str(fresh)), where.stdout
    db = tmp_path / "g.db"
    load = _run(fresh, "govgraph", "--store", str(db), "load", "scenario", "xinqiao",
                "--residents", "5000", "--as-of", "2026-06-30", cwd=tmp_path)
    assert load.returncode == 0, load.stderr[-2000:]
    stats = _run(fresh, "govgraph", "--store", str(db), "stats", "--json", cwd=tmp_path)
    assert stats.returncode == 0, stats.stderr
    labels = {c["label"]: c["count"] for c in json.loads(stats.stdout)["labels"]}
    assert labels["Resident"] >= 5000 and labels["Community"] == 7
    template = _run(fresh, "govgraph", "template", "party_members", "-o",
                    str(tmp_path / "t.xlsx"), cwd=tmp_path)
    assert template.returncode == 0 and (tmp_path / "t.xlsx").stat().st_size > 0, \
        template.stderr


@pytest.mark.neo4j
def test_a_fresh_install_talks_to_neo4j(fresh: Path, tmp_path: Path,
                                        neo4j_server: tuple[str, str]) -> None:
    uri, password = neo4j_server
    env = dict(os.environ, GOVGRAPH_NEO4J_PASSWORD=password)
    init = _run(fresh, "govgraph", "--store", uri, "init", cwd=tmp_path, env=env)
    assert init.returncode == 0, init.stderr[-2000:]
    stats = _run(fresh, "govgraph", "--store", uri, "stats", "--json", cwd=tmp_path, env=env)
    assert stats.returncode == 0, stats.stderr[-2000:]
    assert "labels" in json.loads(stats.stdout)
