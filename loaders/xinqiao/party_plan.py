"""The plan of the party structure: every branch (its kind, community, parent, host)
and the middle-weakening reasons it is planted for, before any member is made.

Also the plain records the party builders pass along: :class:`Mship` (a membership),
:class:`PM` (a party member), :class:`BranchPlan`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from loaders.xinqiao.data import COMMUNITIES, cn_number, labels_of
from loaders.xinqiao.economy import Economy
from loaders.xinqiao.emit import Draws, Emitter
from loaders.xinqiao.rules import REASONS

__all__ = ["PM", "WEAK_SHARE", "BranchPlan", "Mship", "plan_branches", "plant_reasons"]

_REASON_W = {"no_secretary": 1.0, "too_few_members": 1.0, "too_many_members": 0.4,
             "no_resident_group": 1.4, "inactive": 1.5, "no_new_members": 1.0}
WEAK_SHARE = 0.15
_GENERAL_BRANCHES = ("shangliao", "wanfeng", "xiner")


@dataclass(slots=True)
class Mship:
    pid: str
    org: str
    role: str
    since: int
    until: int | None = None
    rid: str | None = None


@dataclass(slots=True)
class PM:
    joined: int
    full: bool
    birth: int
    com: str | None  # community slug of the current membership, if any
    resident: bool
    cat: str


@dataclass(slots=True)
class BranchPlan:
    id: str
    kind: str  # community | jsc | enterprise | unit | park
    com: str
    name: str
    parent: str | None  # SUB_ORG_OF target
    alliance: str | None  # ALLIANCE_MEMBER target (stationed units)
    host: str | None  # EMBEDDED_IN target
    founded: int
    reasons: list[str] = field(default_factory=list)
    mships: list[Mship] = field(default_factory=list)
    covers: list[str] = field(default_factory=list)


def plan_branches(em: Emitter, d: Draws, eco: Economy) -> dict[str, BranchPlan]:
    """Every branch, by id (general branches are emitted here, branches later)."""
    r = d.r
    br: dict[str, BranchPlan] = {}
    for c in COMMUNITIES:
        com = f"committee-{c.slug}"
        gen = None
        if c.slug in _GENERAL_BRANCHES:
            gen = em.node(f"genbranch-{c.slug}", labels_of("GeneralBranch"),
                          name=f"中共{c.zh}社区东片总支部委员会",
                          founded_on=d.iso(d.ago(3000, 6000)))
            em.rel("SUB_ORG_OF", gen, com, since=d.iso(d.ago(1500, 2900)))
        for k in range(1, c.branches + 1):
            parent = gen if gen and k > c.branches - 3 else com
            bid = f"branch-{c.slug}-{k:02d}"
            br[bid] = BranchPlan(bid, "community", c.slug,
                                 f"中共{c.zh}社区第{cn_number(k)}支部委员会",
                                 parent, None, None, d.ago(3300, 11000))
        if c.converted:
            bid = f"branch-jsc-{c.slug}"
            br[bid] = BranchPlan(bid, "jsc", c.slug, f"中共深圳市{c.zh}股份合作公司支部委员会",
                                 com, None, f"jsc-{c.slug}", d.ago(3300, 11000))
    big = sorted(e for k in ("manufacturing", "other") for e in eco.enterprises[k]
                 if eco.employees[e] >= 40)
    for eid in sorted(r.sample(big, 40)):
        bid = f"branch-ent-{eid[-4:]}"
        cs = eco.community_of[eid]
        br[bid] = BranchPlan(bid, "enterprise", cs, f"中共{eco.name[eid]}支部委员会",
                             f"committee-{cs}", None, eid, d.ago(1100, 6500))
    for u in eco.units:
        if u.has_branch:
            bid = f"branch-unit-{u.id[-2:]}"
            br[bid] = BranchPlan(bid, "unit", u.community, f"中共{u.name}支部委员会",
                                 None, f"committee-{u.community}", u.id, d.ago(1100, 9000))
    for pid in eco.parks[:5]:
        bid = f"branch-park-{pid[-2:]}"
        cs = eco.community_of[pid]
        br[bid] = BranchPlan(bid, "park", cs, f"中共{eco.name[pid]}联合支部委员会",
                             f"committee-{cs}", None, pid, d.ago(1100, 5000))
    return br


def plant_reasons(d: Draws, br: dict[str, BranchPlan]) -> None:
    """Choose the weak branches and fill in their ``reasons`` (each 1 or 2; every
    reason at least once; limits per reason as in SCENARIO.md §4)."""
    r = d.r
    ids = sorted(br)
    community = [b for b in ids if br[b].kind == "community"]
    first = r.choice(community)
    weak = [first] + r.sample([b for b in ids if b != first], round(WEAK_SHARE * len(ids)) - 1)
    nrg_per_com: dict[str, int] = defaultdict(int)
    too_many = 0

    def allowed(b: BranchPlan, reason: str) -> bool:
        if reason in b.reasons:
            return False
        if reason == "no_resident_group":
            return b.kind == "community" and nrg_per_com[b.com] < 2
        if reason == "too_many_members":
            return too_many < 3 and "too_few_members" not in b.reasons
        if reason == "too_few_members":
            return "too_many_members" not in b.reasons
        return True

    def add(b: BranchPlan, reason: str) -> None:
        nonlocal too_many
        b.reasons.append(reason)
        if reason == "no_resident_group":
            nrg_per_com[b.com] += 1
        if reason == "too_many_members":
            too_many += 1

    add(br[first], "no_resident_group")
    rest = weak[1:]
    for reason, wid in zip([x for x in REASONS if x != "no_resident_group"], rest,
                           strict=False):
        add(br[wid], reason)
    for bid in weak:
        b = br[bid]
        want = 1 if not b.reasons else 0
        if r.random() < 0.4:
            want += 1
        for _ in range(want):
            ok = [x for x in REASONS if allowed(b, x)]
            if ok and len(b.reasons) < 2:
                add(b, r.choices(ok, [_REASON_W[x] for x in ok])[0])
        b.reasons.sort()
