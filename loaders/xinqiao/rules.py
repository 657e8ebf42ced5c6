"""The middle-weakening rules of docs/domain.md §5.2, on plain records.

The scenario generator uses these to check, for any seed, that what it planted is
what the definitions yield (the tests check again with their own code).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from graph.model import is_current
from loaders.xinqiao.emit import Record
from loaders.xinqiao.people import years_before

__all__ = ["REASONS", "branch_flags", "hollow_groups"]

REASONS = ("no_secretary", "too_few_members", "too_many_members", "no_resident_group",
           "inactive", "no_new_members")


def branch_flags(nodes: list[Record], rels: list[Record], as_of: dt.date
                 ) -> dict[str, list[str]]:
    """The six middle-weakening reasons of every Branch, by docs/domain.md §5.2."""
    a = as_of.isoformat()
    d90 = (as_of - dt.timedelta(days=90)).isoformat()
    y5 = years_before(as_of, 5).isoformat()
    branches = [n["id"] for n in nodes if "Branch" in n["labels"]]
    person = {n["id"]: n["properties"] for n in nodes if "PartyMember" in n["labels"]}
    act = {n["id"]: n["properties"]["date"] for n in nodes if "Activity" in n["labels"]}
    members: dict[str, list[tuple[str, str]]] = defaultdict(list)
    covers: set[str] = set()
    embedded: set[str] = set()
    active: set[str] = set()
    for r in rels:
        t, p = r["type"], r["properties"]
        if t == "MEMBER_OF" and is_current(p, a):
            members[r["end"]].append((r["start"], p["role"]))
        elif t == "COVERS" and is_current(p, a):
            covers.add(r["start"])
        elif t == "EMBEDDED_IN":
            embedded.add(r["start"])
        elif t == "HELD" and r["end"] in act and d90 < act[r["end"]] <= a:
            active.add(r["start"])
    out = {}
    for b in branches:
        ms = members.get(b, [])
        why = []
        if not any(role == "secretary" for _, role in ms):
            why.append("no_secretary")
        if sum(1 for pid, _ in ms if person[pid].get("full_member")) < 3:
            why.append("too_few_members")
        if len(ms) > 50:
            why.append("too_many_members")
        if b not in embedded and b not in covers:
            why.append("no_resident_group")
        if b not in active:
            why.append("inactive")
        if not any(person[pid]["joined_party_on"] > y5 for pid, _ in ms):
            why.append("no_new_members")
        out[b] = sorted(why)
    return out


def hollow_groups(nodes: list[Record], rels: list[Record], as_of: dt.date) -> dict[str, bool]:
    """Resident group -> hollow (no current post, party member living in it, cover)."""
    a = as_of.isoformat()
    groups = [n["id"] for n in nodes if "ResidentGroup" in n["labels"]]
    gset = set(groups)
    pms = {n["id"] for n in nodes if "PartyMember" in n["labels"]}
    b_group = {r["start"]: r["end"] for r in rels
               if r["type"] == "PART_OF" and r["start"].startswith("building-")}
    post, lived, covered = set(), set(), set()
    for r in rels:
        t, p = r["type"], r["properties"]
        if not is_current(p, a):
            continue
        if t == "HOLDS_POST" and r["end"] in gset:
            post.add(r["end"])
        elif t == "COVERS":
            covered.add(r["end"])
        elif t == "LIVES_IN" and r["start"] in pms and r["end"] in b_group:
            lived.add(b_group[r["end"]])
    return {g: not (g in post or g in lived or g in covered) for g in groups}
