"""The explorer's views stay readable (issue 17), in real headless Chromium over the small
Xinqiao scenario, as an analyst would use them: the 上星 committee's neighbourhood with
its deployed staff folded into one node that a click opens and closes, activities
hidden until asked for, labels that never overlap, the community view as a tree that
wraps, the time slider, the legend as a filter, and a boundary shown as a shape.

What each view must draw is worked out here from the API's own answer (fetched with the
same token), not written down: the scenario's numbers may change, the rule may not.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.browser.conftest import TOKEN, Watched, watching

COMMITTEE = "committee-shangxing"  # 中共新桥街道上星社区委员会, 上星社区党委
COMMUNITY = "community-shangxing"
FOLD_AT = 8  # explorer-core.js: more than this of one kind under one node fold
EVENTS = ("Activity", "Case")
EARLIER = "2015-06-30"  # before some of the committee's branches and all of its members


@pytest.fixture
def w(browser: Any, scenario_server: str) -> Iterator[Watched]:
    with watching(browser, scenario_server, TOKEN["sc-analyst"]) as watched:
        yield watched


# ---------------------------------------------------------------- helpers
def api(w: Watched, path: str, token: str = "sc-analyst") -> Any:
    r = w.page.request.get(f"{w.base}/api/v1{path}",
                           headers={"Authorization": f"Bearer {TOKEN[token]}"})
    assert r.ok, (path, r.status)
    return r.json()


def neighbours(w: Watched, node_id: str, token: str = "sc-analyst") -> dict[str, Any]:
    got: dict[str, Any] = api(w, f"/nodes/{node_id}/neighbors?depth=1&limit=1000", token)
    return got


def current(r: dict[str, Any], day: str | None) -> bool:
    """graph.model.is_current, on a relationship of an answer."""
    p = r["properties"]
    return day is None or ((p.get("since") is None or p["since"] <= day)
                           and (p.get("until") is None or p["until"] > day))


def expected(answer: dict[str, Any], day: str | None = None, events: bool = False,
             hide: tuple[str, ...] = ()) -> tuple[set[str], dict[tuple[str, str], list[str]]]:
    """What a depth-1 view of ``answer`` draws: its centre, and its neighbours grouped by
    (label, relationship type) of the first relationship that holds on ``day`` (by
    neighbour id, then the answer's order); a group of more than FOLD_AT is one fold."""
    center = answer["center"]["id"]
    label = {n["id"]: n["label"] for n in answer["nodes"]}
    links = sorted(((r["start"] if r["end"] == center else r["end"], i, r)
                    for i, r in enumerate(answer["relationships"])
                    if center in (r["start"], r["end"]) and current(r, day)),
                   key=lambda x: (x[0], x[1]))
    seen = {center}
    groups: dict[tuple[str, str], list[str]] = {}
    for other, _, r in links:
        lab = label[other]
        if other in seen or lab in hide or (lab in EVENTS and not events):
            continue
        seen.add(other)
        groups.setdefault((lab, r["type"]), []).append(other)
    drawn = {center} | {o for g in groups.values() if len(g) <= FOLD_AT for o in g}
    return drawn, {k: g for k, g in groups.items() if len(g) > FOLD_AT}


def ready(w: Watched, view: str = "focus") -> None:
    w.page.wait_for_selector(f'body[data-state="ready"][data-view="{view}"][data-layout="done"]',
                             timeout=20_000)


def open_view(w: Watched, hash_: str, view: str = "focus") -> None:
    w.scan_bodies()
    w.page.goto(f"{w.base}/explorer#{hash_}")
    ready(w, view)


def drawn_nodes(w: Watched) -> set[str]:
    got: list[str] = w.page.evaluate("explorer.nodes.get().filter(n => n.ref).map(n => n.id)")
    return set(got)


def folds(w: Watched) -> dict[tuple[str, str], dict[str, Any]]:
    got: list[dict[str, Any]] = w.page.evaluate(
        "explorer.nodes.get().filter(n => n.fold).map(n => ({id: n.id, label: n.label,"
        " kind: n.fold.label, type: n.fold.type, count: n.fold.count, open: n.fold.open}))")
    return {(f["kind"], f["type"]): f for f in got}


def fold_counts(w: Watched) -> dict[tuple[str, str], int]:
    return {k: f["count"] for k, f in folds(w).items()}


def sizes(groups: dict[tuple[str, str], list[str]]) -> dict[tuple[str, str], int]:
    return {k: len(g) for k, g in groups.items()}


def of_label(w: Watched, label: str) -> set[str]:
    got: list[str] = w.page.evaluate(
        "l => explorer.nodes.get().filter(n => n.ref && n.ref.label === l).map(n => n.id)", label)
    return set(got)


def click_node(w: Watched, node_id: str) -> None:
    """A click on the canvas where ``node_id`` is drawn."""
    pos = w.page.evaluate("id => explorer.pagePosition(id)", node_id)
    w.page.mouse.click(pos["x"], pos["y"])


#: each drawn node's label box in page pixels, as vis-network measured it when it drew
LABEL_BOXES = """() => {
  const net = explorer.network();
  return explorer.nodes.getIds().filter((id) => net.body.nodes[id].options.label).map((id) => {
    const s = net.body.nodes[id].labelModule.size;
    const a = net.canvasToDOM({ x: s.left, y: s.top });
    const b = net.canvasToDOM({ x: s.left + s.width, y: s.top + s.height });
    return { id, left: a.x, top: a.y, right: b.x, bottom: b.y };
  });
}"""


def assert_no_overlap(w: Watched) -> int:
    """No two labels of the drawn nodes meet at the default zoom, and each is big enough
    to read; returns how many labels there are."""
    boxes: list[dict[str, Any]] = w.page.evaluate(LABEL_BOXES)
    meet = [(a["id"], b["id"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a["left"] < b["right"] and b["left"] < a["right"]
            and a["top"] < b["bottom"] and b["top"] < a["bottom"]]
    assert meet == [], meet[:10]
    small = [b["id"] for b in boxes if b["bottom"] - b["top"] < 8]
    assert small == [], small  # not made disjoint by shrinking them out of sight
    return len(boxes)


# ---------------------------------------------------------------- the tasks
def test_committee_neighbourhood_folds_deployed_staff(w: Watched) -> None:
    """The 上星 committee's neighbourhood: the staff it evaluates are one node
    "下沉人员 ×k" (k from the answer); a click draws the k, a second folds them back."""
    page = w.page
    answer = neighbours(w, COMMITTEE)
    want, want_folds = expected(answer)
    staff = want_folds[("DeployedStaff", "EVALUATES")]
    assert len(staff) > 50 and len(answer["nodes"]) > 100  # the hairball it was
    open_view(w, f"focus={COMMITTEE}&depth=1")
    assert drawn_nodes(w) == want and len(want) + len(want_folds) <= 30
    assert fold_counts(w) == sizes(want_folds)
    fold = folds(w)[("DeployedStaff", "EVALUATES")]
    assert fold["label"] == f"下沉人员 ×{len(staff)}" and not fold["open"]
    assert "组已折叠" in page.inner_text("#status")
    assert_no_overlap(w)
    w.shot("readable-committee")

    click_node(w, fold["id"])
    page.wait_for_function("id => explorer.nodes.get(id).fold.open", arg=fold["id"])
    ready(w)
    assert of_label(w, "DeployedStaff") == set(staff)
    assert drawn_nodes(w) == want | set(staff)
    assert assert_no_overlap(w) >= len(want) + len(staff)
    w.shot("readable-committee-open")

    click_node(w, fold["id"])
    page.wait_for_function("id => !explorer.nodes.get(id).fold.open", arg=fold["id"])
    ready(w)
    assert of_label(w, "DeployedStaff") == set() and drawn_nodes(w) == want
    assert folds(w)[("DeployedStaff", "EVALUATES")]["label"] == f"下沉人员 ×{len(staff)}"


def test_activities_hidden_until_asked_for(w: Watched) -> None:
    page = w.page
    answer = neighbours(w, COMMITTEE)
    activities = {n["id"] for n in answer["nodes"] if n["label"] == "Activity"}
    assert activities  # the committee holds meetings
    open_view(w, f"focus={COMMITTEE}&depth=1")
    assert of_label(w, "Activity") == set() and not any(k[0] in EVENTS for k in folds(w))
    assert page.inner_text("#events-count") == f"（{len(activities)}）"
    page.check("#events")
    ready(w)
    want, want_folds = expected(answer, events=True)
    assert drawn_nodes(w) == want and "events=1" in page.url
    assert fold_counts(w) == sizes(want_folds)
    shown = of_label(w, "Activity") | {a for k, g in want_folds.items() if k[0] == "Activity"
                                        for a in g}
    assert shown == activities  # drawn, or counted in their fold
    assert_no_overlap(w)
    page.uncheck("#events")
    ready(w)
    assert of_label(w, "Activity") == set() and "events=1" not in page.url


def test_labels_never_overlap_at_the_default_zoom(w: Watched) -> None:
    """Short names (上星社区党委, not 中共新桥街道上星社区委员会), and no two labels meet,
    at depth 1 and 2 and in the community view."""
    open_view(w, f"focus={COMMITTEE}&depth=1")
    label = w.page.evaluate(f"explorer.nodes.get({COMMITTEE!r}).label")
    assert label == "上星社区党委"
    branch_labels: list[str] = w.page.evaluate(
        "explorer.nodes.get().filter(n => n.ref && n.ref.labels.includes('PartyOrg'))"
        ".map(n => n.label)")
    assert branch_labels and not any(x.startswith("中共") for x in branch_labels)
    assert_no_overlap(w)
    open_view(w, f"focus={COMMITTEE}&depth=2")
    assert 20 <= assert_no_overlap(w) <= 120  # not the 300 meeting labels of old
    assert of_label(w, "Activity") == set()
    w.shot("readable-depth2")
    open_view(w, f"view=community&community={COMMUNITY}", "community")
    assert assert_no_overlap(w) > 20


def test_community_view_is_a_tree_that_wraps(w: Watched) -> None:
    page = w.page
    tree = api(w, f"/nodes/{COMMITTEE}/neighbors?depth=2&limit=1000&type=COVERS&type=SUB_ORG_OF")
    label = {n["id"]: n["label"] for n in tree["nodes"]}
    branches = {r["start"] for r in tree["relationships"]
                if r["type"] == "SUB_ORG_OF" and r["end"] == COMMITTEE
                and label[r["start"]] == "Branch"}
    today = dt.date.today().isoformat()
    covers: dict[str, set[str]] = {}  # group -> the branches covering it today
    for r in tree["relationships"]:
        if r["type"] == "COVERS" and r["start"] in branches and current(r, today):
            covers.setdefault(r["end"], set()).add(r["start"])
    assert len(branches) > 10 and covers
    open_view(w, f"view=community&community={COMMUNITY}", "community")
    pos: dict[str, dict[str, float]] = page.evaluate(
        "explorer.network().getPositions(explorer.nodes.getIds())")
    assert branches <= set(pos)
    rows = sorted({round(pos[b]["y"]) for b in branches})
    assert len(rows) > 1  # not one line of 18
    per_row = max(sum(1 for b in branches if round(pos[b]["y"]) == y) for y in rows)
    assert per_row < len(branches)
    # top down: the community, its committee, then each branch above the groups it covers
    assert pos[COMMUNITY]["y"] < pos[COMMITTEE]["y"] < min(pos[b]["y"] for b in branches)
    for g, bs in covers.items():
        assert any(pos[g]["y"] > pos[b]["y"] for b in bs), (g, bs)
    w.shot("readable-community")


def test_time_slider_sets_as_of_and_redraws(w: Watched) -> None:
    page = w.page
    answer = neighbours(w, COMMITTEE)
    now, now_folds = expected(answer)
    then, then_folds = expected(answer, day=EARLIER)
    assert then != now or then_folds != now_folds  # the day makes a difference
    open_view(w, f"focus={COMMITTEE}&depth=1")
    assert drawn_nodes(w) == now
    assert page.inner_text("#as-of-day") == "今天"
    year, month = int(EARLIER[:4]), int(EARLIER[5:7])
    page.fill("#as-of", str(year * 12 + month - 1))  # the slider counts months
    ready(w)
    page.wait_for_function(f"location.hash.includes('as_of={EARLIER}')")
    assert page.inner_text("#as-of-day") == EARLIER
    assert drawn_nodes(w) == then
    assert fold_counts(w) == sizes(then_folds)
    assert_no_overlap(w)
    # back to today: everything again
    page.fill("#as-of", page.get_attribute("#as-of", "max") or "")
    ready(w)
    page.wait_for_function("!location.hash.includes('as_of=')")
    assert drawn_nodes(w) == now
    # a deep link with the day opens on it
    open_view(w, f"focus={COMMITTEE}&depth=1&as_of={EARLIER}")
    assert drawn_nodes(w) == then and page.inner_text("#as-of-day") == EARLIER


def test_time_slider_in_the_community_view(w: Watched) -> None:
    """The tree on an earlier day: only the branches under the committee then."""
    page = w.page
    tree = api(w, f"/nodes/{COMMITTEE}/neighbors?depth=2&limit=1000&type=SUB_ORG_OF")
    label = {n["id"]: n["label"] for n in tree["nodes"]}
    under = [r for r in tree["relationships"] if r["type"] == "SUB_ORG_OF"
             and r["end"] == COMMITTEE and label[r["start"]] == "Branch"]
    today = dt.date.today().isoformat()
    now = {r["start"] for r in under if current(r, today)}
    then = {r["start"] for r in under if current(r, EARLIER)}
    assert then < now
    open_view(w, f"view=community&community={COMMUNITY}", "community")
    assert of_label(w, "Branch") == now
    year, month = int(EARLIER[:4]), int(EARLIER[5:7])
    page.fill("#as-of", str(year * 12 + month - 1))
    page.wait_for_function(f"location.hash.includes('as_of={EARLIER}')")
    ready(w, "community")
    assert of_label(w, "Branch") == then
    assert "view=community" in page.url
    assert_no_overlap(w)


def test_legend_hides_and_shows_a_type(w: Watched) -> None:
    page = w.page
    answer = neighbours(w, COMMITTEE)
    now, now_folds = expected(answer)
    members = {i for i in now if i != COMMITTEE and next(
        n for n in answer["nodes"] if n["id"] == i)["label"] == "PartyMember"}
    assert members
    open_view(w, f"focus={COMMITTEE}&depth=1")
    page.click('#legend button[data-label="PartyMember"]')
    ready(w)
    want, want_folds = expected(answer, hide=("PartyMember",))
    assert of_label(w, "PartyMember") == set() and drawn_nodes(w) == want
    assert "hide=PartyMember" in page.url
    assert page.get_attribute('#legend button[data-label="PartyMember"]', "class") == "off"
    # a folded type goes with its fold
    page.click('#legend button[data-label="Branch"]')
    ready(w)
    assert ("Branch", "SUB_ORG_OF") not in folds(w)
    page.click('#legend button[data-label="PartyMember"]')
    page.click('#legend button[data-label="Branch"]')
    ready(w)
    page.wait_for_function("!location.hash.includes('hide=')")
    assert drawn_nodes(w) == now and set(folds(w)) == set(now_folds)


def test_a_boundary_is_a_shape_not_geojson(w: Watched) -> None:
    page = w.page
    node = api(w, f"/nodes/{COMMUNITY}")
    geometry = node["properties"]["geometry"]
    shape = json.loads(geometry) if isinstance(geometry, str) else geometry
    assert shape["type"] == "Polygon"
    vertices = sum(len(ring) - (ring[0] == ring[-1]) for ring in shape["coordinates"])
    open_view(w, f"focus={COMMUNITY}&depth=1")
    page.wait_for_selector(f'#details[data-node-id="{COMMUNITY}"]')
    details = page.inner_text("#details")
    assert f"多边形（{vertices} 个顶点）" in details
    assert "coordinates" not in details and "Polygon" not in details
    assert page.locator("#details svg.shape path").count() == 1
    open_view(w, f"focus={COMMUNITY}&depth=1&lang=en")
    page.wait_for_selector(f'#details[data-node-id="{COMMUNITY}"]')
    assert f"Polygon ({vertices} vertices)" in page.inner_text("#details")
    assert "coordinates" not in page.inner_text("#details")


def test_a_community_token_folds_its_own_answer(browser: Any, scenario_server: str) -> None:
    """With 上星's token the same view, counted from what that token's answer holds."""
    with watching(browser, scenario_server, TOKEN["sc-shangxing"]) as w:
        answer = neighbours(w, COMMITTEE, "sc-shangxing")
        want, want_folds = expected(answer)
        open_view(w, f"focus={COMMITTEE}&depth=1")
        assert drawn_nodes(w) == want
        assert fold_counts(w) == sizes(want_folds)
        assert_no_overlap(w)


def test_client_short_names_are_the_servers(w: Watched) -> None:
    """Where an answer has no short name the page shortens 中共…委员会 itself: the same
    names as graph.formats.short_org_name, for every party organisation near the
    committee, and other names left as they are."""
    from graph.formats import short_org_name

    answer = api(w, f"/nodes/{COMMITTEE}/neighbors?depth=2&limit=1000&type=SUB_ORG_OF")
    names = sorted({n["name"] for n in answer["nodes"] if "PartyOrg" in n["labels"]})
    assert len(names) > 10 and all(n.startswith("中共") for n in names)
    others = ["上星社区", "深圳市上星股份合作公司", "张三"]
    open_view(w, "")
    got = w.page.evaluate("ns => ns.map((n) => GovgraphExplorer.shortName(n))", names + others)
    assert got == [short_org_name(n) for n in names] + others


def test_a_consumer_sees_no_people_folded_or_drawn(browser: Any, scenario_server: str) -> None:
    """A consumer's answer holds no person: no person drawn, no fold counts any."""
    with watching(browser, scenario_server, TOKEN["sc-consumer"]) as w:
        answer = neighbours(w, COMMITTEE, "sc-consumer")
        assert not any("Person" in n["labels"] for n in answer["nodes"])
        want, want_folds = expected(answer)
        open_view(w, f"focus={COMMITTEE}&depth=1")
        assert drawn_nodes(w) == want and fold_counts(w) == sizes(want_folds)
        people = {"DeployedStaff", "PartyMember", "Person", "Cadre"}
        assert not people & {k[0] for k in folds(w)}
        legend = w.page.eval_on_selector_all("#legend button", "bs => bs.map(b => b.dataset.label)")
        assert legend and not people & set(legend)
