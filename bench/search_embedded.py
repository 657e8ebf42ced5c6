"""Benchmark: search on the embedded store at street scale (FTS5 trigram index).

Run by hand: ``python bench/search_embedded.py --residents 500000`` (loads the scenario
into a fresh store first, timing the load and the reopen with the index; ``--store
PATH`` reuses a loaded store, ``--keep PATH`` keeps the one it loads; ``--upgrade
PATH`` also times making the index in a copy of a store written before it). Writes
``bench/results/search_embedded.json``. Target (issue 17): search p99 <= 50 ms at
500,000 residents for typed queries — short names, substrings, pinyin, initials,
typos — each asked with no answer kept (the answer cache emptied before each).
The load and the reopen are timed with and without the index, one after the other on
the same machine (and set beside bench/results/load_embedded.json, the store before
the index, measured another day).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import header  # noqa: E402

LOAD = """
import resource, sys, time, json, datetime as dt
import graph.embedded_search as es
from graph.embedded import EmbeddedStore
from loaders.xinqiao import XinqiaoScenario, load_scenario
path, residents, index = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "index"
if not index:  # the store as it was before the index: nothing written for search
    es.SearchIndex.write = lambda self, db, nodes, deleted: None
    es.SearchIndex.ensure = lambda self, db, nodes: False
store = EmbeddedStore(path)
sc = XinqiaoScenario(residents=residents, seed=7, as_of=dt.date(2026, 11, 29))
t, c = time.perf_counter(), time.process_time()
r = load_scenario(store, scenario=sc)
elapsed, cpu = time.perf_counter() - t, time.process_time() - c
store.close()
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "nodes": r["nodes"],
                  "rels": r["rels"],
                  "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

REOPEN = """
import resource, sys, time
t = time.perf_counter()
from graph.embedded import EmbeddedStore
s = EmbeddedStore(sys.argv[1], read_only=True)
c = s.counts()
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, c.nodes)
"""

UPGRADE = """
import sys, time
t = time.perf_counter()
from graph.embedded import EmbeddedStore
s = EmbeddedStore(sys.argv[1])
print(time.perf_counter() - t)
s.close()
"""

SHORT_NAMES = ["上星社区党委", "上星党委", "黄埔党委", "第一支部", "上星第一支部", "新桥党工委",
               "上寮东片党总支", "上星工作站", "上星居委会", "上星股份公司", "上星", "新桥"]
SUBSTRINGS = ["党委", "社区党委", "第一党支部", "基础网格", "股份合作", "党群服务", "东路1巷",
              "工业园", "有限公司", "消格"]
PINYIN = ["shangxing", "xinqiao", "dangwei", "shangxingdangwei", "zhang", "wang", "chen", "liu",
          "li"]
INITIALS = ["sx", "sxdw", "xq", "xqjd", "zs", "zw", "lm", "wf"]
TYPOS = ["上星社区党季", "上新社区党委", "黄浦社区党委", "shangxnig", "xinqaio", "dnagwei",
         "shagnxingdangwei"]
ONE_CHARACTER = ["上", "张", "王", "z", "s"]


def _swap(s: str, rng: random.Random) -> str:
    i = rng.randrange(1, max(2, len(s) - 2))
    return s[:i] + s[i + 1] + s[i] + s[i + 2:] if len(s) > 3 else s


def typed_queries(store: Any, seed: int = 1) -> dict[str, list[str]]:
    """The queries by kind: the fixed ones, and from random nodes their names, pieces,
    pinyin, initials and one typo each."""
    from graph.names import pinyin_keys

    rng = random.Random(seed)
    people = sorted(store._by_label["Person"])
    places = sorted(i for lab in ("PartyOrg", "Grid", "Enterprise", "ResidentGroup",
                                  "Building") for i in store._by_label.get(lab, ()))
    persons = [store.get_node(i).name for i in rng.sample(people, 40)]
    others = [store.get_node(i).name for i in rng.sample(places, 20)]
    spelled = [pinyin_keys(n) for n in persons]
    return {
        "short_names": SHORT_NAMES,
        "substrings": SUBSTRINGS + [n[2:6] for n in others if len(n) >= 6],
        "names": persons[:20] + others[:10],
        "pinyin": PINYIN + [f[0] for f, _ in spelled[:20]] + [f[0][:4] for f, _ in spelled[20:]],
        "initials": INITIALS + [i[0] for _, i in spelled[:20]],
        "typos": TYPOS + [_swap(f[0], rng) for f, _ in spelled[:20]],
        "one_character": ONE_CHARACTER,
    }


def summary(ms: list[float]) -> dict[str, float]:
    s = sorted(ms)
    return {"runs": len(s), "p50_ms": round(statistics.median(s), 3),
            "p99_ms": round(s[min(len(s) - 1, int(len(s) * 0.99))], 3),
            "max_ms": round(s[-1], 3)}


def time_queries(store: Any, kinds: dict[str, list[str]], runs: int = 3) -> dict[str, Any]:
    import queries.search as qs
    from api.redaction import Visibility
    from api.security import Caller

    vis = Visibility(Caller("bench", "community", "community-shangxing"), store)

    def timed(fn: Any) -> float:
        qs._kept.clear()  # no answer kept: every search asks the index
        t = time.perf_counter()
        fn()
        return (time.perf_counter() - t) * 1000

    cold = {k: [timed(lambda q=q: qs.search(store, q)) for q in qs_] for k, qs_ in kinds.items()}
    out: dict[str, Any] = {"cold_first_pass": {k: summary(v) for k, v in cold.items()}}
    flat: dict[str, list[float]] = {}
    grouped: dict[str, list[float]] = {}
    scoped: dict[str, list[float]] = {}
    for k, qs_ in kinds.items():
        for _ in range(runs):
            for q in qs_:
                flat.setdefault(k, []).append(timed(lambda q=q: qs.search(store, q)))
                grouped.setdefault(k, []).append(timed(lambda q=q: qs.search_grouped(store, q)))
                scoped.setdefault(k, []).append(timed(lambda q=q: qs.search(
                    store, q, visible=vis.node_ok, scope=("community", "x"))))
    typed = [k for k in kinds if k != "one_character"]
    out["search"] = {k: summary(v) for k, v in flat.items()}
    out["search"]["typed_all"] = summary([x for k in typed for x in flat[k]])
    out["search_grouped"] = {k: summary(v) for k, v in grouped.items()}
    out["search_grouped"]["typed_all"] = summary([x for k in typed for x in grouped[k]])
    out["search_community_token"] = {k: summary(v) for k, v in scoped.items()}
    out["search_community_token"]["typed_all"] = summary(
        [x for k in typed for x in scoped[k]])
    out["examples"] = {q: [h.node.name for h in qs.search(store, q, limit=3)]
                       for q in ("上星党委", "上星", "党委", "第一支部", "sxdw", "上星社区党季",
                                 "shangxnig")}
    return out


def index_size_mib(path: str) -> float | None:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search%'").fetchone()
        return round(row[0] / 2**20, 1) if row and row[0] else None
    except sqlite3.Error:  # no dbstat in this SQLite
        return None
    finally:
        db.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--residents", type=int, default=500_000)
    ap.add_argument("--store", help="reuse a loaded embedded store")
    ap.add_argument("--keep", help="keep the store it loads here")
    ap.add_argument("--upgrade", help="time making the index in a copy of this older store")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "search_embedded.json"))
    args = ap.parse_args()
    from graph.embedded import EmbeddedStore

    result: dict[str, Any] = {**header("search_embedded"), "residents": args.residents}
    with tempfile.TemporaryDirectory() as tmp:
        path = args.store or args.keep or str(Path(tmp) / "bench.db")
        if not args.store:
            # the same load without the index first, on the machine as it is now (the
            # machine is shared: the figures of another day are no measure)
            for key, how, where in (("load_without_index", "none", str(Path(tmp) / "x.db")),
                                    ("load", "index", path)):
                load = json.loads(subprocess.run(
                    [sys.executable, "-c", LOAD, where, str(args.residents), how], cwd=ROOT,
                    capture_output=True, text=True, check=True).stdout)
                records = load["nodes"] + load["rels"]
                result[key] = {"seconds": round(load["seconds"], 2),
                               "cpu_seconds": round(load["cpu_seconds"], 2),
                               "records_per_second": round(records / load["seconds"]),
                               "peak_rss_mib": round(load["peak_rss_kib"] / 1024)}
            result["baseline_store_file_mib"] = round(
                (Path(tmp) / "x.db").stat().st_size / 2**20)
            reopened = subprocess.run([sys.executable, "-c", REOPEN, str(Path(tmp) / "x.db")],
                                      cwd=ROOT, capture_output=True, text=True,
                                      check=True).stdout.split()
            result["reopen_without_index"] = {"seconds": round(float(reopened[0]), 2)}
            if not args.upgrade:
                args.upgrade = str(Path(tmp) / "x.db")
        reopen_s, reopen_rss, nodes = subprocess.run(
            [sys.executable, "-c", REOPEN, path], cwd=ROOT, capture_output=True, text=True,
            check=True).stdout.split()
        result["reopen"] = {"seconds": round(float(reopen_s), 2),
                            "peak_rss_mib": round(int(reopen_rss) / 1024)}
        result["nodes"] = int(nodes)
        result["db_file_mib"] = round(Path(path).stat().st_size / 2**20)
        result["search_index_mib"] = index_size_mib(path)
        if args.upgrade:
            old = str(Path(tmp) / "old.db")
            shutil.copy(args.upgrade, old)
            made = subprocess.run([sys.executable, "-c", UPGRADE, old], cwd=ROOT,
                                  capture_output=True, text=True, check=True).stdout
            result["index_made_at_first_open_of_an_older_store_seconds"] = round(
                float(made), 2)
        with EmbeddedStore(path, read_only=True) as store:
            kinds = typed_queries(store)
            result["queries"] = kinds
            result["results"] = time_queries(store, kinds)
    baseline = ROOT / "bench" / "results" / "load_embedded.json"
    if baseline.exists():
        b = json.loads(baseline.read_text(encoding="utf-8"))
        result["baseline_before_the_index"] = {
            "source": "bench/results/load_embedded.json", "commit": b["machine"].get("commit"),
            "load_records_per_second": b["load_records_per_second"],
            "load_seconds": b["load_seconds"], "reopen_seconds": b["reopen_seconds"],
            "db_file_mib": b["db_file_mib"]}
    result["targets"] = {"search_p99_ms": 50}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "queries"}, indent=2,
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
