"""Small pieces every query shares: dates, "current" relationships, node references.

>>> is_current({"since": "2020-01-01", "until": "2024-06-30"}, "2024-06-30")
False
>>> is_current({"since": "2020-01-01"}, "2019-12-31"), is_current({}, "2000-01-01")
(False, True)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from graph.cypher import load_cypher
from graph.model import Adjacent, Node, is_current
from graph.names import display_short
from graph.schema import Schema
from graph.store import GraphReader, runs_cypher
from graph.subgraph import rows_to_subgraph

__all__ = [
    "in_community",
    "day_of",
    "years_before",
    "is_current",
    "current",
    "NodeRef",
    "node_ref",
    "PARTY_LEVELS",
    "party_level",
    "parent_org",
    "committee_of_org",
    "community_of_committee",
    "secretary_of",
    "org_view",
    "Assumption",
    "assumed_day",
]


def day_of(as_of: dt.date | str | None) -> str:
    """The as-of date as ISO text (default today)."""
    if as_of is None:
        return dt.date.today().isoformat()
    if isinstance(as_of, dt.date):
        return as_of.isoformat()
    return dt.date.fromisoformat(as_of).isoformat()


def years_before(day: dt.date, years: int) -> str:
    """The same calendar day ``years`` earlier, as ISO text (28 February for 29 February).

    >>> years_before(dt.date(2024, 2, 29), 5)
    '2019-02-28'
    """
    try:
        return day.replace(year=day.year - years).isoformat()
    except ValueError:
        return day.replace(year=day.year - years, day=28).isoformat()


def current(adjs: Iterable[Adjacent], day: str) -> list[Adjacent]:
    return [a for a in adjs if is_current(a.rel.properties, day)]


def latest_secretary(adjs: Iterable[Adjacent]) -> Adjacent | None:
    """Of an organisation's current MEMBER_OF links, the secretary's: when a roster
    left two open (an old one not yet ended), the one who took the post last."""
    sec = [a for a in adjs if a.rel.properties.get("role") == "secretary"]
    return max(sec, key=lambda a: (str(a.rel.properties.get("since") or ""), a.other),
               default=None)


class NodeRef(BaseModel):
    """A node as results show it: id, name and its most specific label (Chinese too)."""

    id: str
    name: str
    label: str
    label_zh: str
    labels: list[str]
    #: the name people use: the node's own (上星社区第一党支部), else the shortest
    #: derived one that still names its unit (graph/names.py: 上星党委, 上星), if any
    short_name: str | None = None


def in_community(ref: NodeRef | None, community: str | None) -> bool:
    """Whether a report row whose community is ``ref`` belongs to ``community`` (every
    row does when it is None): the ``community`` filter of the report routes."""
    return community is None or (ref is not None and ref.id == community)


def node_ref(schema: Schema, node: Node) -> NodeRef:
    label = schema.display_label(node.labels)
    short = node.properties.get("short_name")
    if not isinstance(short, str) or not short:
        derived = display_short(node.name, node.labels)
        short = derived if derived != node.name else None
    return NodeRef(id=node.id, name=node.name, label=label,
                   label_zh=schema.labels[label].name_zh if label else "",
                   labels=list(node.labels), short_name=short)


class Assumption(BaseModel):
    """A date known only to the month or year (2009.05) that the answer compared with a
    day: which day was taken (the first of the period), and that the answer might be
    otherwise. ``node`` is a node as answers show it, so redaction and the audit see
    it like any other."""

    node: NodeRef
    property: str
    given: str  # as precise as known: 2009-05 or 2009
    assumed: str  # the day taken: 2009-05-01
    cutoff: str  # the day it was compared with
    message_zh: str
    message: str


_CUT = {"month": 7, "year": 4}


def assumed_day(node: NodeRef, prop: str, value: str | None, precision: str | None,
                cutoffs: Iterable[str]) -> Assumption | None:
    """The assumption a query made when ``value`` (stored as the first day of its
    month or year) was compared with a cutoff inside that month or year, else None.

    >>> m1 = NodeRef(id="m1", name="甲", label="PartyMember", label_zh="党员",
    ...              labels=["PartyMember", "Person"])
    >>> a = assumed_day(m1, "joined_party_on", "2021-06-01", "month", ["2021-06-30"])
    >>> a.given, a.assumed, a.message_zh
    ('2021-06', '2021-06-01', '入党日期只知道到 2021-06，按 2021-06-01 计（与 2021-06-30 比较）')
    >>> assumed_day(m1, "joined_party_on", "2021-06-01", "month", ["2021-07-01"]) is None
    True
    """
    if not value or precision not in _CUT:
        return None
    n = _CUT[precision]
    for cut in cutoffs:
        if cut[:n] == value[:n]:
            zh = {"joined_party_on": "入党日期", "since": "起始日期", "until": "终止日期"}.get(
                prop, prop)
            return Assumption(
                node=node, property=prop, given=value[:n], assumed=value, cutoff=cut,
                message_zh=f"{zh}只知道到 {value[:n]}，按 {value} 计（与 {cut} 比较）",
                message=f"{prop} is known to {precision} only ({value[:n]}): taken as "
                        f"{value} against {cut}")
    return None


#: Party organisation levels, lowest first.
PARTY_LEVELS = ("PartyGroup", "Branch", "GeneralBranch", "Committee", "WorkingCommittee")


def party_level(labels: Iterable[str]) -> int:
    labs = set(labels)
    for i, lab in enumerate(PARTY_LEVELS):
        if lab in labs:
            return i
    return len(PARTY_LEVELS)


def parent_org(store: GraphReader, org_id: str, day: str, alliance: bool = True
               ) -> Adjacent | None:
    """The organisation above: a current SUB_ORG_OF, else (``alliance``) a current
    ALLIANCE_MEMBER."""
    for rtype in ("SUB_ORG_OF", "ALLIANCE_MEMBER") if alliance else ("SUB_ORG_OF",):
        ups = current(store.adjacent(org_id, [rtype], "out"), day)
        if ups:
            return ups[0]
    return None


def committee_of_org(store: GraphReader, org_id: str, day: str, alliance: bool = True
                     ) -> str | None:
    """The community committee an organisation is under (itself if it is one).

    With ``alliance=False`` only SUB_ORG_OF counts: the strict sense in which a party
    member *belongs to* a community (docs/domain.md §4.4); an organisation that only joined
    the committee's regional alliance (区域化党建) is then under none."""
    seen = set()
    cur: str | None = org_id
    labels = store.get_node(org_id).labels
    while cur is not None and cur not in seen:
        seen.add(cur)
        if "Committee" in labels:
            return cur
        up = parent_org(store, cur, day, alliance)
        if up is None:
            return None
        cur, labels = up.other, up.other_labels
    return None


def community_of_committee(store: GraphReader, committee_id: str) -> str | None:
    led = store.adjacent(committee_id, ["LEADS"], "out", ["Community"])
    return led[0].other if led else None


def secretary_of(store: GraphReader, org_id: str, day: str) -> tuple[str, str] | None:
    """(person id, role) of the current secretary, else None."""
    a = latest_secretary(current(store.adjacent(org_id, ["MEMBER_OF"], "in"), day))
    return (a.other, "secretary") if a is not None else None


CYPHER = load_cypher(Path(__file__).with_suffix(".cypher"))


def org_view(store: GraphReader, day: str) -> GraphReader:
    """A store to walk the party hierarchy on: the store itself, or on Neo4j the
    current hierarchy fetched in one round trip (``common.cypher``)."""
    if not runs_cypher(store):
        return store
    return rows_to_subgraph(store.schema, store.read_cypher(CYPHER["org_nodes"]),
                            store.read_cypher(CYPHER["org_hierarchy"], day=day))
