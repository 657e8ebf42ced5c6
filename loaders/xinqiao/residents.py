"""The streamed residents of the scenario: everyone but the fixed part's residents,
drawn vectorised in blocks of :data:`BLOCK` from generators of their own and handed
out in batches of any size, each resident with its ``LIVES_IN``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np

from loaders.xinqiao.build import Fixed
from loaders.xinqiao.data import COMMUNITIES, STREET, labels_of
from loaders.xinqiao.emit import Record
from loaders.xinqiao.people import years_before

__all__ = ["BLOCK", "REGISTERED_SHARE", "Batch", "ResidentStream"]

REGISTERED_SHARE = STREET["registered_population"] / STREET["population"]  # 2.68%

# streamed residents' ages: (from, to) years and share
_AGE_BANDS = ((0, 6, 0.06), (6, 18, 0.10), (18, 30, 0.28), (30, 45, 0.34), (45, 60, 0.16),
              (60, 90, 0.06))
_VOLUNTEER_P = 0.02
_LANDLORD_P = 0.5  # of registered residents in converted villages

#: residents drawn at a time, each block from a generator of its own: the draws do not
#: depend on how the stream is cut into batches (the embedded store takes 20,000
#: records a batch, Neo4j 50,000: one seed, one graph)
BLOCK = 10_000

Batch = tuple[list[Record], list[Record]]


class ResidentStream:
    """The residents that follow ``fixed`` for a scenario of ``residents`` people."""

    def __init__(self, fixed: Fixed, residents: int, seed: int, as_of: dt.date) -> None:
        self.seed = seed
        self.blocks = 0
        self.ready: Batch = ([], [])
        self.pf = fixed.pf
        self.A = as_of.toordinal()
        self.fixed_nodes = len(fixed.nodes)
        self.undrawn = residents - fixed.residents  # not drawn yet
        self.made = 0
        self.next_no = fixed.person_no + 1
        fixed_reg = sum(1 for n in fixed.nodes if "Resident" in n["labels"]
                        and n["properties"].get("household_registered"))
        target = round(residents * REGISTERED_SHARE)
        self.reg_left = min(self.undrawn, max(0, target - fixed_reg))
        self.registered_total = fixed_reg + self.reg_left
        bids, addr, floors, com_i, conv = [], [], [], [], []
        bld = fixed.buildings
        for ci, c in enumerate(COMMUNITIES):
            for bid in bld.by_community[c.slug]:
                bids.append(bid)
                addr.append(bld.address[bid])
                floors.append(bld.floors[bid])
                com_i.append(ci)
                conv.append(c.converted)
        self.bids, self.addr = bids, addr
        self.floors = np.array(floors, np.int64)
        self.conv = np.array(conv, bool)
        com_i_a = np.array(com_i)
        tot_fl = np.bincount(com_i_a, weights=self.floors)
        pop = np.array([c.population for c in COMMUNITIES], float)
        reg = np.array([c.registered for c in COMMUNITIES], float)
        w_all = self.floors * (pop / tot_fl)[com_i_a]
        w_reg = self.floors * (reg / tot_fl)[com_i_a]
        self.cdf_all = np.cumsum(w_all) / w_all.sum()
        self.cdf_reg = np.cumsum(w_reg) / w_reg.sum()
        bands = np.array([x[2] for x in _AGE_BANDS])
        self.age_cdf = np.cumsum(bands) / bands.sum()
        self.age_lo = np.array([int(x[0] * 365.25) for x in _AGE_BANDS])
        self.age_span = np.array([int((x[1] - x[0]) * 365.25) for x in _AGE_BANDS])
        self.y40 = self.A - years_before(as_of, 40).toordinal()
        self.y12 = self.A - years_before(as_of, 12).toordinal()
        self.templates = [
            ["Person", "Resident"], ["Person", "Resident", "Volunteer"],
            list(labels_of("Person", "Resident", "Landlord")),
            list(labels_of("Person", "Resident", "Landlord", "Volunteer")),
        ]
        self.label_counts: Counter[tuple[str, ...]] = Counter()

    @property
    def left(self) -> int:
        """Residents not handed out yet."""
        return self.undrawn + len(self.ready[0])

    def next(self, k: int) -> Batch:
        """The next ``k`` residents (fewer at the end) with their ``LIVES_IN``."""
        while len(self.ready[0]) < k and self.undrawn:
            nodes, rels = self._block(min(BLOCK, self.undrawn))
            self.ready[0].extend(nodes)
            self.ready[1].extend(rels)
        nodes, rels = self.ready
        self.ready = (nodes[k:], rels[k:])
        return nodes[:k], rels[:k]

    def _block(self, k: int) -> Batch:
        rng = np.random.default_rng([self.seed, 2, self.blocks])
        self.blocks += 1
        if self.reg_left:
            n_reg = int(rng.hypergeometric(self.reg_left, self.undrawn - self.reg_left, k)) \
                if self.undrawn > k else self.reg_left
        else:
            n_reg = 0
        reg = np.zeros(k, bool)
        if n_reg:
            reg[rng.choice(k, n_reg, replace=False)] = True
        self.reg_left -= n_reg
        self.undrawn -= k
        u = rng.random(k)
        bld = np.where(reg, np.searchsorted(self.cdf_reg, u, side="right"),
                       np.searchsorted(self.cdf_all, u, side="right"))
        np.minimum(bld, len(self.bids) - 1, out=bld)
        band = np.searchsorted(self.age_cdf, rng.random(k), side="right")
        np.minimum(band, len(self.age_lo) - 1, out=band)
        age_days = self.age_lo[band] + (rng.random(k) * self.age_span[band]).astype(np.int64)
        births = self.A - age_days
        male = rng.random(k) < 0.54
        moved = np.where(reg, (rng.random(k) * self.y40).astype(np.int64),
                         (rng.random(k) * self.y12).astype(np.int64))
        since = np.maximum(births, self.A - moved)
        tpl = ((rng.random(k) < _VOLUNTEER_P).astype(np.int64)
               + 2 * (reg & self.conv[bld] & (rng.random(k) < _LANDLORD_P)))
        room = rng.integers(1, self.floors[bld] + 1) * 100 + rng.integers(1, 9, k)
        nos = np.arange(self.next_no, self.next_no + k, dtype=np.int64)
        self.next_no += k
        names, genders, bds, ids, phones = self.pf.make(rng, nos, births, male, reg)
        iso, base = self.pf.iso, self.pf.base
        sinces = [iso[s - base] for s in since.tolist()]
        pids = [f"person-{n:06d}" for n in nos.tolist()]
        bl = bld.tolist()
        bids, addr, tpls = self.bids, self.addr, self.templates
        addrs = [f"{addr[b]}{rm}室" for b, rm in zip(bl, room.tolist(), strict=True)]
        tl = tpl.tolist()
        nodes = [
            {"id": p, "labels": tpls[t].copy(),
             "properties": {"name": nm, "gender": g, "birth_date": bd, "id_number": i,
                            "phone": ph, "address": ad, "household_registered": rg}}
            for p, t, nm, g, bd, i, ph, ad, rg in zip(
                pids, tl, names, genders, bds, ids, phones, addrs, reg.tolist(), strict=True)
        ]
        rels = [{"type": "LIVES_IN", "start": p, "end": bids[b], "properties": {"since": s}}
                for p, b, s in zip(pids, bl, sinces, strict=True)]
        for t, cnt in zip(*np.unique(tpl, return_counts=True), strict=True):
            self.label_counts[tuple(self.templates[int(t)])] += int(cnt)
        self.made += k
        return nodes, rels
