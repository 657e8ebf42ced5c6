"""Red-team fixtures (issue 14), ids outside scope: for a community token and a consumer
token, every string of every answer of every route that is a node id must be one the
caller may see; page totals, and the hits a search's limit counts, count only those.
"""

from __future__ import annotations

from graph.store import GraphStore
from tests.api.redteam_helpers import _all_strings, _calls
from tests.api_helpers import client_for, security_store
from tests.graphs import node, rel, two_communities


# ------------------------------------------------------------------ ids outside scope
def test_no_answer_names_a_node_outside_the_callers_scope(xinqiao: GraphStore) -> None:
    """The scenario (5,000 residents, two communities' worth of cases, grids drawn):
    for a community token and a consumer token, every string of every answer of every
    route that is a node id must be one the caller may see; page totals count only
    those."""
    from queries.scope import community_scope
    from tests.conftest import SCENARIO_DAY

    community = next(c.id for c in xinqiao.nodes("Community") if "上星" in c.name)
    scope = community_scope(xinqiao, community)
    committee = next(a.other for a in xinqiao.adjacent(community, ["LEADS"], "in"))
    member = next(a.other for a in xinqiao.adjacent(committee, ["MEMBER_OF"], "in"))
    branch = next(a.other for a in xinqiao.adjacent(committee, ["SUB_ORG_OF"], "in"))
    fills = {"node_id": [community, committee, branch, member, "wc-xinqiao"],
             "org_id": ["wc-xinqiao", committee], "community_id": [community],
             "kind": ["party_members"]}
    sec = security_store()
    checked = 0
    for role in ("community", "consumer"):
        with client_for(xinqiao, role, community if role == "community" else None,
                        security=sec) as c:
            for method, url, args in _calls(c, fills, SCENARIO_DAY):
                r = (c.post(url, json={"as_of": SCENARIO_DAY}) if method == "post"
                     else c.get(url, params=args))
                if r.status_code != 200:
                    assert r.status_code in (403, 404), (role, url, r.status_code, r.text)
                    continue
                strings = _all_strings(r)
                found = xinqiao.node_labels(strings)
                if role == "community":
                    leaked = sorted(i for i in found if i not in scope)
                else:
                    leaked = sorted(i for i, ls in found.items() if "Person" in ls)
                assert leaked == [], (role, url, len(leaked), leaked[:5])
                if r.headers["content-type"].startswith("application/json"):
                    body = r.json()
                    if isinstance(body, dict) and "items" in body and (
                            body.get("total", 0) <= body.get("limit", 0)):
                        assert body["total"] == len(body["items"]), (role, url)
                checked += 1
    assert checked > 60


def test_search_counts_its_limit_after_the_scope(store: GraphStore) -> None:
    """刘平 of B sorts before 刘平 of A: with limit=1, A's token must still get A's."""
    nodes, rels = two_communities()
    nodes += [node("aa-liu", "PartyMember", name="刘平", joined_party_on="2010-07-01"),
              node("zz-liu", "PartyMember", name="刘平", joined_party_on="2010-07-01")]
    rels += [rel("MEMBER_OF", "aa-liu", "brB", role="member", since="2010-07-01"),
             rel("MEMBER_OF", "zz-liu", "brA", role="member", since="2010-07-01")]
    store.upsert(nodes, rels)
    with client_for(store, "community", "cA") as c:
        for limit in (1, 2, 5):
            r = c.get("/api/v1/search", params={"q": "刘平", "label": "PartyMember",
                                                "limit": limit})
            assert r.status_code == 200
            assert [h["node"]["id"] for h in r.json()] == ["zz-liu"], limit
    with client_for(store, "analyst") as c:
        r = c.get("/api/v1/search", params={"q": "刘平", "limit": 1})
        assert [h["node"]["id"] for h in r.json()] == ["aa-liu"]
