"""The workbench without a browser: shells hold no data, content needs a token and shows
what the JSON shows, hostile names stay text, every word exists in both languages,
every asset is local and the vendored ones are the pinned releases."""

from __future__ import annotations

import hashlib
import re

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.workbench.pages import PAGES, STATIC, STATIC_DIR
from api.workbench.render import TEMPLATES
from api.workbench.text import TEXT
from graph.store import GraphStore
from tests.api_helpers import client_for, security_store
from tests.graphs import node
from tests.queries.test_overview import DAY, _street

#: the page's answers come from JSON routes tested on both backends (tests/conftest.py)
pytestmark = pytest.mark.embedded_only

#: the vendored releases, byte for byte (htmx 2.0.4, Apache ECharts 5.6.0 from npm)
PINNED = {
    "htmx.min.js": "e209dda5c8235479f3166defc7750e1dbcd5a5c1808b7792fc2e6733768fb447",
    "echarts.min.js": "bf4a223524e40b77c304bec67e1222cf551f14880cf42c69dc046558e11c07b1",
}
URL = re.compile(r"""https?://[^\s"'<>)]+""")
#: URLs in the vendored files that are names, not fetches (XML namespaces, licences)
NAMES = re.compile(r"^http://www\.w3\.org/|^https://github\.com/ecomfe/zrender/blob/master/"
                   r"LICENSE\.txt$|^http://www\.apache\.org/licenses/LICENSE-2\.0$")


def test_the_vendored_files_are_the_pinned_releases_with_their_licences() -> None:
    for name, digest in PINNED.items():
        assert hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest() == digest, name
    assert "Zero-Clause BSD" in (STATIC_DIR / "htmx.LICENSE.txt").read_text(encoding="utf-8")
    assert "Apache License" in (STATIC_DIR / "echarts.LICENSE.txt").read_text(encoding="utf-8")
    assert set(STATIC) == {p.name for p in STATIC_DIR.iterdir()}  # served = shipped


def test_nothing_is_fetched_from_elsewhere() -> None:
    for path in [*TEMPLATES.iterdir(), *STATIC_DIR.iterdir()]:
        if path.suffix == ".txt":
            continue
        found = [u for u in URL.findall(path.read_text(encoding="utf-8"))
                 if not NAMES.match(u)]
        assert found == [], (path.name, found[:5])


def test_every_word_in_both_languages() -> None:
    assert TEXT["zh"].keys() == TEXT["en"].keys()
    used = set()
    for path in TEMPLATES.iterdir():
        used |= set(re.findall(r"""\bt\('([a-z0-9_]+)'\s*[,)]""", path.read_text(encoding="utf-8")))
    dynamic = {*(f"page_{p}" for p in PAGES),
               *(f"kind_{k}" for k in ("weak_branch", "no_group", "no_branch")),
               *(f"sort_{s}" for s in ("rank", "residents", "community")),
               *(f"missing_{m}" for m in ("grid_worker", "police_officer", "building_heads"))}
    missing = (used | dynamic) - TEXT["zh"].keys()
    assert not missing, missing


def test_shells_are_open_and_hold_no_data(store: GraphStore) -> None:
    store.upsert(*_street())
    with TestClient(create_app(store, security=security_store())) as c:
        for page in PAGES:
            r = c.get(f"/workbench/{page}", params={"as_of": DAY})
            assert r.status_code == 200
            assert "上星" not in r.text and "黄埔" not in r.text
            assert f'hx-get="/api/v1/workbench/{page}?as_of={DAY}&amp;lang=zh"' in r.text
            assert "script-src" not in r.headers["content-security-policy"]  # self only
            # its content takes a token
            assert c.get(f"/api/v1/workbench/{page}").status_code == 401
        assert c.get("/workbench", follow_redirects=False).headers["location"] \
            == "/workbench/overview"
        assert c.get("/workbench/nope").status_code == 404
        assert c.get("/workbench/static/../pages.py").status_code == 404
        assert c.get("/workbench/static/workbench.js").headers["content-type"].startswith(
            "text/javascript")


def test_content_is_what_the_json_shows(store: GraphStore) -> None:
    store.upsert(*_street())
    sec = security_store()
    with client_for(store, "community", community="cB", security=sec) as c:
        html = c.get("/api/v1/workbench/overview", params={"as_of": DAY}).text
        assert "黄埔社区" in html and "上星" not in html
        r = c.get("/api/v1/workbench/gaps", params={"as_of": DAY, "community": "cA"})
        assert r.status_code == 404  # the other community, as if absent
        html = c.get("/api/v1/workbench/gaps", params={"as_of": DAY}).text
        assert "黄埔第一支部" in html and "上星" not in html
        assert 'data-download="/api/v1/gaps/middle-weakening.xlsx?community=cB' in html
    with client_for(store, "consumer", security=sec) as c:
        html = c.get("/api/v1/workbench/gaps", params={"as_of": DAY, "lang": "en"}).text
        assert "data-download" not in html  # .xlsx reports are for person roles
        assert "too few full members" in html
        assert c.get("/api/v1/workbench/gaps", params={"lang": "fr"}).status_code == 422


def test_hostile_names_stay_text(store: GraphStore) -> None:
    nodes, rels = _street()
    nodes = [node("brA", "Branch", name='<img src=x onerror="alert(1)">支部')
             if n["id"] == "brA" else n for n in nodes]
    store.upsert(nodes, rels)
    with client_for(store, "analyst", security=security_store()) as c:
        html = c.get("/api/v1/workbench/gaps", params={"as_of": DAY}).text
        assert "<img" not in html
        assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;支部" in html
        html = c.get("/api/v1/workbench/overview", params={"as_of": DAY}).text
        assert "<img" not in html
