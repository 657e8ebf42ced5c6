"""A row about something the caller may see stays when a person it names may not be
seen: the person's fields are blanked (placeholder), the row and its count kept.

The two-community street (tests.graphs.two_communities): branch brA (secretary mA1)
under committee ccA under the working committee pwc (secretary sW, a street-level
person, outside community A's scope). Worked out by hand:

* brA's chain is brA → ccA → pwc, three steps, reached_top (pwc is the top).
* community A's token may see brA, ccA, pwc and mA1, not sW: three steps, the last
  one's leader blanked.
* a consumer may see no person: three steps, both leaders (mA1, sW) blanked; ccA has
  no secretary.
* weak branches (min_full_members 3): brA and brB each have 2 members, so both are
  weak; a consumer sees both rows with their secretaries blanked.
"""

from __future__ import annotations

from typing import Any

from graph.store import GraphStore
from tests.api_helpers import client_for
from tests.graphs import two_communities

BLANK = "（无权查看）"


def _chain(store: GraphStore, role: str, community: str | None = None) -> dict[str, Any]:
    with client_for(store, role, community) as c:
        r = c.get("/api/v1/chains/leadership/brA", params={"as_of": "2026-06-30"})
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body


def test_a_chain_keeps_its_steps_when_a_leader_is_hidden(store: GraphStore) -> None:
    store.upsert(*two_communities())
    full = _chain(store, "analyst")
    assert [s["node"]["id"] for s in full["steps"]] == ["brA", "ccA", "pwc"]
    assert [(s["leader"] or {}).get("id") for s in full["steps"]] == ["mA1", None, "sW"]
    assert full["reached_top"] is True

    own = _chain(store, "community", "cA")
    assert [s["node"]["id"] for s in own["steps"]] == ["brA", "ccA", "pwc"]
    assert own["steps"][0]["leader"]["id"] == "mA1"
    assert own["steps"][2]["leader"] == {"id": "", "name": BLANK, "role": ""}
    assert own["reached_top"] is True
    assert own["redacted"] == 1
    assert "sW" not in str(own) and "街道书记" not in str(own)

    public = _chain(store, "consumer")
    assert [s["node"]["id"] for s in public["steps"]] == ["brA", "ccA", "pwc"]
    assert [s["leader"] and s["leader"]["name"] for s in public["steps"]] == [
        BLANK, None, BLANK]
    assert public["redacted"] == 2
    assert "mA1" not in str(public) and "上星书记" not in str(public)


def test_weak_branches_keep_their_rows_when_the_secretary_is_hidden(
        store: GraphStore) -> None:
    store.upsert(*two_communities())
    params = {"as_of": "2026-06-30"}
    with client_for(store, "analyst") as c:
        full = c.get("/api/v1/gaps/middle-weakening", params=params).json()
    with client_for(store, "consumer") as c:
        public = c.get("/api/v1/gaps/middle-weakening", params=params).json()
    assert sorted(b["branch"]["id"] for b in full["weak_branches"]) == ["brA", "brB"]
    assert sorted(b["secretary"]["id"] for b in full["weak_branches"]) == ["mA1", "mB1"]
    assert sorted(b["branch"]["id"] for b in public["weak_branches"]) == ["brA", "brB"]
    assert [b["secretary"]["name"] for b in public["weak_branches"]] == [BLANK, BLANK]
    assert [b["secretary"]["id"] for b in public["weak_branches"]] == ["", ""]
    assert "mA1" not in str(public) and "mB1" not in str(public)
