"""The district scenario (``govgraph load scenario baoan``): Xinqiao inside it exactly
as the street scenario, the synthetic streets distinct people under their own names,
deterministic, and every chain going on to the district committee."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import InvalidParameter
from graph.formats import valid_id_number
from graph.store import GraphStore
from loaders.baoan import STREETS, BaoanScenario, load_district
from loaders.baoan.data import DISTRICT, default_residents
from loaders.baoan.relabel import community_names
from loaders.xinqiao import XinqiaoScenario
from loaders.xinqiao.data import COMMUNITIES
from queries.leadership_chain import leadership_chain
from queries.middle_weakening import middle_weakening
from tests.cli_helpers import GOVGRAPH
from tests.conftest import ROOT, SCENARIO_DAY

AS_OF = dt.date(2025, 6, 30)
DAY = AS_OF.isoformat()
Record = dict[str, Any]


def records(sc: BaoanScenario | XinqiaoScenario) -> tuple[list[Record], list[Record]]:
    nodes: list[Record] = []
    rels: list[Record] = []
    for n, r in sc.batches():
        nodes += n
        rels += r
    return nodes, rels


@pytest.fixture(scope="module")
def two() -> tuple[BaoanScenario, list[Record], list[Record]]:
    sc = BaoanScenario(streets=2, residents_per_street=5_000, seed=7, as_of=AS_OF,
                       batch_size=7_000)
    nodes, rels = records(sc)
    return sc, nodes, rels


def _key(r: Record) -> str:
    return json.dumps(r, sort_keys=True, ensure_ascii=False)


def test_xinqiao_inside_the_district_is_the_street_scenario(
        two: tuple[BaoanScenario, list[Record], list[Record]]) -> None:
    _, nodes, rels = two
    street_nodes, street_rels = records(XinqiaoScenario(residents=5_000, seed=7, as_of=AS_OF))
    others = {"district-baoan", "dc-baoan", "dept-baoan-zzb", "street-xinan", "wc-xinan"}
    ours = {n["id"]: n for n in nodes if ":" not in n["id"] and n["id"] not in others}
    assert ours == {n["id"]: n for n in street_nodes}
    theirs = Counter(_key(r) for r in street_rels)
    mine = Counter(_key(r) for r in rels if r["start"] in ours and r["end"] in ours)
    assert mine == theirs
    # and its links up: one street in the district, one committee under the district's
    up = [(r["type"], r["start"], r["end"]) for r in rels
          if r["start"] in ("street-xinqiao", "wc-xinqiao") and r["end"] not in ours]
    assert sorted(up) == [("PART_OF", "street-xinqiao", "district-baoan"),
                          ("SUB_ORG_OF", "wc-xinqiao", "dc-baoan")]


def test_every_record_counted_and_every_end_made_first(
        two: tuple[BaoanScenario, list[Record], list[Record]]) -> None:
    sc, nodes, rels = two
    assert len(nodes) + len(rels) == sc.total_records
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids))
    seen: set[str] = set()
    for batch_nodes, batch_rels in sc.batches():
        seen |= {n["id"] for n in batch_nodes}
        missing = {e for r in batch_rels for e in (r["start"], r["end"])} - seen
        assert not missing, sorted(missing)[:5]


def test_streets_hold_distinct_people(
        two: tuple[BaoanScenario, list[Record], list[Record]]) -> None:
    _, nodes, _ = two
    people = [n for n in nodes if "Person" in n["labels"]]
    numbers = [p["properties"]["id_number"] for p in people]
    phones = [p["properties"]["phone"] for p in people]
    assert len(numbers) == len(set(numbers)) and len(phones) == len(set(phones))
    assert all(valid_id_number(x) for x in numbers)
    by_street = Counter(p["id"].split(":")[0] if ":" in p["id"] else "xinqiao"
                        for p in people)
    # 5,000 residents a street plus the fixed part's other people, and the district's 2
    assert by_street["baoan"] == 2
    assert by_street["xinqiao"] > 5_000 and by_street["xinan"] > 5_000


def test_a_synthetic_street_has_its_own_names_and_place(
        two: tuple[BaoanScenario, list[Record], list[Record]]) -> None:
    _, nodes, _ = two
    by_id = {n["id"]: n for n in nodes}
    street = by_id["street-xinan"]["properties"]
    assert street["name"] == "新安街道" and street["synthetic"] is True
    assert street["population"] == 5_000 and street["published_population"] is None
    assert by_id["wc-xinan"]["properties"]["name"] == "中共新安街道工作委员会"
    names = community_names(STREETS[1])
    assert names["新桥"] == "新安一" and names["上星"] == "新安二"
    assert by_id["xinan:community-xinqiao"]["properties"]["name"] == "新安一社区"
    assert by_id["xinan:committee-shangxing"]["properties"]["name"] == \
        "中共新安街道新安二社区委员会"
    template = [c.zh for c in COMMUNITIES]
    for n in nodes:
        if not n["id"].startswith(("xinan:", "street-xinan", "wc-xinan")):
            continue
        person = "Person" in n["labels"]
        for k, v in n["properties"].items():
            if isinstance(v, str) and k != "geometry" and (not person or k == "address"):
                assert "新桥街道" not in v and not any(t in v for t in template), (n["id"], k, v)
        if person and "address" in n["properties"]:
            assert n["properties"]["address"].startswith("深圳市宝安区新安街道")
    # the second street sits one step east on the map: same shape, moved 0.08°
    a = json.loads(by_id["community-xinqiao"]["properties"]["geometry"])["coordinates"][0][0]
    b = json.loads(by_id["xinan:community-xinqiao"]["properties"]["geometry"]
                   )["coordinates"][0][0]
    assert b[0] == pytest.approx(a[0] + 0.08, abs=1e-6) and b[1] == pytest.approx(a[1])


def test_planted_problems_name_the_streets_own_nodes(
        two: tuple[BaoanScenario, list[Record], list[Record]]) -> None:
    sc, nodes, _ = two
    ids = {n["id"] for n in nodes}
    x, a = sc.planted["streets"]["xinqiao"], sc.planted["streets"]["xinan"]
    assert x["working_committee"] == "wc-xinqiao" and a["working_committee"] == "wc-xinan"
    for planted in (x, a):
        weak = planted["branches"]["weak"]
        assert weak and all(b in ids for b in weak)
    assert all(b.startswith("xinan:") for b in a["branches"]["weak"])
    assert not set(x["branches"]["weak"]) & set(a["branches"]["weak"])


def test_same_seed_same_district_other_seed_other_street() -> None:
    def digest(seed: int) -> tuple[str, str]:
        nodes, rels = records(BaoanScenario(streets=2, residents_per_street=5_000, seed=seed,
                                            as_of=AS_OF))
        x = sorted(_key(n) for n in nodes if n["id"].startswith("xinan:"))
        return str(hash(tuple(x))), str(len(nodes) + len(rels))

    assert digest(7) == digest(7)
    assert digest(7)[0] != digest(8)[0]


def test_sizes_follow_the_published_figures() -> None:
    sc = BaoanScenario(streets=10, seed=7, as_of=AS_OF)
    r = sc.residents
    assert r["xinqiao"] == 500_000 and r["shajing"] == 900_000 and r["fuyong"] == 343_000
    # six streets without a figure share what the census total leaves
    share = (DISTRICT.population - 500_000 - 1_090_000 - 343_000 - 900_000) // 6
    assert r["xinan"] == r["shiyan"] == share == default_residents(STREETS[1])
    assert len(STREETS) == 10 and [s.zh for s in STREETS][:3] == ["新桥", "新安", "西乡"]


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"streets": 11}, "streets must be between 1 and 10"),
    ({"streets": 0}, "streets must be between 1 and 10"),
    ({"streets": 2, "residents_per_street": 100}, "residents per street must be between"),
])
def test_bad_sizes_are_refused(kwargs: dict[str, int], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        BaoanScenario(as_of=AS_OF, **kwargs)


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    path = tmp_path_factory.mktemp("baoan") / "d.db"
    with EmbeddedStore(path) as s:  # the day of the shared Xinqiao store (conftest)
        load_district(s, BaoanScenario(streets=2, residents_per_street=5_000, seed=7,
                                       as_of=dt.date.fromisoformat(SCENARIO_DAY)))
    s = EmbeddedStore(path, read_only=True)
    yield s
    s.close()


def test_chains_go_on_to_the_district_committee(district: EmbeddedStore) -> None:
    secretary = next(a.other for a in district.adjacent("dc-baoan", ["MEMBER_OF"], "in")
                     if a.rel.properties.get("role") == "secretary")
    name = district.get_node(secretary).name
    for start, wc in (("xinan:community-shangxing", "wc-xinan"),
                      ("community-shangxing", "wc-xinqiao"),
                      ("street-xinan", "wc-xinan")):
        c = leadership_chain(district, start, SCENARIO_DAY)
        ids = [s.node.id for s in c.steps]
        assert ids[-2:] == [wc, "dc-baoan"], ids
        assert c.steps[-1].leader is not None and c.steps[-1].leader.name == name
        assert c.reached_top and c.complete, c.breaks
    # the organisation department: its head, then the committee it is part of
    c = leadership_chain(district, "dept-baoan-zzb", SCENARIO_DAY)
    assert [s.node.id for s in c.steps] == ["dept-baoan-zzb", "dc-baoan"]
    assert c.steps[0].leader is not None and c.complete
    meta = district.get_meta("scenario")
    assert isinstance(meta, dict) and meta["name"] == "baoan" and meta["streets"] == 2
    assert district.get_meta("scenario_loading") is None


def test_a_community_token_sees_its_chain_reach_the_district(district: EmbeddedStore) -> None:
    from urllib.parse import quote

    from tests.api_helpers import client_for

    with client_for(district, role="community", community="xinan:community-shangxing") as c:
        r = c.get(f"/api/v1/chains/leadership/{quote('xinan:community-shangxing')}",
                  params={"as_of": SCENARIO_DAY})
        assert r.status_code == 200, r.text
        steps = r.json()["steps"]
        assert [s["node"]["id"] for s in steps[-2:]] == ["wc-xinan", "dc-baoan"]
        assert steps[-1]["node"]["name"] == "中共深圳市宝安区委员会"
        # the secretaries above are no one of this community's: not named (as the
        # working committee's in a street's graph), their own committee's is
        assert steps[-1]["leader"] == steps[-2]["leader"] == {
            "id": "", "name": "（无权查看）", "role": ""}
        assert steps[-3]["leader"]["role"] == "secretary" and steps[-3]["leader"]["name"]
        # another street's community stays out of reach
        assert c.get(f"/api/v1/nodes/{quote('community-shangxing')}").status_code == 404


def test_middle_weakening_of_one_street_is_that_streets_own(district: EmbeddedStore,
                                                           xinqiao: GraphStore) -> None:
    """Xinqiao in the district is the street scenario: its report restricted to the street
    is the report of the store that holds Xinqiao alone; the two streets' reports make
    the district's."""
    alone = middle_weakening(xinqiao, None, SCENARIO_DAY)
    mine = middle_weakening(district, None, SCENARIO_DAY, street="street-xinqiao")
    assert mine.street == "street-xinqiao" and alone.gaps
    assert mine.model_copy(update={"street": None}) == alone
    other = middle_weakening(district, None, SCENARIO_DAY, street="street-xinan")
    assert other.gaps and all(g.community is not None and g.community.id.startswith("xinan:")
                              for g in other.gaps)
    whole = middle_weakening(district, None, SCENARIO_DAY)
    assert len(whole.gaps) == len(mine.gaps) + len(other.gaps)
    assert {s.community.id for s in whole.summary} == (
        {s.community.id for s in mine.summary} | {s.community.id for s in other.summary})
    one = middle_weakening(district, "xinan:community-shangxing", SCENARIO_DAY,
                           street="street-xinan")
    assert one == middle_weakening(district, "xinan:community-shangxing", SCENARIO_DAY
                                   ).model_copy(update={"street": "street-xinan"})
    with pytest.raises(InvalidParameter, match="is not in street"):
        middle_weakening(district, "xinan:community-xinqiao", SCENARIO_DAY,
                         street="street-xinqiao")
    with pytest.raises(InvalidParameter, match="is not a street"):
        middle_weakening(district, None, SCENARIO_DAY, street="community-xinqiao")


def test_overview_ranks_the_streets(district: EmbeddedStore, xinqiao: GraphStore) -> None:
    from queries.overview import street_overview

    o = street_overview(district, SCENARIO_DAY)
    assert {s.street.id for s in o.streets} == {"street-xinqiao", "street-xinan"}
    assert [s.communities for s in o.streets] == [7, 7]
    shares = [(s.totals.weak_branch_share, s.totals.hollow_group_share) for s in o.streets]
    assert shares == sorted(shares, reverse=True)  # the weakest street first
    alone = street_overview(xinqiao, SCENARIO_DAY)
    mine = next(s for s in o.streets if s.street.id == "street-xinqiao")
    assert mine.totals == alone.totals  # Xinqiao in the district is Xinqiao alone
    assert all(r.street is not None and r.street.id == (
        "street-xinan" if r.community and r.community.id.startswith("xinan:")
        else "street-xinqiao") for r in o.communities)
    assert o.totals.branches == sum(s.totals.branches for s in o.streets)


def test_cli_refuses_wrong_options_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    for args, says in (
            (["baoan", "--streets", "11"], "streets must be between 1 and 10"),
            (["xinqiao", "--streets", "2"], "are for the district scenario 'baoan'"),
            (["baoan", "--residents-per-street", "10"], "residents per street must be"),
            (["lianhua"], "'xinqiao' (one street) and 'baoan' (the district)")):
        done = subprocess.run([GOVGRAPH, "--store", str(db), "load", "scenario", *args,
                               "--as-of", DAY], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 1, done.stderr
        assert says in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert not db.exists()
