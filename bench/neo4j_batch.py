"""Benchmark: rows per UNWIND statement (graph.neo4j_store.CHUNK) against load rate.

Run by hand: ``python bench/neo4j_batch.py``. Loads the Xinqiao scenario (20,000
residents) into a fresh Neo4j once per chunk size, twice each; writes
``bench/results/neo4j_batch.json``. The best size is what CHUNK is set to.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import graph.neo4j_store as ns  # noqa: E402
from bench.machine import header  # noqa: E402
from bench.neo4j_server import neo4j  # noqa: E402
from loaders.xinqiao import XinqiaoScenario, load_scenario  # noqa: E402

SIZES = (1_000, 5_000, 20_000, 50_000)


def main() -> None:
    results = []
    with neo4j() as (uri, password):
        store = ns.Neo4jStore(uri, "neo4j", password)
        for size in SIZES:
            for rep in range(2):
                store.clear()
                ns.CHUNK = size
                sc = XinqiaoScenario(residents=20_000, seed=7, as_of=dt.date(2026, 11, 29))
                t = time.perf_counter()
                r = load_scenario(store, scenario=sc)
                seconds = time.perf_counter() - t
                records = r["nodes"] + r["rels"]
                results.append({"chunk": size, "run": rep, "records": records,
                                "seconds": round(seconds, 2),
                                "records_per_second": round(records / seconds)})
                print(results[-1], flush=True)
        store.close()
    best = max(SIZES, key=lambda s: max(x["records_per_second"] for x in results
                                        if x["chunk"] == s))
    out = {**header("neo4j_batch"), "residents": 20_000, "batch_records": 20_000,
           "results": results, "best_chunk": best}
    path = ROOT / "bench" / "results" / "neo4j_batch.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
