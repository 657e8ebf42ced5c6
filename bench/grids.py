"""Benchmark: the whole street's grid overlap analysis and integration proposal on the
embedded store (Xinqiao, 500,000 residents by default), and beside them the other
issue-8 reports (post–duty–person, front-line forces, the patrol-case evaluation, the
explorer's map). Run by hand: ``python bench/grids.py [--store PATH]``; writes
``bench/results/grids.json``. Target (issue 8): overlap analysis + integration
proposal <= 2 s."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import header  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--store", default=str(Path(tempfile.gettempdir()) / "govgraph-grids.db"))
    ap.add_argument("--residents", type=int, default=500_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if not Path(args.store).exists():
        subprocess.run([str(Path(sys.executable).parent / "govgraph"), "--store", args.store,
                        "load", "scenario", "xinqiao", "--residents", str(args.residents),
                        "--as-of", "2026-06-30"], check=True)
    from graph.embedded import EmbeddedStore
    from queries.cases import case_evaluation
    from queries.forces import forces_report
    from queries.grid_duty import grid_duty
    from queries.grid_integration import integration_proposal
    from queries.grid_map import grid_map
    from queries.grids import overlap_analysis

    store = EmbeddedStore(args.store, read_only=True)
    times: dict[str, list[float]] = {"overlap_analysis_geometry": [],
                                     "integration_proposal": [], "both": [],
                                     "residents_per_worker_census": [], "grid_duty": [],
                                     "forces_report": [], "case_evaluation": [],
                                     "grid_map": []}
    others = {"grid_duty": lambda: grid_duty(store, "2026-06-30"),
              "forces_report": lambda: forces_report(store, "2026-06-30"),
              "case_evaluation": lambda: case_evaluation(store, "2026-06-30"),
              "grid_map": lambda: grid_map(store, "2026-06-30")}
    for _ in range(args.runs):
        t0 = time.perf_counter()
        r = overlap_analysis(store, as_of="2026-06-30", census=False)
        t1 = time.perf_counter()
        p = integration_proposal(store)
        t2 = time.perf_counter()
        overlap_analysis(store, as_of="2026-06-30")
        t3 = time.perf_counter()
        times["overlap_analysis_geometry"].append(t1 - t0)
        times["integration_proposal"].append(t2 - t1)
        times["both"].append(t2 - t0)
        times["residents_per_worker_census"].append((t3 - t2) - (t1 - t0))
        for name, fn in others.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    out = {**header("grids"), "residents": store.counts().labels.get("Resident", 0),
           "special_grids": len(r.special_grids), "crossing": len(r.crossing),
           "sub_grids": len(p.sub_grids), "cases": store.counts().labels.get("Case", 0),
           "runs": args.runs,
           "seconds_p50": {k: round(statistics.median(v), 3) for k, v in times.items()},
           "seconds_max": {k: round(max(v), 3) for k, v in times.items()},
           "target_seconds": 2.0}
    (ROOT / "bench" / "results" / "grids.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
