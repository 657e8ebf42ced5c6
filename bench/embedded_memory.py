"""The embedded store's memory against its size (issue 18): for scenario stores of
several sizes, the resident set of a fresh process after opening each (the index
built), against ``graph.capacity.estimate_bytes`` — the estimate behind the refusal to
load past this machine's memory.

Run by hand: ``python bench/embedded_memory.py [--residents 20000 100000 250000 500000]
[--dir /tmp]`` (builds each store ``<dir>/govgraph-mem-<R>.db`` when missing). Writes
``bench/results/embedded_memory.json``. Target: the estimate within 15% of every
measurement, and never below one by more than 5% (a refusal comes early rather than
late).
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

BIN = Path(sys.executable).parent
DAY = "2026-06-30"
MIB = 1024 * 1024

_PROBE = """
import json, sys, time
from graph.embedded import EmbeddedStore
t = time.perf_counter()
s = EmbeddedStore(sys.argv[1], read_only=True)
opened = time.perf_counter() - t
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
kib = lambda k: int(status[k].split()[0])
print(json.dumps({"records": s.records(), "open_seconds": round(opened, 2),
                  "rss_bytes": kib("VmRSS") * 1024, "peak_rss_bytes": kib("VmHWM") * 1024}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--residents", type=int, nargs="+", default=[20_000, 100_000, 250_000,
                                                                    500_000])
    ap.add_argument("--dir", default=tempfile.gettempdir())
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "embedded_memory.json"))
    args = ap.parse_args()
    from graph.capacity import estimate_bytes

    rows = []
    for r in args.residents:
        path = Path(args.dir) / f"govgraph-mem-{r}.db"
        if not path.exists():
            subprocess.run([str(BIN / "govgraph"), "--store", str(path), "load", "scenario",
                            "xinqiao", "--residents", str(r), "--as-of", DAY], check=True,
                           stdout=subprocess.DEVNULL)
        got = json.loads(subprocess.run([sys.executable, "-c", _PROBE, str(path)], check=True,
                                        capture_output=True, text=True, cwd=ROOT).stdout)
        est = estimate_bytes(got["records"])
        rows.append({"residents": r, **got, "estimate_bytes": est,
                     "estimate_to_peak": round(est / got["peak_rss_bytes"], 3)})
        print(f"{r:>8,} residents {got['records']:>10,} records: peak RSS "
              f"{got['peak_rss_bytes'] / MIB:,.0f} MiB, RSS {got['rss_bytes'] / MIB:,.0f} MiB, "
              f"estimate {est / MIB:,.0f} MiB ({rows[-1]['estimate_to_peak']:.2f}x), "
              f"open {got['open_seconds']} s")
    # the straight line through the measurements (least squares), to set the estimate by
    n = len(rows)
    xs = [row["records"] for row in rows]
    ys = [row["peak_rss_bytes"] for row in rows]
    mx, my = sum(xs) / n, sum(ys) / n
    slope = (sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
             / max(1, sum((x - mx) ** 2 for x in xs)))
    result = {**header("embedded_memory"), "sizes": rows,
              "fit": {"bytes_per_record": round(slope), "base_mib": round((my - slope * mx) / MIB)},
              "targets": {"estimate_within": 0.15, "estimate_below_at_most": 0.05}}
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["fit"]))


if __name__ == "__main__":
    main()
