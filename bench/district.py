"""The district at growing size (issue 18): for 1, 2, 5 and 10 of Bao'an's streets, the
load by the driver and by ``neo4j-admin database import full``, the embedded store's
resident set and reopen time (until its memory budget refuses), and on each backend
p50/p99 of a leadership chain, one street's middle weakening, one community's pairing,
search and a depth-2 neighbourhood.

Run by hand: ``python bench/district.py [--streets 1 2 5 10] [--residents-per-street R]
[--heap 4g --pagecache 4g] [--dir /tmp]``. Each size runs in processes of its own (the
embedded store's index is freed between sizes) and a fresh Neo4j per size (started by
scripts/neo4j-server). Writes ``bench/results/district.json`` and the plot
``bench/results/district.svg``. Targets (Neo4j, 10 streets): chain p99 <= 20 ms,
one street's middle weakening <= 2 s, search p99 <= 50 ms; bulk import >= 5x the
driver's records/s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.compare_backends import summary, timed  # noqa: E402
from bench.embedded_memory import _PROBE  # noqa: E402
from bench.machine import header  # noqa: E402

BIN = Path(sys.executable).parent
DAY = "2026-06-30"
SERVER = ROOT / "scripts" / "neo4j-server"
QUERIES = ("leadership_chain", "middle_weakening_street", "pairing_community", "search",
           "neighbourhood_depth2")


def _load_args(streets: int, per_street: int | None) -> list[str]:
    return ["load", "scenario", "baoan", "--streets", str(streets), "--as-of", DAY,
            *(["--residents-per-street", str(per_street)] if per_street else [])]


def workloads(store: Any, seed: int = 1) -> dict[str, Any]:
    """The five questions on ``store``: the same start nodes on every backend (drawn
    from the ids the embedded store would hold, by label counts read from the store)."""
    from queries.leadership_chain import leadership_chain
    from queries.lookups import neighbourhood
    from queries.middle_weakening import middle_weakening
    from queries.pairing import pairing_proposal
    from queries.search import search

    rng = random.Random(seed)
    ids = sorted(n.id for lab in ("PartyMember", "Building", "Grid", "Branch", "Enterprise")
                 for n in store.nodes(lab))
    starts, hoods = rng.sample(ids, 300), rng.sample(ids, 100)
    names = [n.name for n in store.get_nodes(rng.sample(ids, 50)).values()]
    search(store, "zs")  # the first search builds the name index; not timed
    return {
        "leadership_chain": summary([timed(lambda i=i: leadership_chain(store, i, DAY))
                                     for i in starts]),
        "middle_weakening_street": summary([
            timed(lambda: middle_weakening(store, None, DAY, street="street-xinqiao"))
            for _ in range(3)]),
        "pairing_community": summary([
            timed(lambda: pairing_proposal(store, "community-xinqiao", 2, DAY))
            for _ in range(2)]),
        "search": summary([timed(lambda n=n: search(store, n)) for n in names]),
        "neighbourhood_depth2": summary([timed(lambda i=i: neighbourhood(store, i, 2,
                                                                         limit=2000))
                                         for i in hoods]),
    }


def _child(args: argparse.Namespace) -> None:
    """``--child embedded PATH`` / ``--child neo4j URI``: the workloads, as JSON."""
    import gc

    kind, where = args.child
    if kind == "embedded":
        from graph.embedded import EmbeddedStore

        store: Any = EmbeddedStore(where, read_only=True)
        gc.freeze()
    else:
        from graph.neo4j_store import Neo4jStore

        store = Neo4jStore(where, "neo4j", os.environ["GOVGRAPH_NEO4J_PASSWORD"])
    print(json.dumps(workloads(store)))
    store.close()


def _run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    t = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - t, done.stdout


def _child_json(kind: str, where: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    _, out = _run([sys.executable, str(Path(__file__).resolve()), "--child", kind, where],
                  env)
    return dict(json.loads(out.strip().splitlines()[-1]))


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def one_size(streets: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    from graph.capacity import budget_bytes, estimate_bytes
    from loaders.baoan import BaoanScenario

    sc = BaoanScenario(streets=streets, residents_per_street=args.residents_per_street,
                       as_of=DAY)
    records = sc.total_records
    row: dict[str, Any] = {"streets": streets, "records": records,
                           "residents": sum(sc.residents.values())}
    db = tmp / f"district-{streets}.db"
    # the embedded store, while its budget lets it
    budget, why = budget_bytes()
    fits = estimate_bytes(records) <= budget
    row["embedded"] = {"fits": fits, "estimate_bytes": estimate_bytes(records),
                       "budget_bytes": budget, "budget_from": why}
    if fits:
        secs, _ = _run([str(BIN / "govgraph"), "--store", str(db), *_load_args(
            streets, args.residents_per_street)])
        _, out = _run([sys.executable, "-c", _PROBE, str(db)])
        row["embedded"].update(load_seconds=round(secs, 1),
                               load_records_per_second=round(records / secs),
                               **json.loads(out), queries=_child_json("embedded", str(db)))
    print(json.dumps({"streets": streets, "embedded": row["embedded"].get("load_seconds")}),
          flush=True)
    # Neo4j by the driver, on a fresh server
    env_base = dict(os.environ, GOVGRAPH_NEO4J_HEAP=args.heap,
                    GOVGRAPH_NEO4J_HEAP_INITIAL=args.heap,
                    GOVGRAPH_NEO4J_PAGECACHE=args.pagecache)
    home = tmp / f"neo-{streets}"
    env = dict(env_base, GOVGRAPH_NEO4J_HOME=str(home))
    _, out = _run([str(SERVER), "start"], env)
    uri = out.strip().splitlines()[-1]
    env["GOVGRAPH_NEO4J_PASSWORD"] = (home / "password").read_text().strip()
    try:
        secs, _ = _run([str(BIN / "govgraph"), "--store", uri, *_load_args(
            streets, args.residents_per_street)], env)
        row["neo4j_driver"] = {"load_seconds": round(secs, 1),
                               "load_records_per_second": round(records / secs),
                               "store_bytes": _du(home / "data"),
                               "queries": _child_json("neo4j", uri, env)}
        print(json.dumps({"streets": streets, "driver": secs}), flush=True)
        # the bulk path: the graph's CSV export through neo4j-admin (from the embedded
        # store when it holds the district, else from this server)
        csv_dir = tmp / f"csv-{streets}"
        source = str(db) if fits else uri
        export_secs, _ = _run([str(BIN / "govgraph"), "--store", source, "export", "csv",
                               str(csv_dir), "--raw"], env)
    finally:
        _run([str(SERVER), "stop"], env)
    admin_home = tmp / f"admin-{streets}"
    admin_env = dict(env_base, GOVGRAPH_NEO4J_HOME=str(admin_home))
    try:
        secs, out = _run([str(SERVER), "import", str(csv_dir)], admin_env)
        admin_uri = out.strip().splitlines()[-1]
        admin_env["GOVGRAPH_NEO4J_PASSWORD"] = (admin_home / "password").read_text().strip()
        alone = import_seconds(admin_home) or secs
        row["neo4j_admin"] = {"export_seconds": round(export_secs, 1),
                              "import_and_start_seconds": round(secs, 1),
                              "import_seconds": alone,
                              "import_records_per_second": round(records / alone),
                              "queries": _child_json("neo4j", admin_uri, admin_env)}
    finally:
        _run([str(SERVER), "stop"], admin_env)
    row["bulk_over_driver"] = round(row["neo4j_admin"]["import_records_per_second"]
                                    / row["neo4j_driver"]["load_records_per_second"], 2)
    for path in (db, *db.parent.glob(db.name + "*")):
        path.unlink(missing_ok=True)
    return row


def import_seconds(home: Path) -> float | None:
    """What neo4j-admin itself reports (``IMPORT DONE in 1m 2s 345ms``): the import
    alone, without the server's start that ``scripts/neo4j-server import`` adds."""
    import re

    try:
        text = (home / "logs" / "import.log").read_text(errors="replace")
    except OSError:
        return None
    m = re.search(r"IMPORT DONE in ([^.]+)\.", text)
    if not m:
        return None
    unit = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return round(sum(int(n) * unit[u] for n, u in re.findall(r"(\d+)(ms|h|m|s)",
                                                             m.group(1))), 3)


def svg(rows: list[dict[str, Any]]) -> str:
    """p99 of each question against records, one line per backend (log scale)."""
    import math

    w, h, pad = 760, 420, 60
    series: dict[str, list[tuple[float, float]]] = {}
    for r in rows:
        for backend in ("embedded", "neo4j_driver", "neo4j_admin"):
            q = (r.get(backend) or {}).get("queries")
            for name in QUERIES if q else ():
                series.setdefault(f"{backend} · {name}", []).append(
                    (r["records"], max(q[name]["p99_ms"], 0.01)))
    xs = [x for pts in series.values() for x, _ in pts] or [1]
    ys = [y for pts in series.values() for _, y in pts] or [1]
    x0, x1 = 0, max(xs) * 1.05
    y0, y1 = math.log10(min(ys)) - 0.2, math.log10(max(ys)) + 0.2

    def px(x: float, y: float) -> tuple[float, float]:
        return (pad + (x - x0) / (x1 - x0) * (w - 2 * pad),
                h - pad - (math.log10(y) - y0) / (y1 - y0) * (h - 2 * pad))

    colours = ["#b91c1c", "#1d4ed8", "#15803d", "#a16207", "#7c3aed"]
    dashes = {"embedded": "", "neo4j_driver": "6 3", "neo4j_admin": "2 3"}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           'font-family="sans-serif" font-size="11">',
           f'<text x="{w / 2}" y="18" text-anchor="middle">p99 (ms, log) against records '
           '(millions)</text>']
    for e in range(math.floor(y0), math.ceil(y1) + 1):
        _, y = px(x0, 10 ** e)
        if pad <= y <= h - pad:
            out.append(f'<line x1="{pad}" y1="{y:.1f}" x2="{w - pad}" y2="{y:.1f}" '
                       'stroke="#ddd"/><text x="{0}" y="{1:.1f}" text-anchor="end">{2:g}'
                       '</text>'.format(pad - 4, y + 4, 10 ** e))
    for r in rows:
        x, _ = px(r["records"], 10 ** y0)
        out.append(f'<text x="{x:.1f}" y="{h - pad + 16}" text-anchor="middle">'
                   f'{r["records"] / 1e6:.1f}</text>')
    for name, pts in sorted(series.items()):
        backend, query = name.split(" · ")
        colour = colours[QUERIES.index(query) % len(colours)]
        path = " ".join(f"{px(x, y)[0]:.1f},{px(x, y)[1]:.1f}" for x, y in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                   f'stroke-dasharray="{dashes[backend]}" stroke-width="1.5"/>')
    legend_y = h - 12
    out.append(f'<text x="{pad}" y="{legend_y}">solid: embedded · dashed: Neo4j (driver) · '
               'dotted: Neo4j (neo4j-admin) — colours: ' + ", ".join(
                   f'<tspan fill="{colours[i]}">{q}</tspan>' for i, q in enumerate(QUERIES))
               + "</text>")
    out.append("</svg>")
    return "\n".join(x for x in out if x)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--streets", type=int, nargs="+", default=[1, 2, 5, 10])
    ap.add_argument("--residents-per-street", type=int, default=None)
    ap.add_argument("--heap", default="4g")
    ap.add_argument("--pagecache", default="4g")
    ap.add_argument("--dir", default=tempfile.gettempdir())
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "district.json"))
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args)
        return
    rows = []
    result: dict[str, Any] = {**header("district"), "day": DAY,
                              "residents_per_street": args.residents_per_street,
                              "neo4j": {"heap": args.heap, "pagecache": args.pagecache},
                              "targets": {"neo4j_10_streets": {
                                  "leadership_chain_p99_ms": 20,
                                  "middle_weakening_street_s": 2, "search_p99_ms": 50},
                                  "bulk_over_driver": 5}}
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for n in args.streets:
            rows.append(one_size(n, args, Path(tmp)))
            result["sizes"] = rows  # written after each size: a long run keeps its part
            Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
            Path(args.out).with_suffix(".svg").write_text(svg(rows) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
