"""Every workbench page, whichever module adds it, on the small Xinqiao scenario: it
opens for each role its menu offers it to; in English it shows no Chinese word of the
interface; and for a community token it names no person or grid of another community.

The pages come from the registry (``api.workbench.fragments.PAGES``), so a page added
later is held to the same rules without a line here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.redaction import Visibility
from api.security import Caller
from api.workbench.fragments import PAGES
from api.workbench.text import TEXT
from graph.store import GraphStore
from tests.api_helpers import clients_for

SHANGXING = "community-shangxing"
#: what a page is opened with (pages reached by links need their subject)
SUBJECT: dict[str, dict[str, str]] = {"node": {"id": "committee-shangxing"},
                                      "search": {"q": "上星党委"}}
HAN = re.compile(r"[\u4e00-\u9fff]")
TAG = re.compile(r"<[^>]+>")


def _params(page: str, lang: str) -> dict[str, str]:
    return {**SUBJECT.get(page, {}), "lang": lang}


@pytest.fixture(scope="module")
def clients(xinqiao: GraphStore) -> Iterator[dict[str, TestClient]]:
    roles = {
        "admin": ("admin", None), "analyst": ("analyst", None), "consumer": ("consumer", None),
        "community": ("community", SHANGXING)}
    with clients_for(xinqiao, roles) as made:
        yield made


def _open(c: TestClient, page: str, lang: str = "zh") -> str:
    r = c.get(f"/api/v1/workbench/{page}", params=_params(page, lang))
    assert r.status_code == 200, (page, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html"), page
    assert re.search(r'<section class="page[ "]', r.text), (page, r.text[:300])
    html: str = r.text
    return html


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_opens_for_every_role_it_is_offered_to(clients: dict[str, TestClient],
                                                          page: str) -> None:
    for role in PAGES[page].roles:
        _open(clients[role], page)


def test_the_menu_offers_each_role_its_pages_only(clients: dict[str, TestClient]) -> None:
    for role, c in clients.items():
        html = c.get("/api/v1/workbench/menu", params={"lang": "zh"}).text
        offered = set(re.findall(r'href="/workbench/([a-z]+)\?', html))
        assert offered == {p.name for p in PAGES.values()
                           if p.order is not None and role in p.roles}, role


def _interface_words_zh(names: set[str]) -> list[str]:
    """The interface's Chinese words that are no part of a name in the data (a name
    stays Chinese in English: 上星社区 holds 社区)."""
    return sorted(w for w in set(TEXT["zh"].values())
                  if HAN.search(w) and "{" not in w and not any(w in n for n in names))


@pytest.mark.parametrize("page", list(PAGES))
def test_in_english_no_interface_word_is_left_in_chinese(
        clients: dict[str, TestClient], xinqiao: GraphStore, page: str) -> None:
    names = {n.name for lab in ("Community", "Street", "PartyOrg", "Grid", "ResidentGroup",
                                "Person", "Building", "Enterprise", "StationedUnit")
             for n in xinqiao.nodes(lab)}
    words = _interface_words_zh(names)
    html = _open(clients["admin"], page, "en")
    text = TAG.sub(" ", html)
    left = [w for w in words if w in text]
    assert not left, (page, left[:10])


@pytest.fixture(scope="module")
def hidden(xinqiao: GraphStore) -> tuple[set[str], set[str]]:
    return _hidden(xinqiao)


def _hidden(store: GraphStore) -> tuple[set[str], set[str]]:
    """Ids of the people and grids 上星's token may not see, and the names only they
    bear: a name that is also (part of) the name of a node it sees tells nothing
    (蔡林 hidden, 蔡林勇 shown)."""
    vis = Visibility(Caller("t", "community", SHANGXING), store)
    hidden: list[Any] = []
    for lab in ("Person", "Grid"):
        hidden += [n for n in store.nodes(lab) if not vis.node_ok(n.id, n.labels)]
    hidden_ids = {n.id for n in hidden}
    seen = {n.id: n.name for lab in store.schema.labels for n in store.nodes(lab)
            if n.id not in hidden_ids and vis.node_ok(n.id, n.labels)}
    shown = "\n".join(seen.values())
    return hidden_ids, {n.name for n in hidden if n.name and n.name not in shown}


@pytest.mark.parametrize("page", list(PAGES))
def test_a_community_token_sees_no_other_communitys_people_or_grids(
        clients: dict[str, TestClient], hidden: tuple[set[str], set[str]], page: str) -> None:
    if "community" not in PAGES[page].roles:
        r = clients["community"].get(f"/api/v1/workbench/{page}", params=_params(page, "zh"))
        assert r.status_code == 403, (page, r.status_code)  # refused, and says so
        return
    ids, names = hidden
    assert len(ids) > 1000 and len(names) > 100  # the check has something to find
    html = _open(clients["community"], page)
    found_ids = {i for i in re.findall(r"[a-z]+-[a-z0-9-]+", html) if i in ids}
    assert not found_ids, (page, sorted(found_ids)[:5])
    text = TAG.sub(" ", html)
    found = [n for n in names if n in text]
    assert not found, (page, found[:5])

