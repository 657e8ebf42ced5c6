"""Benchmark: load a large party-member roster (党员花名册) into the embedded store.

A store holding the Xinqiao scenario (5,000 residents: its party organisations and
buildings) gets a roster of ``--rows`` party members that name existing branches and
buildings by name, as an organisation department's export would. Each load runs in its
own process so its peak RSS is its own. Rows/s counts the whole load: reading, every
check, reference resolution and the write. Also checks a 1,000,000-row CSV (a dry
run: the loader's own memory, which holds ids, not rows) and, with ``--huge-load``,
loads it (then the embedded store's in-memory index of the new million people
dominates RSS). ``--huge 0`` skips it.

Run by hand: ``python bench/roster_load.py``; writes ``bench/results/roster_load.json``.
Targets (issue 6): >= 10,000 rows/s validated and written; peak RSS <= 500 MB.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import machine  # noqa: E402

HEAD = ["姓名", "性别", "公民身份号码", "手机号码", "入党日期", "正式党员", "所在党组织",
        "党内职务", "居住楼栋"]

LOAD = """
import json, resource, sys, time
from graph.embedded import EmbeddedStore
from loaders.roster import load_roster
store = EmbeddedStore(sys.argv[1])
t = time.perf_counter()
r = load_roster(store, sys.argv[2], "party_members", as_of="2026-11-29",
                dry_run=sys.argv[3] == "dry")
elapsed = time.perf_counter() - t
store.close()
print(json.dumps({"seconds": elapsed, "rows": r.rows, "ok": r.ok, "errors": r.errors,
                  "changes": r.changes,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _rows(n: int, orgs: list[str], buildings: list[str], seed: int = 1):  # type: ignore[no-untyped-def]
    from graph.formats import check_digit

    rnd = random.Random(seed)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧建国平"
    for i in range(n):
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rnd.randrange(60 * 365))
        # 440304 (Futian): numbers the scenario (440306, Bao'an) never gives, so no row
        # is someone already stored under another name
        first17 = f"440304{born:%Y%m%d}{i % 1000:03d}"
        name = rnd.choice(surnames) + rnd.choice(given) + rnd.choice(given)
        rnd.choice("男女")  # (the draw kept: the same names, phones and dates as before)
        # the gender the ID number says (its 17th digit: odd for men), as the roster checks
        yield [name, "男" if int(first17[16]) % 2 else "女", first17 + check_digit(first17),
               f"1{rnd.choice('3589')}{rnd.randrange(10**9):09d}",
               (born + dt.timedelta(days=365 * 20 + rnd.randrange(3000))).isoformat(),
               rnd.choice("是是是否"), rnd.choice(orgs), rnd.choice(["", "", "", "委员"]),
               rnd.choice(buildings)]


def _unique(rows, n: int):  # type: ignore[no-untyped-def]
    """Rows with distinct ID numbers (birth date + sequence), n of them."""
    seen: set[str] = set()
    for row in rows:
        if row[2] in seen:
            continue
        seen.add(row[2])
        yield row
        if len(seen) >= n:
            return


def write_xlsx(path: Path, rows) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党员")
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    wb.save(path)


def write_csv(path: Path, rows, encoding: str = "gb18030") -> None:  # type: ignore[no-untyped-def]
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(HEAD)
        w.writerows(rows)


def run(store: Path, roster: Path, dry: bool = False) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", LOAD, str(store), str(roster),
                          "dry" if dry else "load"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    r = json.loads(out)
    r["rows_per_s"] = round(r["rows"] / r["seconds"])
    return r  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--huge", type=int, default=1_000_000)
    ap.add_argument("--huge-load", action="store_true", help="also load the huge file")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "roster_load.json"))
    args = ap.parse_args()
    from graph.embedded import EmbeddedStore
    from loaders.xinqiao import XinqiaoScenario, load_scenario

    result: dict[str, object] = {"machine": machine(), "rows": args.rows}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.db"
        with EmbeddedStore(base) as s:
            load_scenario(s, scenario=XinqiaoScenario(residents=5_000, seed=7,
                                                      as_of=dt.date(2026, 11, 29)))
            orgs = sorted({n.name for n in s.nodes("Branch")})
            buildings = sorted({n.name for n in s.nodes("Building")})
        # names that are unique, so every reference resolves
        orgs = [o for o in orgs if sum(1 for x in orgs if x == o) == 1]
        t = time.perf_counter()
        xlsx = Path(tmp) / "roster.xlsx"
        write_xlsx(xlsx, _unique(_rows(args.rows * 2, orgs, buildings), args.rows))
        csvf = Path(tmp) / "roster.csv"
        write_csv(csvf, _unique(_rows(args.rows * 2, orgs, buildings), args.rows))
        result["generate_seconds"] = round(time.perf_counter() - t, 1)
        for name, f in (("xlsx", xlsx), ("csv_gb18030", csvf)):
            db = Path(tmp) / f"{name}.db"
            shutil.copy(base, db)
            first = run(db, f)
            again = run(db, f)  # the same roster again: validated, nothing changes
            result[name] = {"file_mib": round(f.stat().st_size / 2**20, 1),
                            "first_load": first, "same_file_again": again}
            print(name, json.dumps(result[name], ensure_ascii=False))
        if args.huge:
            huge = Path(tmp) / "huge.csv"
            write_csv(huge, _unique(_rows(args.huge * 2, orgs, buildings), args.huge))
            db = Path(tmp) / "huge.db"
            shutil.copy(base, db)
            result["huge_csv"] = {"rows": args.huge,
                                  "file_mib": round(huge.stat().st_size / 2**20, 1),
                                  "dry_run": run(db, huge, dry=True)}
            if args.huge_load:
                result["huge_csv"]["load"] = run(db, huge)  # type: ignore[index]
            print("huge", json.dumps(result["huge_csv"], ensure_ascii=False))
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n",
                              encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
