"""Benchmark: load the Xinqiao scenario into a fresh embedded store, then reopen it.

Run by hand (``make bench`` or ``python bench/load_embedded.py --residents 500000``);
never part of the test suite. Writes ``bench/results/load_embedded.json``.
Targets (issue 2): load >= 50,000 records/s, reopen <= 15 s, peak RSS <= 2 GB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import header  # noqa: E402

REOPEN = """
import resource, sys, time
t = time.perf_counter()
from graph.embedded import EmbeddedStore
s = EmbeddedStore(sys.argv[1], read_only=True)
c = s.counts()
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, c.nodes, c.rels)
"""

LOAD = """
import resource, sys, time, json, datetime as dt
from graph.embedded import EmbeddedStore
from loaders.xinqiao import XinqiaoScenario, load_scenario
path, residents = sys.argv[1], int(sys.argv[2])
store = EmbeddedStore(path)
sc = XinqiaoScenario(residents=residents, seed=7, as_of=dt.date(2026, 11, 29))
t = time.perf_counter()
r = load_scenario(store, scenario=sc)
elapsed = time.perf_counter() - t
store.close()
print(json.dumps({"seconds": elapsed, "nodes": r["nodes"], "rels": r["rels"],
                  "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--residents", type=int, default=500_000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "load_embedded.json"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.db")
        # Each phase in its own process, so peak RSS is that phase's own.
        load = json.loads(subprocess.run([sys.executable, "-c", LOAD, path, str(args.residents)],
                                         cwd=ROOT, capture_output=True, text=True,
                                         check=True).stdout)
        reopen_s, reopen_rss, nodes, rels = subprocess.run(
            [sys.executable, "-c", REOPEN, path], cwd=ROOT, capture_output=True, text=True,
            check=True).stdout.split()
        size = Path(path).stat().st_size
    records = load["nodes"] + load["rels"]
    result = {
        **header("load_embedded"), "residents": args.residents,
        "nodes": load["nodes"],
        "relationships": load["rels"],
        "load_seconds": round(load["seconds"], 2),
        "load_records_per_second": round(records / load["seconds"]),
        "load_peak_rss_mib": round(load["peak_rss_kib"] / 1024),
        "reopen_seconds": round(float(reopen_s), 2),
        "reopen_peak_rss_mib": round(int(reopen_rss) / 1024),
        "reopened_counts_match": (int(nodes), int(rels)) == (load["nodes"], load["rels"]),
        "db_file_mib": round(size / 2**20),
        "targets": {"load_records_per_second": 50_000, "reopen_seconds": 15,
                    "peak_rss_mib": 2048},
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
