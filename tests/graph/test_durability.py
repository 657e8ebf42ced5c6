"""A batch is one SQLite transaction: after SIGKILL it is there entirely or not at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore

ROOT = Path(__file__).resolve().parents[2]
BATCH = 3000  # nodes per batch, plus one relationship per node

# The child loads batch after batch, announcing each commit. With PAUSE_IN=k it
# stops *inside* batch k's transaction (after the nodes are inserted, before the
# relationships and the commit) so the kill lands mid-batch for certain.
CHILD = textwrap.dedent("""
    import os, sys, time
    from graph.embedded import EmbeddedStore
    path, batches, pause_in = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    store = EmbeddedStore(path)
    current = {"k": -1}

    class Pausing:
        def __init__(self, db): self._db = db
        def __getattr__(self, name): return getattr(self._db, name)
        def execute(self, sql, *a):
            out = self._db.execute(sql, *a)
            if current["k"] == pause_in and sql.startswith("INSERT INTO nodes"):
                print("inside", current["k"], flush=True)
                time.sleep(120)
            return out

    store._db = Pausing(store._db)
    store.upsert([{"id": "street", "labels": ["Street"], "properties": {"name": "S"}}])
    for k in range(batches):
        current["k"] = k
        nodes = [{"id": f"b{k}-{i}", "labels": ["Community"],
                  "properties": {"name": f"c{k}-{i}", "area_km2": float(i)}}
                 for i in range(BATCH)]
        rels = [{"type": "PART_OF", "start": f"b{k}-{i}", "end": "street"}
                for i in range(BATCH)]
        print("begin", k, flush=True)
        store.upsert(nodes, rels)
        print("committed", k, flush=True)
""").replace("BATCH", str(BATCH))


def run_child(path: Path, batches: int, pause_in: int) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(batches),
                             str(pause_in)], stdout=subprocess.PIPE, text=True, env=env,
                            cwd=ROOT)


def batch_sizes(path: Path, batches: int) -> list[tuple[int, int]]:
    """(nodes, relationships) of each batch found in the reopened store."""
    with EmbeddedStore(path) as store:
        assert store.integrity_check() == "ok"
        street_in = store.neighbours("street", ["PART_OF"], "in")
        per_rel = [0] * batches
        for nb in street_in:
            per_rel[int(nb.node.id[1:].split("-")[0])] += 1
        per_node = [0] * batches
        for n in store.nodes("Community"):
            per_node[int(n.id[1:].split("-")[0])] += 1
        raw = store._db.execute("SELECT count(*) FROM nodes WHERE id LIKE 'b%'").fetchone()[0]
        assert raw == sum(per_node)  # the index agrees with the record
    return list(zip(per_node, per_rel, strict=True))


def test_sigkill_inside_a_batch_loses_only_that_batch(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    child = run_child(path, batches=6, pause_in=3)
    assert child.stdout is not None
    committed = []
    for line in child.stdout:
        word, k = line.split()
        if word == "committed":
            committed.append(int(k))
        if word == "inside":
            assert k == "3"
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert committed == [0, 1, 2]
    sizes = batch_sizes(path, 6)
    assert sizes[:3] == [(BATCH, BATCH)] * 3  # every committed batch complete
    assert sizes[3:] == [(0, 0)] * 3  # the interrupted one (and later) absent


@pytest.mark.parametrize("delay", [0.15, 0.6])
def test_sigkill_at_any_moment_leaves_whole_batches(tmp_path: Path, delay: float) -> None:
    path = tmp_path / "crash.db"
    child = run_child(path, batches=40, pause_in=10**6)  # never pauses
    assert child.stdout is not None
    committed = []
    for line in child.stdout:
        word, k = line.split()
        if word == "committed":
            committed.append(int(k))
            if len(committed) == 2:
                break
    time.sleep(delay)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    sizes = batch_sizes(path, 40)
    assert all(s in ((BATCH, BATCH), (0, 0)) for s in sizes), sizes
    done = [k for k, s in enumerate(sizes) if s == (BATCH, BATCH)]
    assert done == list(range(len(done))) and len(done) >= 2
    assert len(done) < 40  # the kill landed before the end
