"""A load is one unit (issue 15): all of it is kept, or nothing — after an error, and
after a SIGKILL at any point of a roster load, on both backends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from graph.errors import ValidationError
from graph.store import GraphStore
from loaders.roster import load_roster
from tests.conftest import ROOT
from tests.graph.test_concurrency import _roster
from tests.graphs import node, rel, two_communities


def _members(store: GraphStore) -> int:
    return sum(1 for _ in store.nodes("PartyMember"))


def test_an_error_inside_a_unit_leaves_nothing(store: GraphStore) -> None:
    store.upsert(*two_communities())
    before = (_members(store), store.counts().rels)
    with pytest.raises(ValidationError), store.unit():
        store.upsert([node("n1", "PartyMember", name="新一", joined_party_on="2020-07-01")])
        # the second batch sees the first (its relationship's start is there) ...
        store.upsert([], [rel("MEMBER_OF", "n1", "brA", role="member", since="2020-07-01")])
        store.put_meta("k", "v")
        # ... and the third breaks a rule: the whole unit goes
        store.upsert([], [rel("MEMBER_OF", "n1", "nowhere", role="member")])
    assert (_members(store), store.counts().rels) == before
    assert store.get_meta("k") is None
    with pytest.raises(Exception, match="no node"):
        store.get_node("n1")


def test_a_unit_that_ends_keeps_everything(store: GraphStore) -> None:
    store.upsert(*two_communities())
    with store.unit():
        store.upsert([node("n1", "PartyMember", name="新一", joined_party_on="2020-07-01")])
        with store.unit():  # nested: part of the outer one
            store.upsert([], [rel("MEMBER_OF", "n1", "brA", role="member",
                                  since="2020-07-01")])
        store.put_meta("k", ["v"])
        assert store.get_meta("k") == ["v"]
    assert [a.other for a in store.adjacent("n1", ["MEMBER_OF"], "out")] == ["brA"]
    assert store.get_meta("k") == ["v"]


CHILD = textwrap.dedent("""
    import sys
    from graph.store import open_store
    from loaders.roster import load_roster
    store = open_store(sys.argv[1])
    upsert = store.upsert
    def announcing(*a, **k):
        out = upsert(*a, **k)
        print("batch", flush=True)
        return out
    store.upsert = announcing
    report = load_roster(store, sys.argv[2], "party_members", as_of="2026-06-30",
                         batch_size=2000)
    print("done", report.written, flush=True)
""")


def _kill_during_load(location: str, env: dict[str, str], roster: Path, after: int
                      ) -> bool:
    """Run the load in a child and SIGKILL it once ``after`` batches are upserted (0:
    0.8 s after it started, wherever it is then); whether it finished first."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, location, str(roster)],
                             stdout=subprocess.PIPE, text=True, cwd=ROOT,
                             env=dict(env, PYTHONPATH=str(ROOT)))
    assert child.stdout is not None
    seen = 0
    finished = False
    if after == 0:
        time.sleep(0.8)
        os.kill(child.pid, signal.SIGKILL)
    for line in child.stdout:
        if line.startswith("batch"):
            seen += 1
            if seen >= after:
                os.kill(child.pid, signal.SIGKILL)
                break
        if line.startswith("done"):
            finished = True
            break
    child.wait(timeout=120)
    return finished


@pytest.mark.parametrize("after", [0, 1, 4, 9])
def test_a_roster_load_killed_at_any_point_leaves_all_or_nothing(
        store: GraphStore, tmp_path: Path, request: pytest.FixtureRequest,
        after: int) -> None:
    """20,000 rows in batches of 2,000 (10 batches), the loader killed 0.8 s in, or
    after the 1st, 4th or 9th batch: the store holds the two-community fixture's
    members and not one of the roster's; the same load run to the end then holds all
    20,000. The killed loader leaves no spool of the roster's rows behind."""
    store.upsert(*two_communities())
    before = _members(store)
    roster = _roster(tmp_path / "r.csv", range(20_000), "上星第一支部")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = dict(os.environ, TMPDIR=str(scratch))
    if store.backend == "embedded":
        from graph.embedded import EmbeddedStore

        assert isinstance(store, EmbeddedStore)
        location = str(store.path)
        store.close()  # the child is the writer
    else:
        uri, password = request.getfixturevalue("neo4j_server")
        location = uri
        env["GOVGRAPH_NEO4J_PASSWORD"] = password
    assert not _kill_during_load(location, env, roster, after)
    time.sleep(0.2)
    assert list(scratch.iterdir()) == []  # the rows were spooled to a file with no name
    from graph.store import open_store

    again = open_store(location) if store.backend == "embedded" else store
    try:
        assert _members(again) == before
        report = load_roster(again, roster, "party_members", as_of="2026-06-30",
                             batch_size=2000)
        assert report.written and _members(again) == before + 20_000
    finally:
        if again is not store:
            again.close()
