"""``neo4j://`` routing URIs (issue 18): the driver routes reads (``execute_read``) and
writes itself; against the single test server the routing table names it for both,
and the answers are those of a direct ``bolt://`` connection. Every session shares the
store's bookmark manager, so a read after a write sees it (read-your-writes, which on
a cluster holds even when the read goes to a follower)."""

from __future__ import annotations

import neo4j
import pytest

from graph.neo4j_store import Neo4jStore
from graph.store import open_store, store_kind
from queries.leadership_chain import leadership_chain
from tests.graphs import node, tiny_street

pytestmark = pytest.mark.neo4j


def test_routing_uri_reads_and_writes_as_bolt_does(neo4j_server: tuple[str, str]) -> None:
    bolt, password = neo4j_server
    routed = bolt.replace("bolt://", "neo4j://", 1)
    assert routed.startswith("neo4j://") and store_kind(routed) == store_kind(bolt)
    nodes, rels = tiny_street()
    with Neo4jStore(routed, "neo4j", password) as r:
        assert isinstance(r.driver, neo4j.Neo4jDriver)  # routing, not a direct driver
        r.clear()
        before = set(r.bookmarks.get_bookmarks())
        r.upsert(nodes, rels)
        after = set(r.bookmarks.get_bookmarks())
        assert after and after != before  # the write's bookmark, carried to later reads
        # read-your-writes: the next read (another session) sees the write
        r.upsert([node("b1", "Building", name="改名楼")])
        assert r.get_node("b1").properties["name"] == "改名楼"
        via_routing = leadership_chain(r, "p1")
    with Neo4jStore(bolt, "neo4j", password) as b:
        assert isinstance(b.driver, neo4j.BoltDriver)
        assert leadership_chain(b, "p1") == via_routing
        # hand-worked on tiny_street: member -> branch -> community committee -> working
        # committee, the top
        assert [s.node.id for s in via_routing.steps] == ["p1", "br1", "cc1", "pwc"]
        assert via_routing.reached_top
        b.clear()


def test_open_store_takes_a_routing_uri(neo4j_server: tuple[str, str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.settings import get_settings

    bolt, password = neo4j_server
    monkeypatch.setenv("GOVGRAPH_NEO4J_PASSWORD", password)
    get_settings.cache_clear()
    try:
        s = open_store(bolt.replace("bolt://", "neo4j://", 1))
        try:
            assert isinstance(s, Neo4jStore) and isinstance(s.driver, neo4j.Neo4jDriver)
            s.clear()
            s.upsert(*tiny_street())
            assert s.counts().nodes == len(tiny_street()[0])
            s.clear()
        finally:
            s.close()
    finally:
        get_settings.cache_clear()
