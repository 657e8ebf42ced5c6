"""Load test (issue 7): 50 concurrent clients for 60 s against one API worker on the
embedded store with Xinqiao at 500,000 residents, from another process (locust) on
127.0.0.1. Mix: search 3, leadership chain 3, neighbours 3, middle weakening 1.

Run by hand: ``python bench/load_api.py [--store PATH] [--users 50] [--seconds 60]
[--neo4j bolt://HOST:PORT]`` (builds the store when PATH does not exist). With
``--neo4j`` (password in ``GOVGRAPH_NEO4J_PASSWORD``) the same run then serves the same
scenario (same seed and date: the same graph) from Neo4j, loading it there first if
the server does not hold it, and reports both and their ratio. Writes
``bench/results/load_api.json``. Target (embedded): error rate 0, >= 500 requests/s
with p99 <= 100 ms; Neo4j's targets are the district issue's.

Two runs on the embedded store: **saturated** (each client asks again the moment it is
answered: the most requests/s the worker gives; with 50 clients waiting on one worker
every latency is then about 50 / throughput, the queue's length, whatever a request
costs) and **paced** at the target (``--rate``, default 500 requests/s: each client
asks 10 times a second, locust's ``constant_throughput``): the latency a caller sees
while the server carries 500 requests/s. Both are reported; the target is read on the
paced run, with the saturated one saying how much room is left.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import header  # noqa: E402

DAY = "2026-06-30"
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, token: str) -> int:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=600) as r:
        r.read()
        return int(r.status)


def _serve_and_load(store: str, tmp: str, tokens: list[str], communities: list[str],
                    plan: Path, args: argparse.Namespace) -> list[dict[str, str]]:
    """Serve ``store`` with one worker and run locust against it: its CSV rows."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, GOVGRAPH_STORE=store,
               GOVGRAPH_SECURITY_DB=str(Path(tmp) / "security.db"))
    server = subprocess.Popen([str(BIN / "govgraph"), "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                urllib.request.urlopen(f"{base}/health/ready", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the API did not come up") from None
                time.sleep(0.5)
        # warm: the search index and the cached middle weakening per community
        _get(f"{base}/api/v1/search?q=zs", tokens[0])
        for c in communities:
            _get(f"{base}/api/v1/gaps/middle-weakening?community={c}&as_of={DAY}", tokens[0])
        prefix = Path(tmp) / f"locust-{port}"
        subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"),
                        "--headless", "-u", str(args.users), "-r", str(args.users),
                        "-t", f"{args.seconds}s", "--host", base, "--csv", str(prefix),
                        "--only-summary", "--loglevel", "WARNING"],
                       env=dict(env, GOVGRAPH_LOAD_PLAN=str(plan)), check=False,
                       timeout=args.seconds + 120)
        with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    finally:
        server.terminate()
        server.wait(timeout=30)


def _ensure_neo4j(uri: str, residents: int, want: int) -> None:
    """The scenario in Neo4j (loaded when the server holds another graph)."""
    from graph.neo4j_store import Neo4jStore

    with Neo4jStore(uri, "neo4j", os.environ.get("GOVGRAPH_NEO4J_PASSWORD", "")) as neo:
        held = neo.counts().labels.get("Resident", 0)
        meta = neo.get_meta("scenario") or {}
        if held == want and meta.get("as_of") == DAY and not neo.get_meta("scenario_loading"):
            return
        neo.clear()
    subprocess.run([str(BIN / "govgraph"), "--store", uri, "load", "scenario", "xinqiao",
                    "--residents", str(residents), "--as-of", DAY], check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--store", default=str(Path(tempfile.gettempdir()) / "govgraph-load.db"))
    ap.add_argument("--residents", type=int, default=500_000)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "load_api.json"))
    ap.add_argument("--rate", type=float, default=500.0,
                    help="requests/s of the paced run, spread over the clients (0: none)")
    ap.add_argument("--neo4j", default=None, help="bolt:// URI: serve the same scenario "
                    "from Neo4j in the same run")
    args = ap.parse_args()
    from api.security import SecurityStore
    from graph.embedded import EmbeddedStore
    from queries.search import pinyin_keys

    if not Path(args.store).exists():
        subprocess.run([str(BIN / "govgraph"), "--store", args.store, "load", "scenario",
                        "xinqiao", "--residents", str(args.residents), "--as-of", DAY],
                       check=True)
    rnd = random.Random(7)
    with EmbeddedStore(args.store, read_only=True) as s:
        people = [n.id for n in s.nodes("PartyMember")] + [n.id for n in s.nodes("Resident")]
        orgs = [n.id for n in s.nodes("PartyOrg")] + [n.id for n in s.nodes("Building")]
        names = [n.name for n in s.nodes("PartyMember")]
        communities = [n.id for n in s.nodes("Community")]
        residents = s.counts().labels.get("Resident", 0)
    sample = rnd.sample(names, 300)
    queries = sample[:100] + [pinyin_keys(n)[0][0] for n in sample[100:200]] + [
        pinyin_keys(n)[1][0] for n in sample[200:]]
    with tempfile.TemporaryDirectory() as tmp:
        sec = SecurityStore(Path(tmp) / "security.db")
        tokens = [sec.create_token("analyst", label=f"load {i}")[0] for i in range(args.users)]
        sec.close()
        plan = Path(tmp) / "plan.json"
        content = {"tokens": tokens, "queries": queries, "day": DAY,
                   "nodes": rnd.sample(people, 2000) + rnd.sample(orgs, 500),
                   "communities": communities}
        plan.write_text(json.dumps(content, ensure_ascii=False))
        rows = _serve_and_load(args.store, tmp, tokens, communities, plan, args)
        paced_rows = None
        if args.rate:
            paced = Path(tmp) / "paced.json"
            paced.write_text(json.dumps({**content, "rate": args.rate / args.users},
                                        ensure_ascii=False))
            paced_rows = _serve_and_load(args.store, tmp, tokens, communities, paced, args)
        neo_rows = None
        if args.neo4j:
            _ensure_neo4j(args.neo4j, args.residents, residents)
            neo_rows = _serve_and_load(args.neo4j, tmp, tokens, communities, plan, args)

    def pick(r: dict[str, str]) -> dict[str, float]:
        return {"requests": int(r["Request Count"]), "failures": int(r["Failure Count"]),
                "requests_per_s": round(float(r["Requests/s"]), 1),
                "p50_ms": float(r["50%"]), "p95_ms": float(r["95%"]), "p99_ms": float(r["99%"]),
                "max_ms": round(float(r["Max Response Time"]), 1)}

    def totals(rs: list[dict[str, str]]) -> dict[str, float]:
        return pick(next(r for r in rs if r["Name"] == "Aggregated"))

    result = {**header("load_api"), "residents": residents, "users": args.users,
              "seconds": args.seconds, "workers": 1,
              "by_request": {r["Name"]: pick(r) for r in rows if r["Name"] != "Aggregated"},
              "total": totals(rows),
              "targets": {"requests_per_s": 500, "p99_ms": 100, "error_rate": 0}}
    if paced_rows is not None:
        result["paced"] = {
            "offered_requests_per_s": args.rate,
            "by_request": {r["Name"]: pick(r) for r in paced_rows if r["Name"] != "Aggregated"},
            "total": totals(paced_rows)}
    if neo_rows is not None:
        neo = totals(neo_rows)
        result["neo4j"] = {
            "by_request": {r["Name"]: pick(r) for r in neo_rows if r["Name"] != "Aggregated"},
            "total": neo,
            "ratio_neo4j_to_embedded": {
                "requests_per_s": round(neo["requests_per_s"] / result["total"]["requests_per_s"],
                                        3),
                "p99_ms": round(neo["p99_ms"] / result["total"]["p99_ms"], 2)}}
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: result[k] for k in ("total", "paced", "neo4j") if k in result},
                     indent=2))


if __name__ == "__main__":
    main()
