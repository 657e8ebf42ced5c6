"""Benchmark: the named queries on the embedded store at street scale.

Run by hand: ``python bench/queries_embedded.py --residents 500000`` (builds the
scenario in a temporary store first, or ``--store PATH`` to reuse one). Writes
``bench/results/queries_embedded.json``. Targets (issue 3): leadership chain p99
<= 5 ms, whole-street middle weakening <= 1 s, whole-street pairing <= 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import header  # noqa: E402
from graph.embedded import EmbeddedStore  # noqa: E402
from loaders.xinqiao import XinqiaoScenario, load_scenario  # noqa: E402
from queries.leadership_chain import leadership_chain  # noqa: E402
from queries.lookups import neighbourhood  # noqa: E402
from queries.middle_weakening import middle_weakening  # noqa: E402
from queries.pairing import pairing_proposal  # noqa: E402
from queries.search import search  # noqa: E402

DAY = dt.date(2026, 11, 29)


def timings(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def summary(ms: list[float]) -> dict[str, float]:
    s = sorted(ms)
    return {"runs": len(s), "p50_ms": round(statistics.median(s), 3),
            "p99_ms": round(s[min(len(s) - 1, int(len(s) * 0.99))], 3),
            "max_ms": round(s[-1], 3)}


def run(store: EmbeddedStore, seed: int = 1) -> dict[str, object]:
    rng = random.Random(seed)
    ids = sorted(store.graph._node)
    starts = rng.sample(ids, 1000)
    chain = [timings(lambda i=i: leadership_chain(store, i, DAY), 1)[0] for i in starts]
    hood = [timings(lambda i=i: neighbourhood(store, i, 2, limit=2000), 1)[0]
            for i in rng.sample(ids, 200)]
    names = [store.get_node(i).name for i in rng.sample(ids, 50)]
    search(store, "zs")  # the first search builds the name index
    found = [timings(lambda n=n: search(store, n), 1)[0] for n in names]
    return {
        "leadership_chain": summary(chain),
        "neighbourhood_depth2": summary(hood),
        "middle_weakening_street": summary(timings(lambda: middle_weakening(store, None, DAY),
                                                   5)),
        "pairing_proposal_street": summary(timings(lambda: pairing_proposal(store, None, 2,
                                                                            DAY), 3)),
        "search_by_name": summary(found),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--residents", type=int, default=500_000)
    ap.add_argument("--store", help="reuse a loaded embedded store")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "queries_embedded.json"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.store or str(Path(tmp) / "bench.db")
        if not args.store:
            with EmbeddedStore(path) as s:
                load_scenario(s, scenario=XinqiaoScenario(residents=args.residents, seed=7,
                                                          as_of=DAY))
        with EmbeddedStore(path, read_only=True) as store:
            c = store.counts()
            results = run(store)
    result = {**header("queries_embedded"), "residents": args.residents, "nodes": c.nodes,
              "relationships": c.rels, "results": results,
              "targets": {"leadership_chain_p99_ms": 5, "middle_weakening_street_ms": 1000,
                          "pairing_proposal_street_ms": 10_000}}
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
