"""Under concurrency (issue 15): readers while a batch is applied, readers while a
roster uploads (a real server, real HTTP), two first loads at once."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.embedded import EmbeddedStore
from graph.store import GraphStore
from loaders.roster import load_roster
from tests.graphs import node, rel, two_communities
from tests.rosters import idn
from tests.servers import serving

HEAD = "姓名,身份证号,入党日期,所在党组织\n"


def _number(i: int) -> str:
    born = dt.date(1980, 1, 1) + dt.timedelta(days=i // 800)
    return idn(f"440309{born:%Y%m%d}{i % 800 + 100:03d}")


def _roster(path: Path, people: range, branch: str) -> Path:
    path.write_text(HEAD + "".join(f"党员{i},{_number(i)},2001-07-01,{branch}\n"
                                   for i in people), encoding="utf-8")
    return path


def test_readers_never_see_a_batch_half_applied(tmp_path: Path) -> None:
    """Batches of 1,000 members join brA while two threads read it: no read fails, and
    every read counts the fixture's 2 members plus whole batches."""
    store = EmbeddedStore(tmp_path / "g.db")
    store.upsert(*two_communities())
    errors: list[str] = []
    counts: set[int] = set()
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                members = store.adjacent("brA", ["MEMBER_OF"], "in")
                counts.add(len(members))
                store.count_current(["brA"], "MEMBER_OF", "in", None, "2026-01-01")
                list(store.nodes("PartyMember"))
            except Exception as e:  # noqa: BLE001 - what a reader met is the finding
                errors.append(repr(e))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        for b in range(12):
            store.upsert(
                [node(f"p{b}_{i}", "PartyMember", name=f"党员{b}_{i}",
                      joined_party_on="2000-07-01") for i in range(1000)],
                [rel("MEMBER_OF", f"p{b}_{i}", "brA", role="member", since="2000-07-01")
                 for i in range(1000)])
    finally:
        done.set()
        for t in readers:
            t.join()
        store.close()
    assert errors == []
    assert len(counts) > 3  # the readers ran while the batches came
    assert {c % 1000 for c in counts} == {2}, sorted(counts)


def test_readers_during_an_upload_get_no_errors(tmp_path: Path) -> None:
    """A 24,000-row roster uploaded to ``govgraph serve`` while three clients loop over
    neighbourhoods, members and search: every answer is a 200, none is dropped."""
    roster = _roster(tmp_path / "r.csv", range(24_000), "上星第一支部").read_bytes()
    with serving(tmp_path, two_communities(), rate_limit_per_second="100000",
                 rate_limit_burst="100000") as server:
        admin, _ = server.token("admin")
        reader, _ = server.token("analyst")
        statuses: list[Any] = []
        during = 0
        uploading = threading.Event()
        done = threading.Event()
        urls = ["/api/v1/nodes/brA/neighbors?depth=2&limit=2000",
                "/api/v1/orgs/brA/members?limit=50", "/api/v1/search?q=党员&limit=20",
                "/api/v1/stats"]

        def read() -> None:
            nonlocal during
            with httpx.Client(base_url=server.base, timeout=60,
                              headers={"Authorization": f"Bearer {reader}"}) as c:
                i = 0
                while not done.is_set():
                    was = uploading.is_set()
                    try:
                        statuses.append(c.get(urls[i % len(urls)]).status_code)
                    except httpx.HTTPError as e:
                        statuses.append(repr(e))
                    during += was and uploading.is_set()
                    i += 1

        readers = [threading.Thread(target=read) for _ in range(3)]
        for t in readers:
            t.start()
        try:
            time.sleep(0.5)
            uploading.set()
            r = httpx.post(f"{server.base}/api/v1/rosters/party_members",
                           params={"as_of": "2026-06-30"}, timeout=600,
                           headers={"Authorization": f"Bearer {admin}"},
                           files={"file": ("r.csv", roster, "text/csv")})
            uploading.clear()
            time.sleep(0.5)
        finally:
            done.set()
            for t in readers:
                t.join()
        assert r.status_code == 200 and r.json()["written"], r.text[:500]
        bad = [s for s in statuses if s != 200]
        assert bad == [], f"{len(bad)} of {len(statuses)} reads failed: {bad[:5]}"
        assert during > 20  # the reads overlapped the upload
        status, body = server.get("/api/v1/orgs/brA/members?limit=1", reader)
        # the roster is complete for brA: the fixture's two members' stints are ended
        assert status == 200 and b'"total":24000' in body


def _first_loads_at_once(store: GraphStore, tmp_path: Path) -> list[Any]:
    """Two rosters sharing 2,000 of their 3,000 people each, loaded at once into a
    store that has no identity key yet."""
    files = [_roster(tmp_path / "a.csv", range(0, 3000), "上星第一支部"),
             _roster(tmp_path / "b.csv", range(1000, 4000), "黄埔第一支部")]
    reports: list[Any] = [None, None]
    start = threading.Barrier(2)

    def load(i: int) -> None:
        start.wait()
        reports[i] = load_roster(store, files[i], "party_members", as_of="2026-06-30")

    threads = [threading.Thread(target=load, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return reports


def test_two_first_loads_at_once_make_one_node_per_person(store: GraphStore,
                                                          tmp_path: Path) -> None:
    """4,000 people, each one node: the 2,000 in both rosters are members of both
    branches, nobody's membership ended."""
    store.upsert(*two_communities())
    reports = _first_loads_at_once(store, tmp_path)
    assert all(r is not None and r.written for r in reports), [
        r.issues[:3] if r else r for r in reports]
    numbers: dict[str, list[str]] = {}
    for n in store.nodes("PartyMember"):
        if n.properties.get("id_number"):
            numbers.setdefault(n.properties["id_number"], []).append(n.id)
    twice = {k: v for k, v in numbers.items() if len(v) > 1}
    assert twice == {} and len(numbers) == 4000 + 5, (len(twice), len(numbers))
    both = numbers[_number(1500)][0]
    assert sorted(a.other for a in store.adjacent(both, ["MEMBER_OF"], "out")
                  if "until" not in a.rel.properties) == ["brA", "brB"]


@pytest.mark.parametrize("n", [2])
def test_the_identity_key_is_made_once(store: GraphStore, n: int) -> None:
    """``meta_default`` from n threads at once: every caller gets the first value kept."""
    got: list[Any] = []
    start = threading.Barrier(n)

    def put(i: int) -> None:
        start.wait()
        got.append(store.meta_default("k", f"v{i}"))

    threads = [threading.Thread(target=put, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got)) == 1 and store.get_meta("k") == got[0]
    assert store.meta_default("k", "later") == got[0]


def test_searches_at_once_on_a_fresh_store_answer_alike(store: GraphStore) -> None:
    """Eight first searches at once on a fresh store all get the same answer. (This
    was "one build of the search index": the index is now the store's own, FTS5 or
    Neo4j full-text, written with the nodes, so there is nothing left to build.)"""
    import queries.search as search_module

    store.upsert(*two_communities())
    answers: list[Any] = []
    start = threading.Barrier(8)

    def one() -> None:
        start.wait()
        answers.append([h.node.id for h in search_module.search(store, "上星")])

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 8
    assert answers[0] and all(a == answers[0] for a in answers)


def test_two_first_uploads_at_once_over_http_make_one_node_per_person(
        tmp_path: Path) -> None:
    """The finding as it was met: two roster uploads posted at once to a served store
    without an identity key: 4,000 people, 4,000 nodes."""
    files = [_roster(tmp_path / "a.csv", range(0, 3000), "上星第一支部").read_bytes(),
             _roster(tmp_path / "b.csv", range(1000, 4000), "黄埔第一支部").read_bytes()]
    with serving(tmp_path, two_communities()) as server:
        admin, _ = server.token("admin")
        statuses: list[int] = []
        start = threading.Barrier(2)

        def post(body: bytes) -> None:
            start.wait()
            statuses.append(httpx.post(
                f"{server.base}/api/v1/rosters/party_members",
                params={"as_of": "2026-06-30"}, timeout=600,
                headers={"Authorization": f"Bearer {admin}"},
                files={"file": ("r.csv", body, "text/csv")}).status_code)

        threads = [threading.Thread(target=post, args=(b,)) for b in files]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses == [200, 200]
    with EmbeddedStore(tmp_path / "graph.db", read_only=True) as s:
        numbers = [n.properties.get("id_number") for n in s.nodes("PartyMember")]
    assert len(numbers) == len(set(numbers)) == 4000 + 5
