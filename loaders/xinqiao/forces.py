"""Front-line forces and patrol cases of the Xinqiao scenario (docs/domain.md §3 items 3
and 5): who of the deployed staff is mobilised, grid workers responsible for too many
grids, and a year of patrol cases (巡办分离) with the patterns closure rate alone hides.

Drawn from a random stream of its own (``forces-<seed>``) after everything else, so the
rest of the scenario is the same as without it. What is planted is exact at ``as_of``
for a one-year window (see loaders/SCENARIO.md §4):

- ``not_mobilised``: deployed staff with no current grid, no case reported and no
  activity attended in (as_of − 90 days, as_of]; traps: cases and activities just
  outside the window, grids they were responsible for in the past.
- ``busy_grid_workers``: grid workers also responsible for two neighbouring grids.
- ``cases``: ``trivial_patrollers`` (many cases, mostly 违规张贴 rated 1, closed the
  same day, the rest of what they file closed within two days: top by closure rate,
  bottom by quality), ``backlog_departments``
  (half their cases stuck for 45–200 days), ``recurring_grids`` (占道经营 closed in
  days and back within 15–60: the only grids where a closed case recurs within 90
  days, because no other two cases of one grid and category are that close).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from loaders.xinqiao.data import COMMUNITIES, DEPARTMENTS, labels_of
from loaders.xinqiao.emit import Draws, Emitter
from loaders.xinqiao.places import Grids
from loaders.xinqiao.staff import Staff

__all__ = ["CATEGORIES", "RECURRING", "TRIVIAL", "forces"]

# handling department -> the case categories it handles
CATEGORIES: dict[str, tuple[str, ...]] = {
    "cgb": ("占道经营", "乱堆乱放", "环境卫生", "违规张贴"),
    "zfd": ("违法建设", "噪音扰民"),
    "zzb": ("矛盾纠纷", "治安隐患"),
    "ajb": ("安全生产隐患",),
    "xaw": ("消防隐患",),
    "ggfw": ("公共设施损坏",),
    "sqjs": ("物业纠纷",),
}
DEPT_OF = {cat: d for d, cats in CATEGORIES.items() for cat in cats}
TRIVIAL = "违规张贴"
RECURRING = "占道经营"
BACKLOG_DEPTS = ("zfd", "ggfw")
PATROL_DEPTS = ("cgb", "zzb", "zfd")
WINDOW = 365  # days of cases
GAP = 90  # days: a case "recurs" when its grid and category come back this soon


class _Interval:
    """Days a (grid, category) key is taken: no other case may come within GAP."""

    def __init__(self) -> None:
        self.taken: dict[tuple[str, str], list[tuple[int, int]]] = {}

    def free(self, key: tuple[str, str], lo: int, hi: int) -> bool:
        return all(hi < a or lo > b for a, b in self.taken.get(key, []))

    def take(self, key: tuple[str, str], lo: int, hi: int) -> None:
        self.taken.setdefault(key, []).append((lo, hi))


def forces(em: Emitter, d: Draws, grids: Grids, staff: Staff, activities: int
           ) -> dict[str, Any]:
    """Mobilisation, busy grid workers, a year of patrol cases and the monthly joint
    actions (numbered on after the ``activities`` already made); returns the planted
    ``not_mobilised``, ``busy_grid_workers`` and ``cases``."""
    return _Forces(em, d, grids, staff, activities).run()


class _Forces:
    """One run: its own random stream, and the (grid, category) days taken so far."""

    def __init__(self, em: Emitter, d: Draws, grids: Grids, staff: Staff,
                 activities: int) -> None:
        self.em, self.grids, self.staff = em, grids, staff
        self.A = d.A
        self.iso = d.iso
        self.seed = d.seed
        self._act_no = activities
        self._cases_list: list[tuple[int, int | None, str, str, str, int | None]] = []
        self._slots = _Interval()

    def run(self) -> dict[str, Any]:
        rf = random.Random(f"forces-{self.seed}")
        deployed = sorted(self.staff.community_of)
        idle = sorted(set(rf.sample(sorted(set(deployed) - self.staff.with_grid), 40)))
        busy = self._busy_workers(rf)
        trivial = self._trivial_patrollers(rf, idle)
        recurring = self._recurring(rf)
        patrollers = [p for p in deployed if p not in idle and p not in trivial
                      and p not in self.staff.with_grid
                      and any(p in self.staff.by_dept.get((d, self.staff.community_of[p]), [])
                              for d in PATROL_DEPTS) and rf.random() < 0.7]
        for gid in sorted(self.staff.grid_worker):
            self._normal_cases(rf, self.staff.grid_worker[gid], [gid], rf.randint(6, 14),
                               recent=False)
        for p in patrollers:
            self._normal_cases(rf, p, self.grids.base[self.staff.community_of[p]],
                               rf.randint(3, 10), recent=True)
        self._idle_traps(rf, idle)
        self._emit_cases()
        self._joint_actions(rf, deployed, idle, set(patrollers))
        return {
            "not_mobilised": idle,
            "busy_grid_workers": busy,
            "cases": {
                "window_days": WINDOW, "trivial_patrollers": sorted(trivial),
                "backlog_departments": [f"dept-{d}" for d in BACKLOG_DEPTS],
                "recurring_grids": recurring, "count": len(self._cases_list)},
        }

    # ------------------------------------------------------------ grid workers
    def _busy_workers(self, rf: random.Random) -> dict[str, int]:
        """Five grid workers also cover the next two grids of their community."""
        busy: dict[str, int] = {}
        for c in rf.sample(list(COMMUNITIES), 5):
            grids = self.grids.base[c.slug]
            staffed = [i for i, g in enumerate(grids[:-2]) if g in self.staff.grid_worker
                       and all(x in self.staff.grid_worker for x in grids[i + 1:i + 3])]
            i = rf.choice(staffed)
            pid = self.staff.grid_worker[grids[i]]
            for g in grids[i + 1:i + 3]:
                self.em.rel("RESPONSIBLE_FOR", pid, g, since=self.iso(self.A - rf.randint(30, 400)))
            busy[pid] = 3
        return dict(sorted(busy.items()))

    # ------------------------------------------------------------ cases
    def _case(self, reporter: str, grid: str, cat: str, day: int, close_in: int,
              quality: int | None) -> None:
        closed = day + close_in
        self._cases_list.append((day, closed if closed <= self.A else None, grid, cat,
                                 reporter, quality if closed <= self.A else None))

    def _close_days(self, rf: random.Random, dept: str) -> int:
        if dept in BACKLOG_DEPTS:
            return rf.randint(45, 200) if rf.random() < 0.5 else rf.randint(10, 28)
        return rf.randint(1, 15)

    def _try(self, rf: random.Random, reporter: str, grids: list[str], cats: list[str],
             day: int, tries: int = 12, quick: bool = False) -> bool:
        """One case by ``reporter`` in one of ``grids``, on a (grid, category) key no
        other case comes near; False when none is free. ``quick``: closed in 0–2 days
        (what is filed for the count is easy to close)."""
        for _ in range(tries):
            grid, cat = rf.choice(grids), rf.choice(cats)
            dept = DEPT_OF[cat]
            close_in = (0 if cat == TRIVIAL else rf.randint(0, 2) if quick
                        else self._close_days(rf, dept))
            hi = day + close_in + GAP
            if self._slots.free((grid, cat), day - GAP, hi):
                self._slots.take((grid, cat), day, hi)
                quality = 1 if cat == TRIVIAL else rf.choices((2, 3, 4, 5), (5, 30, 45, 20))[0]
                self._case(reporter, grid, cat, day, close_in, quality)
                return True
        return False

    def _normal_cases(self, rf: random.Random, reporter: str, grids: list[str], n: int,
                      recent: bool) -> None:
        cats = [c for c in DEPT_OF if c != TRIVIAL]
        for k in range(n):
            if recent and k == 0:  # a patroller's first case is recent, whatever it takes
                if not self._try(rf, reporter, grids, cats, self.A - rf.randint(0, 79), 500):
                    raise AssertionError(f"no free grid and category for {reporter}")
                continue
            self._try(rf, reporter, grids, cats, self.A - rf.randint(0, WINDOW - 1))

    def _trivial_patrollers(self, rf: random.Random, idle: list[str]) -> list[str]:
        """Three grid workers and two 城管办 staff, of five communities, file for the
        count."""
        coms = rf.sample([c.slug for c in COMMUNITIES], 5)
        who: list[tuple[str, str]] = []
        for k, com in enumerate(coms):
            if k < 3:
                who.append((self.staff.grid_worker[rf.choice(
                    [g for g in self.grids.base[com] if g in self.staff.grid_worker])], com))
            else:
                who.append((rf.choice([p for p in self.staff.by_dept[("cgb", com)]
                                       if p not in idle]), com))
        for p, com in who:
            grids = self.grids.base[com]
            easy = [c for c in CATEGORIES["cgb"] if c != TRIVIAL]
            for _ in range(rf.randint(100, 160)):
                day = self.A - rf.randint(0, WINDOW - 1)
                self._try(rf, p, grids, [TRIVIAL] if rf.random() < 0.85 else easy, day,
                          quick=True)
        return [p for p, _ in who]

    def _recurring(self, rf: random.Random) -> list[str]:
        """Ten grids where 占道经营 is closed in days and back within 15–60."""
        grids = sorted(rf.sample([g for c in COMMUNITIES for g in self.grids.base[c.slug]
                                  if g in self.staff.grid_worker], 10))
        for g in grids:
            day = self.A - rf.randint(300, WINDOW - 1)
            self._slots.take((g, RECURRING), -10**9, 10**9)
            while day <= self.A:
                close_in = rf.randint(1, 3)
                self._case(self.staff.grid_worker[g], g, RECURRING, day, close_in, 3)
                day += close_in + rf.randint(15, 60)
        return grids

    def _idle_traps(self, rf: random.Random, idle: list[str]) -> None:
        """Half the idle staff reported a case 100–300 days ago; a few had a grid."""
        for p in idle[::2]:
            cats = [c for c in DEPT_OF if c != TRIVIAL]
            self._try(rf, p, self.grids.base[self.staff.community_of[p]], cats,
                      self.A - rf.randint(100, 300))
        for p in idle[1::7]:
            kind_grids = [g for kind, g in self.grids.special[self.staff.community_of[p]]
                          if kind == "security"]
            if kind_grids:
                self.em.rel("RESPONSIBLE_FOR", p, kind_grids[0],
                         since=self.iso(self.A - rf.randint(400, 900)),
                         until=self.iso(self.A - rf.randint(91, 300)))

    def _emit_cases(self) -> None:
        com_of = {g: c for c in COMMUNITIES for g in self.grids.base[c.slug]}
        for n, (day, closed, grid, cat, reporter, quality) in enumerate(
                sorted(self._cases_list, key=lambda c: (c[0], c[2], c[3], c[4])), 1):
            cid = f"case-{n:05d}"
            self.em.node(cid, labels_of("Case"), name=f"{cat}({com_of[grid].zh}){n:05d}",
                      category=cat, status="closed" if closed is not None else "open",
                      reported_on=self.iso(day),
                      closed_on=self.iso(closed) if closed is not None else None,
                      quality=quality)
            self.em.rel("IN_GRID", cid, grid)
            self.em.rel("REPORTED_BY", cid, reporter)
            self.em.rel("HANDLED_BY", cid, f"dept-{DEPT_OF[cat]}")

    # ------------------------------------------------------------ joint actions
    def _joint_actions(self, rf: random.Random, staff: list[str], idle: list[str],
                       patrollers: set[str]) -> None:
        """A monthly 党群联合行动 per community committee; every deployed member of staff
        not idle, without a grid and not patrolling attends one of the last three;
        idle ones attended only older ones (one exactly 90 days ago)."""
        idle_set = set(idle)
        for c in COMMUNITIES:
            mine = [p for p in staff if self.staff.community_of[p] == c.slug]
            days = [self.A - 90 if k == 3 else self.A - 30 * k - rf.randint(1, 20)
                    for k in range(12)]
            for k, day in enumerate(days):
                self._act_no += 1
                aid = f"activity-{self._act_no:05d}"
                d = dt.date.fromordinal(day)
                self.em.node(aid, labels_of("Activity"), name=f"{d.year}年{d.month}月党群联合行动",
                          kind="other", date=d.isoformat())
                self.em.rel("HELD", f"committee-{c.slug}", aid)
                for p in mine:
                    if p in idle_set:
                        go = k >= 3 and rf.random() < 0.15
                    elif p in patrollers or p in self.staff.with_grid:
                        go = rf.random() < 0.2
                    else:
                        go = k == (int(p[-3:]) % 3) or rf.random() < 0.3
                    if go:
                        self.em.rel("ATTENDED", p, aid)


assert {d for d, *_ in DEPARTMENTS} == set(CATEGORIES)
