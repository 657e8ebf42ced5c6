"""The built-in synthetic scenario: the governance structure of Xinqiao Street.

>>> sc = XinqiaoScenario(residents=5_000, seed=7, as_of=datetime.date(2025, 6, 30))
>>> n = sum(len(nodes) + len(rels) for nodes, rels in sc.batches())
>>> n == sc.total_records, sorted(sc.planted["branches"])[:2]
(True, ['community', 'healthy'])

The graph is a deterministic function of (residents, seed, as_of). Everything
except the seven community names and the case study's headline counts is
synthetic; SCENARIO.md lists every assumption and every planted problem.

Output comes in batches of about ``batch_size`` records, each ``(nodes, rels)``
with plain dicts as :meth:`graph.store.GraphStore.upsert` takes them. First the
fixed part (organisations, places, staff, party members: about 75,000 records
whatever the number of residents), every node before any relationship; then the
residents, streamed: each resident node comes in the same batch as its
``LIVES_IN``, so a relationship's ends are always in its batch or an earlier one
and at most one batch of residents is in memory.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from loaders.xinqiao_build import Builder
from loaders.xinqiao_data import COMMUNITIES, STREET, labels_of
from loaders.xinqiao_people import years_before

__all__ = ["XinqiaoScenario", "load_scenario", "MIN_RESIDENTS", "MAX_RESIDENTS"]

MIN_RESIDENTS = 5_000
MAX_RESIDENTS = 500_000
EARLIEST_AS_OF = datetime.date(2017, 1, 1)  # the street was founded in December 2016
REGISTERED_SHARE = STREET["registered_population"] / STREET["population"]  # 2.68%

# streamed residents' ages: (from, to) years and share
_AGE_BANDS = ((0, 6, 0.06), (6, 18, 0.10), (18, 30, 0.28), (30, 45, 0.34), (45, 60, 0.16),
              (60, 90, 0.06))
_VOLUNTEER_P = 0.02
_LANDLORD_P = 0.5  # of registered residents in converted villages

Batch = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def _as_date(as_of: datetime.date | str | None) -> datetime.date:
    if as_of is None:
        return datetime.date.today()
    if isinstance(as_of, datetime.datetime):
        return as_of.date()
    if isinstance(as_of, datetime.date):
        return as_of
    if isinstance(as_of, str):
        try:
            return datetime.date.fromisoformat(as_of)
        except ValueError:
            pass
    raise ValueError(f"as_of must be a date or an ISO date string YYYY-MM-DD, got {as_of!r}")


class XinqiaoScenario:
    """Generates the Xinqiao scenario as batches of records (see module doc)."""

    def __init__(self, residents: int = 20_000, seed: int = 7,
                 as_of: datetime.date | None = None, batch_size: int = 20_000) -> None:
        if isinstance(residents, bool) or not isinstance(residents, int):
            raise ValueError(f"residents must be an integer, got {residents!r}")
        if not MIN_RESIDENTS <= residents <= MAX_RESIDENTS:
            raise ValueError(
                f"residents must be between {MIN_RESIDENTS:,} and {MAX_RESIDENTS:,} "
                f"(the street has 500,000 people; below {MIN_RESIDENTS:,} the fixed "
                f"structure - party members, group leaders - would not fit), got {residents:,}")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.residents = residents
        self.seed = seed
        self.as_of = _as_date(as_of)
        if self.as_of < EARLIEST_AS_OF:
            raise ValueError(f"as_of must be on or after {EARLIEST_AS_OF} (the street was "
                             f"founded in December 2016), got {self.as_of}")
        self.batch_size = batch_size
        self.planted: dict[str, Any] = {}
        self._built: Builder | None = None
        self._total: int | None = None

    # ------------------------------------------------------------ sizes
    def _build(self) -> Builder:
        b = Builder(self.seed, self.as_of)
        b.build()
        fixed_res = sum(1 for n in b.nodes if "Resident" in n["labels"])
        if fixed_res > self.residents:  # cannot happen above MIN_RESIDENTS; guard anyway
            raise ValueError(f"residents must be at least {fixed_res}")
        b.fixed_residents = fixed_res
        return b

    @property
    def total_records(self) -> int:
        """Exact number of records (nodes + relationships) :meth:`batches` yields."""
        if self._total is None:
            if self._built is None:
                self._built = self._build()
            b = self._built
            plain = self.residents - b.fixed_residents
            self._total = len(b.nodes) + len(b.rels) + 2 * plain
        return self._total

    # ------------------------------------------------------------ batches
    def batches(self) -> Iterator[Batch]:
        """Yield ``(nodes, rels)`` batches; fills :attr:`planted` on the way."""
        b = self._built or self._build()
        self._built = None  # a second call builds afresh (same output)
        self._total = len(b.nodes) + len(b.rels) + 2 * (self.residents - b.fixed_residents)
        self.planted = planted = dict(b.planted)
        labels: Counter[str] = Counter()
        rtypes: Counter[str] = Counter()
        for n in b.nodes:
            labels.update(n["labels"])
        for r in b.rels:
            rtypes[r["type"]] += 1
        fixed = b.nodes + b.rels
        n_nodes = len(b.nodes)
        bs = self.batch_size
        stream = _ResidentStream(self, b)
        pos = 0
        while pos < len(fixed):
            chunk = fixed[pos:pos + bs]
            cut = max(0, min(len(chunk), n_nodes - pos))
            nodes, rels = chunk[:cut], chunk[cut:]
            pos += bs
            if pos >= len(fixed) and len(chunk) < bs and stream.left:
                more_n, more_r = stream.next((bs - len(chunk)) // 2)
                nodes = nodes + more_n
                rels = rels + more_r
            yield nodes, rels
        del fixed, b
        while stream.left:
            yield stream.next(max(1, bs // 2))
        for key, k in stream.label_counts.items():
            for lab in key:
                labels[lab] += k
        rtypes["LIVES_IN"] += stream.made
        planted["counts"] = {
            "labels": dict(sorted(labels.items())),
            "relationships": dict(sorted(rtypes.items())),
            "nodes": stream.fixed_nodes + stream.made,
            "rels": sum(rtypes.values()),
        }
        planted["registered_residents"] = stream.registered_total
        planted["residents"] = self.residents
        planted["as_of"] = self.as_of.isoformat()
        planted["seed"] = self.seed


#: residents drawn at a time, each block from a generator of its own: the draws do not
#: depend on how the stream is cut into batches (the embedded store takes 20,000
#: records a batch, Neo4j 50,000: one seed, one graph)
BLOCK = 10_000


class _ResidentStream:
    """The streamed residents: vectorised draws in blocks of :data:`BLOCK`, then plain
    dicts, handed out in batches of any size."""

    def __init__(self, sc: XinqiaoScenario, b: Builder) -> None:
        self.seed = sc.seed
        self.blocks = 0
        self.ready: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], [])
        self.pf = b.pf
        self.A = b.A
        self.fixed_nodes = len(b.nodes)
        self.undrawn = sc.residents - b.fixed_residents  # not drawn yet
        self.made = 0
        self.next_no = b.person_no + 1
        fixed_reg = sum(1 for n in b.nodes if "Resident" in n["labels"]
                        and n["properties"].get("household_registered"))
        target = round(sc.residents * REGISTERED_SHARE)
        self.reg_left = min(self.undrawn, max(0, target - fixed_reg))
        self.registered_total = fixed_reg + self.reg_left
        bids, addr, floors, com_i, conv = [], [], [], [], []
        for ci, c in enumerate(COMMUNITIES):
            for bid in b.buildings[c.slug]:
                bids.append(bid)
                addr.append(b.building_addr[bid])
                floors.append(b.building_floors[bid])
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
        self.y40 = self.A - years_before(b.as_of, 40).toordinal()
        self.y12 = self.A - years_before(b.as_of, 12).toordinal()
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


#: store meta kept while a scenario loads: its parameters (null once it is whole)
LOADING_META = "scenario_loading"


def load_scenario(store: Any, residents: int = 20_000, seed: int = 7,
                  as_of: datetime.date | None = None, batch_size: int | None = None,
                  progress: Callable[[int], Any] | None = None,
                  scenario: XinqiaoScenario | None = None) -> dict[str, Any]:
    """Generate the scenario into ``store`` batch by batch.

    ``progress`` is called after every batch with the number of records that batch
    held (so it can advance a bar whose total is ``XinqiaoScenario.total_records``).
    A ready ``scenario`` may be given instead of its parameters. The scenario's
    parameters and planted problems are kept as store meta ``"scenario"``.
    Returns ``{"nodes": n, "rels": m, "planted": {...}}``.
    """
    if batch_size is None:  # the store knows what suits it
        batch_size = getattr(store, "preferred_batch_size", 20_000)
    sc = scenario or XinqiaoScenario(residents=residents, seed=seed, as_of=as_of,
                                     batch_size=batch_size)
    n = m = 0
    # Until the last batch is in, the store says a load is under way (and of what), so
    # ``--if-empty`` can tell a partial scenario from a whole one and finish it.
    store.put_meta(LOADING_META, {"name": "xinqiao", "residents": sc.residents,
                                  "seed": sc.seed, "as_of": sc.as_of.isoformat()})
    stream = getattr(store, "upsert_stream", None)
    if stream is not None:  # a server store overlaps validation with its writes
        done = stream(sc.batches(), progress)
        n, m = done["nodes"], done["rels"]
    else:
        for nodes, rels in sc.batches():
            store.upsert(nodes, rels)
            n += len(nodes)
            m += len(rels)
            if progress is not None:
                progress(len(nodes) + len(rels))
    store.put_meta("scenario", {"name": "xinqiao", "residents": sc.residents, "seed": sc.seed,
                                "as_of": sc.as_of.isoformat(), "planted": sc.planted})
    store.put_meta(LOADING_META, None)
    return {"nodes": n, "rels": m, "planted": sc.planted}
