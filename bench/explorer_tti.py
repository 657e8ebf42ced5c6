"""Benchmark: time-to-interactive of the explorer in headless Chromium for a
300-node and a 1,000-node neighbourhood.

Run by hand: ``python bench/explorer_tti.py`` (needs Debian's chromium and the dev
extra's playwright). A branch with N members is the focus; the time runs from
navigation until the page says ``data-state="ready"`` (data fetched, view built) and
``data-layout="done"`` (the physics layout stabilised and switched off), and then
until the members' fold ("党员 ×N", issue 17) is opened and laid out. Past 300 nodes
the explorer folds the rest into "+N more" nodes. Writes
``bench/results/explorer_tti.json``. Every workbench page and the explorer on the
scenario at 500,000 residents: ``bench/workbench_tti.py``.
"""

from __future__ import annotations

import json
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from api.app import create_app  # noqa: E402
from bench.machine import header  # noqa: E402
from graph.embedded import EmbeddedStore  # noqa: E402

SIZES = (300, 1_000)
RUNS = 5
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def build(store: EmbeddedStore) -> None:
    for n in SIZES:
        nodes = [{"id": f"hub{n}", "labels": ["Branch"], "properties": {"name": f"支部{n}"}}]
        rels = []
        for i in range(n - 1):  # the hub plus n - 1 members: n nodes
            pid = f"m{n}-{i:04d}"
            nodes.append({"id": pid, "labels": ["PartyMember"],
                          "properties": {"name": f"党员{i}", "joined_party_on": "2010-07-01"}})
            rels.append({"type": "MEMBER_OF", "start": pid, "end": f"hub{n}",
                         "properties": {"role": "member"}})
        store.upsert(nodes, rels)


def main() -> None:
    chromium = shutil.which("chromium")
    if not chromium:
        sys.exit("needs Debian's chromium: apt-get install -y chromium fonts-noto-cjk")
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp) / "tti.db")
        build(store)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        from api.security import SecurityStore

        security = SecurityStore(Path(tmp) / "security.db")
        token, _ = security.create_token("analyst", label="bench")
        server = uvicorn.Server(uvicorn.Config(create_app(store, security), host="127.0.0.1",
                                               port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        results = {}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
            for n in SIZES:
                times, drawn = [], 0
                for _ in range(RUNS):
                    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
                    ctx.add_init_script(f"sessionStorage.setItem('govgraph-token', {token!r})")
                    page = ctx.new_page()
                    t = time.perf_counter()
                    page.goto(f"{base}/explorer#focus=hub{n}&depth=1")
                    page.wait_for_function(
                        f"document.body.dataset.state === 'ready' && "
                        f"document.body.dataset.layout === 'done' && "
                        f"explorer.state.focus === 'hub{n}'", timeout=120_000)
                    # since issue 17 the members are one fold ("党员 ×n-1"): open it
                    page.evaluate(f"explorer.click('fold:hub{n}|PartyMember|MEMBER_OF')")
                    page.wait_for_function(
                        "document.body.dataset.layout === 'done' && "
                        "explorer.nodes.get().some(n => n.fold && n.fold.open)",
                        timeout=120_000)
                    times.append((time.perf_counter() - t) * 1000)
                    drawn = page.evaluate("explorer.nodes.length")
                    ctx.close()
                results[f"{n}_nodes"] = {"runs": RUNS, "p50_ms": round(statistics.median(times)),
                                         "max_ms": round(max(times)), "nodes_drawn": drawn}
                print(n, results[f"{n}_nodes"], flush=True)
            browser.close()
        server.should_exit = True
        store.close()
    out = {**header("explorer_tti"), "results": results}
    (ROOT / "bench" / "results" / "explorer_tti.json").write_text(json.dumps(out, indent=2)
                                                                  + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
