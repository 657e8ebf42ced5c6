"""One seed, one graph (issue 15): the 50,000-resident scenario loaded into the embedded
store (20,000 records a batch) and into Neo4j (50,000 a batch) hashes the same, node
by node and relationship by relationship."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.neo4j_store import Neo4jStore
from graph.store import GraphStore
from loaders.xinqiao import load_scenario

pytestmark = pytest.mark.neo4j

DAY = dt.date(2026, 6, 30)


def content(store: GraphStore) -> tuple[str, int]:
    """(SHA-256 over every node and relationship in a canonical form, their number)."""
    lines: set[str] = set()
    for label in (lab for lab, d in store.schema.labels.items() if d.extends is None):
        for n in store.nodes(label):
            lines.add(json.dumps(["node", n.id, sorted(n.labels), n.properties],
                                 ensure_ascii=False, sort_keys=True, default=str))
    for rtype in store.schema.relationships:
        for r in store.rels(rtype):
            lines.add(json.dumps(["rel", r.id, r.type, r.start, r.end, r.properties],
                                 ensure_ascii=False, sort_keys=True, default=str))
    h = hashlib.sha256()
    for line in sorted(lines):
        h.update(line.encode() + b"\n")
    return h.hexdigest(), len(lines)


def test_the_same_seed_gives_the_same_graph_on_both_backends(
        tmp_path: Path, neo4j_server: tuple[str, str]) -> None:
    uri, password = neo4j_server
    with EmbeddedStore(tmp_path / "g.db") as emb:
        assert emb.preferred_batch_size == 20_000
        load_scenario(emb, residents=50_000, seed=7, as_of=DAY)
        want = content(emb)
    with Neo4jStore(uri, "neo4j", password) as neo:
        assert neo.preferred_batch_size == 50_000
        neo.clear()
        load_scenario(neo, residents=50_000, seed=7, as_of=DAY)
        got = content(neo)
    assert want[1] > 100_000
    assert got == want
