"""The explorer page without a browser: served assets, no external URL, the
self-contained export (HTTP and ``govgraph explore``)."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.routes.explorer import ASSETS, FETCH_LIMIT, MAX_DRAWN, STATIC, standalone_html
from graph.embedded import EmbeddedStore
from graph.errors import NodeNotFound
from tests.api_helpers import client_for
from tests.cli_helpers import GOVGRAPH
from tests.graphs import governance

ROOT = Path(__file__).resolve().parents[2]
# A URL the browser would load: src/href attributes, url(...) in CSS, fetch("http…").
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//"""
                      r"""|fetch\(\s*["'`](?:https?:)?//|@import""", re.I)
#: the page's scripts in the order they must run: the explorer's five share
#: window.GovgraphExplorer, which explorer-core.js makes and explorer.js starts
SCRIPTS = ("vis-network.min.js", "explorer-i18n.js", "explorer-core.js", "explorer-map.js",
           "explorer-panel.js", "explorer-view.js", "explorer.js")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    s = EmbeddedStore(tmp_path / "explorer.db")
    s.upsert(*governance())
    yield s
    s.close()


@pytest.fixture
def client(store: EmbeddedStore) -> Iterator[TestClient]:
    with client_for(store) as c:
        yield c


def test_page_and_assets_are_served_locally(client: TestClient) -> None:
    r = client.get("/explorer")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "治理图谱浏览" in page and 'lang="zh-CN"' in page
    srcs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert srcs and all(s.startswith(("/explorer/static/", "data:", "#")) for s in srcs), srcs
    for src in srcs:
        if src.startswith("/explorer/static/"):
            a = client.get(src)
            assert a.status_code == 200 and len(a.content) > 1000, src
            kind = "text/javascript" if src.endswith(".js") else "text/css"
            assert a.headers["content-type"].startswith(kind), src
    assert client.get("/explorer/static/../app.py").status_code == 404
    assert client.get("/explorer/static/nothing.js").status_code == 404


def test_no_asset_points_outside() -> None:
    files = [ASSETS / "index.html", *sorted((ASSETS / "static").iterdir())]
    for f in files:
        assert not EXTERNAL.search(f.read_text(encoding="utf-8")), f.name
    assert "bootstrap" not in (ASSETS / "index.html").read_text(encoding="utf-8")


#: vis-network 9.1.2's standalone build, as pyvis 0.3.2 ships it (templates/lib/vis-9.1.2)
VIS_NETWORK_SHA256 = {
    "vis-network.min.js": "1f20f0736f32cb9bedf8f6383b25cfea2f839e1abe80d6e8040b4d5bea378c69",
    "vis-network.css": "2e82d445ad5878ea881652470ce632601f8f55f1b99e6ebecdff8614600e6d0e",
}


def test_vis_network_is_the_pinned_release() -> None:
    """The vendored files are the release named in api/routes/explorer.py, byte for byte
    (pyvis is not a dependency: this pin replaces comparing with its copy)."""
    import hashlib

    for name, digest in VIS_NETWORK_SHA256.items():
        data = (ASSETS / "static" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
    head = (ASSETS / "static" / "vis-network.min.js").read_text(encoding="utf-8")[:400]
    assert "@version 9.1.2" in head


def test_js_constants_match_python() -> None:
    js = (ASSETS / "static" / "explorer-core.js").read_text(encoding="utf-8")
    assert f"const MAX_DRAWN = {MAX_DRAWN};" in js
    assert f"const FETCH_LIMIT = {FETCH_LIMIT};" in js
    for name in SCRIPTS[3:]:  # declared once: the later files take them from the namespace
        other = (ASSETS / "static" / name).read_text(encoding="utf-8")
        assert "const MAX_DRAWN =" not in other and "const FETCH_LIMIT =" not in other, name


def test_scripts_load_in_order(store: EmbeddedStore) -> None:
    """index.html loads every script served, in order; the standalone file inlines each
    of them in the same order; each explorer script is strict and under ~400 lines."""
    page = (ASSETS / "index.html").read_text(encoding="utf-8")
    assert tuple(re.findall(r'<script src="/explorer/static/([^"]+)"></script>', page)) == SCRIPTS
    assert {n for n in STATIC if n.endswith(".js")} == set(SCRIPTS)
    texts = [(ASSETS / "static" / n).read_text(encoding="utf-8") for n in SCRIPTS]
    out = standalone_html(store, "m1", 1)
    at = [out.index(f"<script>{text}</script>") for text in texts]
    assert at == sorted(at)
    for name, text in zip(SCRIPTS[2:], texts[2:], strict=True):
        assert text.count("\n") <= 400 and "'use strict';" in text, name


def _preloaded(page: str) -> dict[str, object]:
    m = re.search(r"window\.GOVGRAPH_PRELOAD=(.*?);window\.GOVGRAPH_START=", page, re.S)
    assert m
    preloaded = json.loads(m.group(1))
    assert isinstance(preloaded, dict)
    return preloaded


def test_standalone_html_is_self_contained(store: EmbeddedStore) -> None:
    page = standalone_html(store, "m1", 2)
    assert "<script src" not in page and "<link" not in page.replace('<link rel="icon"', "")
    assert not EXTERNAL.search(page)
    data = _preloaded(page)
    nb = data[f"/api/v1/nodes/m1/neighbors?depth=2&limit={FETCH_LIMIT}"]
    assert isinstance(nb, dict) and nb["center"]["id"] == "m1"
    assert {"/api/v1/schema", "/api/v1/nodes/m1", "/api/v1/nodes/brOK",
            "/api/v1/chains/leadership/m1", "/api/v1/gaps/middle-weakening"} <= set(data)
    assert 'window.GOVGRAPH_START={"focus":"m1","depth":2}' in page
    with pytest.raises(NodeNotFound):
        standalone_html(store, "nobody", 1)


def test_export_endpoint(client: TestClient) -> None:
    r = client.get("/explorer/export.html", params={"focus": "brOK", "depth": 1})
    assert r.status_code == 200
    assert 'filename="govgraph-brOK.html"' in r.headers["content-disposition"]
    assert "/api/v1/nodes/brOK/neighbors?depth=1" in r.text
    assert client.get("/explorer/export.html", params={"focus": "nobody"}).status_code == 404
    assert client.get("/explorer/export.html", params={"focus": "m1", "depth": 3}
                      ).status_code == 422


def test_cli_explore_writes_a_file(store: EmbeddedStore, tmp_path: Path) -> None:
    db = store.path
    store.close()
    out = tmp_path / "view.html"
    r = subprocess.run([GOVGRAPH, "--store", str(db), "explore", "m1", "--depth", "1",
                        "--html", str(out)], capture_output=True, text=True, cwd=ROOT,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert "张三" in page and not EXTERNAL.search(page)
    assert "/api/v1/nodes/m1/neighbors?depth=1" in page
    r = subprocess.run([GOVGRAPH, "--store", str(db), "explore", "nobody", "--html",
                        str(tmp_path / "x.html")], capture_output=True, text=True, cwd=ROOT,
                       timeout=120)
    assert r.returncode == 1 and "nobody" in r.stderr


def _words(lang: str) -> set[str]:
    text = (ASSETS / "static" / "explorer-i18n.js").read_text(encoding="utf-8")
    zh, en = text.split("\n  en: {", 1)
    return set(re.findall(r"(\w+): '", zh if lang == "zh" else en))


def test_every_word_is_in_both_languages() -> None:
    """Each word the page and its scripts ask for (data-i18n, t('…')) is written in
    Chinese and in English (the English toggle leaves nothing untranslated); the map's
    grid kinds fall back to the schema's Chinese names, so only English lists them."""
    zh, en = _words("zh"), _words("en")
    assert {k for k in en - zh if not k.startswith("kind_")} == set() and zh <= en
    page = (ASSETS / "index.html").read_text(encoding="utf-8")
    asked = set(re.findall(r'data-i18n(?:-ph|-title)?="(\w+)"', page))
    for name in SCRIPTS[2:]:
        js = (ASSETS / "static" / name).read_text(encoding="utf-8")
        for call in re.findall(r"\bt\(([^()]*)\)", js):  # t('a') and t(x ? 'a' : 'b')
            asked |= set(re.findall(r"'(\w+)'", call))
    for new in ("foldOpen", "foldClose", "foldedN", "events", "asOf", "today", "geoPolygon",
                "legendHide", "legendShow"):
        assert new in asked, new
    assert asked - zh == set() and asked - en == set()
