"""Real headless Chromium (Debian's ``chromium``) driven by Playwright for Python,
against the API served by uvicorn on 127.0.0.1 over the hand-built community.

Without Chromium or Playwright these tests skip with a loud reason, unless
GOVGRAPH_REQUIRE_BROWSER=1 (set by .ci/run), which turns the skip into a failure.
Never ``playwright install``: it downloads a browser; we use the system one.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from api.app import create_app
from api.security import SecurityStore
from graph.embedded import EmbeddedStore
from graph.store import GraphStore
from tests.graphs import governance

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _chromium() -> str:
    """Path of the system Chromium, or a skip (a failure when it is required)."""
    path = os.environ.get("GOVGRAPH_CHROMIUM") or shutil.which("chromium") or ""
    why = ""
    if not path:
        why = ("BROWSER TESTS NOT RUN: no chromium found; "
               "apt-get install -y chromium fonts-noto-cjk")
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            why = "BROWSER TESTS NOT RUN: playwright not installed; pip install -e '.[dev]'"
    if why:
        if os.environ.get("GOVGRAPH_REQUIRE_BROWSER") == "1":
            pytest.fail(why)
        pytest.skip(why)
    return path


TOKEN: dict[str, str] = {}


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the API over ``governance()``, served by uvicorn in a thread; an
    analyst token for it in ``TOKEN["analyst"]``."""
    home = tmp_path_factory.mktemp("browser")
    store = EmbeddedStore(home / "explorer.db")
    store.upsert(*governance())
    m1 = store.get_node("m1")  # personal numbers the analyst's answers must not show
    store.upsert([{"id": "m1", "labels": list(m1.labels), "properties": {
        **m1.properties, "id_number": "440306198501011238", "phone": "13912345678"}}])
    security = SecurityStore(home / "security.db")
    TOKEN["analyst"], _ = security.create_token("analyst", label="browser tests")
    with serving(store, security) as url:
        yield url


@pytest.fixture(scope="session")
def map_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the API over the hand-drawn grid map of ``tests/queries/test_grid_map.py``
    (its ids clash with ``governance()``'s: a server of its own); tokens for it in
    ``TOKEN["map"]`` (analyst) and ``TOKEN["map-c2"]`` (community c2)."""
    from tests.queries.test_grid_map import load_map_street

    home = tmp_path_factory.mktemp("browser-map")
    store = load_map_street(EmbeddedStore(home / "map.db"))
    security = SecurityStore(home / "security.db")
    TOKEN["map"], _ = security.create_token("analyst", label="browser map tests")
    TOKEN["map-c2"], _ = security.create_token("community", "c2", label="browser map tests")
    with serving(store, security) as url:
        yield url


@pytest.fixture(scope="session")
def scenario_server(tmp_path_factory: pytest.TempPathFactory, xinqiao_path: Path
                    ) -> Iterator[str]:
    """Base URL of the API over a writable copy of the small Xinqiao scenario (5,000
    residents, ``tests/conftest.py``); tokens in ``TOKEN``: ``"sc-admin"``,
    ``"sc-analyst"``, ``"sc-consumer"`` and ``"sc-shangxing"`` (community 上星).
    Tests that write (accept pairs, upload a roster) write what others may see: each
    checks what it wrote, not the store's totals."""
    home = tmp_path_factory.mktemp("browser-scenario")
    shutil.copy(xinqiao_path, home / "xinqiao.db")
    store = EmbeddedStore(home / "xinqiao.db")
    security = SecurityStore(home / "security.db")
    for role, community in (("admin", None), ("analyst", None), ("consumer", None),
                            ("community", "community-shangxing")):
        key = "sc-shangxing" if community else f"sc-{role}"
        TOKEN[key], _ = security.create_token(role, community, label=f"browser {key}")
    with serving(store, security) as url:
        yield url


@contextmanager
def serving(store: GraphStore, security: SecurityStore) -> Iterator[str]:
    """The API over ``store`` served by uvicorn in a thread on a free port (the store
    closed after)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(store, security), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
        store.close()


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    exe = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Watched:
    """A page with every request and every console error it produced."""

    page: Any
    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bodies: list[Any] = field(default_factory=list)  # API responses (an analyst's)

    def outside(self) -> list[str]:
        return [u for u in self.requests
                if not (u.startswith(self.base + "/") or u.startswith("data:"))]

    def scan_bodies(self) -> None:
        """The API's answers so far carry no ID or mobile number (an analyst's); read
        before the page navigates away, after which a browser drops their bodies."""
        from tests.api_helpers import ID_NUMBER, MOBILE

        for r in self.bodies:
            body = r.body()
            assert not ID_NUMBER.search(body) and not MOBILE.search(body), r.url
        self.bodies.clear()

    def open_export(self, query: str, token: str, path: Path) -> None:
        """Download ``/explorer/export.html?<query>`` with ``token`` to ``path`` and open
        it as a file; from then on the file itself is the one allowed URL."""
        r = self.page.request.get(f"{self.base}/explorer/export.html?{query}",
                                  headers={"Authorization": f"Bearer {token}"})
        assert r.ok
        path.write_bytes(r.body())
        self.base = path.as_uri().rsplit("/", 1)[0]
        self.page.goto(path.as_uri())

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"explorer-{name}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def watched(browser: Any, server: str) -> Iterator[Watched]:
    with watching(browser, server, TOKEN["analyst"]) as w:
        yield w


@contextmanager
def watching(browser: Any, server: str, token: str) -> Iterator[Watched]:
    """A fresh page logged in with ``token``; afterwards no console error, no request
    off the server and no personal number in an answer."""
    # bypass_csp: Playwright's wait_for_function evaluates its string in the page, which
    # the server's CSP (no eval) refuses; test_login_form runs the page under its CSP
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                              bypass_csp=True)
    # logged in: the token where the explorer's login form puts it
    ctx.add_init_script(f"sessionStorage.setItem('govgraph-token', {token!r})")
    page = ctx.new_page()
    w = Watched(page, server)
    page.on("response", lambda r: w.bodies.append(r) if "/api/v1/" in r.url else None)
    page.on("request", lambda r: w.requests.append(r.url))
    page.on("console", lambda m: w.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: w.errors.append(str(e)))
    try:
        yield w
        # the analyst's answers in the browser carry no ID or mobile number either
        w.scan_bodies()
    finally:
        ctx.close()
    assert w.errors == [], w.errors
    assert w.outside() == [], w.outside()
