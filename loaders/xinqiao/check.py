"""The scenario checks itself: every planted branch flag and hollow group is
re-derived from the emitted records by the definitions of docs/domain.md §5
(:mod:`loaders.xinqiao.rules`); a disagreement fails loudly, whatever the seed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from graph.model import is_current
from loaders.xinqiao.emit import Record
from loaders.xinqiao.party_plan import BranchPlan
from loaders.xinqiao.people import years_before
from loaders.xinqiao.rules import branch_flags, hollow_groups

__all__ = ["check_party", "new_members_with_posts"]


def check_party(nodes: list[Record], rels: list[Record], as_of: dt.date,
                br: dict[str, BranchPlan], hollow: set[str]) -> dict[str, Any]:
    """The planted ``branches``, ``resident_groups`` and ``new_members_with_posts``,
    once the records are shown to hold them (AssertionError otherwise)."""
    flags = branch_flags(nodes, rels, as_of)
    weak = {b: sorted(p.reasons) for b, p in br.items() if p.reasons}
    got = {b: f for b, f in flags.items() if f}
    if got != weak:
        bad = sorted({(b, tuple(f)) for b, f in got.items()}
                     ^ {(b, tuple(f)) for b, f in weak.items()})[:5]
        raise AssertionError(f"planted branch flags do not hold: {bad}")
    hollow_now = hollow_groups(nodes, rels, as_of)
    if {g for g, h in hollow_now.items() if h} != hollow:
        raise AssertionError("planted hollow groups do not hold")
    return {
        "branches": {
            "weak": {b: weak[b] for b in sorted(weak)},
            "healthy": sorted(b for b in br if b not in weak),
            "kind": {b: br[b].kind for b in sorted(br)},
            "community": {b: f"community-{br[b].com}" for b in sorted(br)},
        },
        "resident_groups": {"hollow": sorted(hollow),
                            "healthy": sorted(g for g in hollow_now if not hollow_now[g])},
        "new_members_with_posts": new_members_with_posts(nodes, rels, as_of),
    }


def new_members_with_posts(nodes: list[Record], rels: list[Record], as_of: dt.date
                           ) -> list[str]:
    """Party members new by docs/domain.md §5.3 (joined within 5 years or aged <= 35) holding a
    management post (current HOLDS_POST, or a current MEMBER_OF with role != member)."""
    a = as_of.isoformat()
    y5 = years_before(as_of, 5).isoformat()
    y36 = years_before(as_of, 36).isoformat()
    props = {n["id"]: n["properties"] for n in nodes if "PartyMember" in n["labels"]}
    posted = set()
    for r in rels:
        p = r["properties"]
        if r["start"] in props and is_current(p, a) and (
                r["type"] == "HOLDS_POST"
                or (r["type"] == "MEMBER_OF" and p["role"] != "member")):
            posted.add(r["start"])
    return sorted(pid for pid in posted if props[pid]["joined_party_on"] > y5
                  or props[pid]["birth_date"] > y36)
