"""Search gives the same hits in the same order on both backends: the small Xinqiao
scenario loaded into Neo4j (its full-text index, CJK analyzer) and the embedded store
(FTS5 trigram), asked what people type — short names, substrings, pinyin, initials,
typos — and the names, substrings and spellings of 150 random nodes, flat and grouped,
for everyone and for a community's token."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

import pytest

from api.redaction import Visibility
from api.security import Caller
from graph.names import pinyin_keys
from graph.neo4j_store import Neo4jStore
from graph.store import GraphStore
from loaders.xinqiao import XinqiaoScenario, load_scenario
from queries.search import search, search_grouped
from tests.conftest import SCENARIO_DAY

pytestmark = pytest.mark.neo4j

TYPED = ["上星社区党委", "上星党委", "党委", "第一支部", "上星第一支部", "上星", "新桥", "社区",
         "上星社区", "上星工作站", "上星居委会", "东片党总支", "基础网格", "网格", "消格",
         "工作站", "股份公司", "有限公司", "党群服务中心", "东路1巷", "1巷1号", "(上星)",
         "shangxing", "sx", "sxdw", "sxsqdw", "xinqiao", "xq", "zs", "wang", "zhang", "li",
         "dangwei", "wangge", "上星社区党季", "上新社区党委", "shangxnig", "xinqaio",
         "dnagwei", "违法建设", "2026年6月", "党课", "中共", "有限", "s", "上", "1"]


@pytest.fixture(scope="module")
def both(neo4j_server: tuple[str, str], xinqiao: GraphStore
         ) -> Iterator[tuple[GraphStore, Neo4jStore]]:
    uri, password = neo4j_server
    neo = Neo4jStore(uri, "neo4j", password)
    neo.clear()
    load_scenario(neo, scenario=XinqiaoScenario(
        residents=5_000, seed=7, as_of=dt.date.fromisoformat(SCENARIO_DAY)))
    yield xinqiao, neo
    neo.close()


def queries(store: GraphStore) -> list[str]:
    """The typed ones, and for 150 random nodes: the name, a piece of 3 characters
    (of a name of 4 and up: a 2-character given name is not looked for inside a
    name), the pinyin, its first 4 letters and the initials."""
    rng = random.Random(3)
    ids = sorted(n.id for lab in ("Person", "PartyOrg", "Grid", "Building", "Enterprise",
                                  "ResidentGroup", "StationedUnit", "Case")
                 for n in store.nodes(lab))
    out = list(TYPED)
    for n in store.get_nodes(rng.sample(ids, 150)).values():
        name = n.name
        full, initials = pinyin_keys(name)
        out += [name, *([name[1:4]] if len(name) >= 4 else []), full[0], full[0][:4],
                initials[0]]
    return [q for q in dict.fromkeys(out) if q.strip()]


def test_the_same_hits_in_the_same_order(both: tuple[GraphStore, Neo4jStore]) -> None:
    emb, neo = both
    asked = queries(emb)
    found = 0
    for q in asked:
        a, b = search(emb, q, limit=50), search(neo, q, limit=50)
        assert a == b, q
        found += bool(a)
    assert found > 0.9 * len(asked)  # the questions find things
    # what the tasks need, by name
    assert search(emb, "上星党委")[0].node.id == "committee-shangxing"
    assert {h.node.id for h in search(emb, "上星")[:3]} >= {"community-shangxing"}


def test_the_same_groups_and_counts(both: tuple[GraphStore, Neo4jStore]) -> None:
    emb, neo = both
    for q in TYPED:
        assert search_grouped(emb, q) == search_grouped(neo, q), q


def test_the_same_for_a_communitys_token(both: tuple[GraphStore, Neo4jStore]) -> None:
    emb, neo = both
    vis = Visibility(Caller("t", "community", "community-shangxing"), emb)
    for q in [*TYPED, "张", "wang", "王"]:
        a = search(emb, q, limit=30, visible=vis.node_ok)
        assert a == search(neo, q, limit=30, visible=vis.node_ok), q
        assert all(vis.node_ok(h.node.id, h.node.labels) for h in a)
        assert search_grouped(emb, q, visible=vis.node_ok) == search_grouped(
            neo, q, visible=vis.node_ok), q
    for q in ("上星", "sx", "党委"):
        assert search(emb, q, labels=["PartyOrg"]) == search(neo, q, labels=["PartyOrg"])
        assert search(emb, q, people=False) == search(neo, q, people=False)
