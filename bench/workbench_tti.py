"""Benchmark: time-to-interactive of every workbench page and of the explorer on the
Xinqiao scenario (500,000 residents by default) in headless Chromium; a screenshot of
each page into ``docs/screenshots/``.

Run by hand: ``python bench/workbench_tti.py [--store FILE] [--residents N]`` (needs
Debian's chromium and the dev extra's playwright; ``--store`` reuses an embedded store
the scenario was loaded into, e.g. by ``bench/queries_embedded.py --keep``). Each page
is opened by an admin (who sees every section) in a fresh tab: the time runs from
navigation until its content is drawn and htmx has nothing in flight (for the explorer:
``data-state="ready"`` and the layout done). The server is warmed by one visit of each
page first (the search index, SQLite's page cache), as a server is after its first
minutes. Target: each page ≤ 1.5 s. Writes ``bench/results/workbench_tti.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from api.app import create_app  # noqa: E402
from api.security import SecurityStore  # noqa: E402
from api.workbench.fragments import PAGES  # noqa: E402
from bench.machine import header  # noqa: E402
from graph.embedded import EmbeddedStore  # noqa: E402
from loaders.xinqiao import XinqiaoScenario, load_scenario  # noqa: E402

DAY = dt.date(2026, 6, 30)
RUNS = 5
TARGET_MS = 1_500
SHOTS = ROOT / "docs" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
#: what a page is opened with beyond the date (pages reached by links need a subject)
SUBJECT = {"node": {"id": "committee-shangxing"}, "search": {"q": "上星党委"},
           "community": {"community": "community-shangxing"}}
#: pages that take no date
UNDATED = {"node", "search", "rosters", "boards"}


def urls() -> dict[str, str]:
    """Every workbench page's address, and the explorer's on the 上星 committee."""
    out = {}
    for name in PAGES:
        q = dict(SUBJECT.get(name, {}))
        if name not in UNDATED:
            q["as_of"] = DAY.isoformat()
        query = "&".join(f"{k}={v}" for k, v in q.items())
        out[name] = f"/workbench/{name}" + (f"?{query}" if query else "")
    out["explorer"] = f"/explorer#focus=committee-shangxing&as_of={DAY.isoformat()}"
    return out


READY = ("() => { const c = document.querySelector('#content > section.page, "
         "#content > .error-box'); return c && !document.querySelector('.htmx-request'); }")
EXPLORER_READY = ("() => document.body.dataset.state === 'ready' && "
                  "document.body.dataset.layout === 'done'")


def open_page(browser: Any, base: str, token: str, path: str, shot: Path | None) -> float:
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN",
                              bypass_csp=True)
    ctx.add_init_script(f"sessionStorage.setItem('govgraph-token', {token!r})")
    page = ctx.new_page()
    try:
        t = time.perf_counter()
        page.goto(base + path)
        page.wait_for_function(EXPLORER_READY if path.startswith("/explorer") else READY,
                               timeout=120_000)
        took = (time.perf_counter() - t) * 1000
        if page.query_selector("#content > .error-box"):
            raise SystemExit(f"{path}: {page.inner_text('#content')}")
        if shot is not None:
            page.screenshot(path=str(shot))
        return took
    finally:
        ctx.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--residents", type=int, default=500_000)
    ap.add_argument("--store", help="reuse an embedded store the scenario was loaded into")
    ap.add_argument("--runs", type=int, default=RUNS)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "workbench_tti.json"))
    args = ap.parse_args()
    chromium = shutil.which("chromium")
    if not chromium:
        sys.exit("needs Debian's chromium: apt-get install -y chromium fonts-noto-cjk")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.store or str(Path(tmp) / "bench.db")
        if not args.store:
            with EmbeddedStore(path) as s:
                load_scenario(s, scenario=XinqiaoScenario(residents=args.residents, seed=7,
                                                          as_of=DAY))
        store = EmbeddedStore(path)
        nodes = store.counts().nodes
        security = SecurityStore(Path(tmp) / "security.db")
        token, _ = security.create_token("admin", label="bench")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(store, security), host="127.0.0.1",
                                               port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        results: dict[str, Any] = {}
        SHOTS.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
            pages = urls()
            for name, p in pages.items():  # warm: the first visit of each, screenshot
                open_page(browser, base, token, p, SHOTS / f"{name}.png")
            for name, p in pages.items():
                times = [open_page(browser, base, token, p, None) for _ in range(args.runs)]
                results[name] = {"url": p, "runs": args.runs,
                                 "p50_ms": round(statistics.median(times)),
                                 "max_ms": round(max(times)),
                                 "within_target": max(times) <= TARGET_MS}
                print(name, results[name], flush=True)
            browser.close()
        server.should_exit = True
        store.close()
    out = {**header("workbench_tti"), "residents": args.residents, "nodes": nodes,
           "target_ms": TARGET_MS, "results": results}
    Path(args.out).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
