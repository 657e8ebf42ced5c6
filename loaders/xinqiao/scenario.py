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

from graph.store import GraphStore
from loaders.xinqiao.build import Fixed, build_fixed
from loaders.xinqiao.residents import Batch, ResidentStream

__all__ = ["EARLIEST_AS_OF", "LOADING_META", "MAX_RESIDENTS", "MIN_RESIDENTS",
           "XinqiaoScenario", "load_scenario"]

MIN_RESIDENTS = 5_000
MAX_RESIDENTS = 500_000
EARLIEST_AS_OF = datetime.date(2017, 1, 1)  # the street was founded in December 2016


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
        self._built: Fixed | None = None
        self._total: int | None = None

    # ------------------------------------------------------------ sizes
    def _build(self) -> Fixed:
        b = build_fixed(self.seed, self.as_of)
        if b.residents > self.residents:  # cannot happen above MIN_RESIDENTS; guard anyway
            raise ValueError(f"residents must be at least {b.residents}")
        return b

    @property
    def total_records(self) -> int:
        """Exact number of records (nodes + relationships) :meth:`batches` yields."""
        if self._total is None:
            if self._built is None:
                self._built = self._build()
            b = self._built
            plain = self.residents - b.residents
            self._total = len(b.nodes) + len(b.rels) + 2 * plain
        return self._total

    # ------------------------------------------------------------ batches
    def batches(self) -> Iterator[Batch]:
        """Yield ``(nodes, rels)`` batches; fills :attr:`planted` on the way."""
        b = self._built or self._build()
        self._built = None  # a second call builds afresh (same output)
        self._total = len(b.nodes) + len(b.rels) + 2 * (self.residents - b.residents)
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
        stream = ResidentStream(b, self.residents, self.seed, self.as_of)
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


#: store meta kept while a scenario loads: its parameters (null once it is whole)
LOADING_META = "scenario_loading"


def load_scenario(store: GraphStore, residents: int = 20_000, seed: int = 7,
                  as_of: datetime.date | None = None, batch_size: int | None = None,
                  progress: Callable[[int], Any] | None = None,
                  scenario: XinqiaoScenario | None = None) -> dict[str, Any]:
    """Generate the scenario into ``store`` batch by batch.

    ``progress`` is called after every batch with the number of records that batch
    held (so it can advance a bar whose total is ``XinqiaoScenario.total_records``).
    A ready ``scenario`` may be given instead of its parameters. ``batch_size``
    defaults to what suits the store (``preferred_batch_size``). The scenario's
    parameters and planted problems are kept as store meta ``"scenario"``.
    Returns ``{"nodes": n, "rels": m, "planted": {...}}``.
    """
    if batch_size is None:
        batch_size = store.preferred_batch_size
    sc = scenario or XinqiaoScenario(residents=residents, seed=seed, as_of=as_of,
                                     batch_size=batch_size)
    # refused before anything is written when the whole load would not fit (records
    # already held, of a scenario loaded before, are written again, not added)
    held = 0
    if store.get_meta("scenario") or store.get_meta(LOADING_META):
        c = store.counts()
        held = c.nodes + c.rels
    store.check_capacity(sc.total_records - min(held, sc.total_records))
    # Until the last batch is in, the store says a load is under way (and of what), so
    # ``--if-empty`` can tell a partial scenario from a whole one and finish it.
    store.put_meta(LOADING_META, {"name": "xinqiao", "residents": sc.residents,
                                  "seed": sc.seed, "as_of": sc.as_of.isoformat()})
    # a server store overlaps validating the next batch with writing this one
    done = store.upsert_stream(sc.batches(), progress)
    store.put_meta("scenario", {"name": "xinqiao", "residents": sc.residents, "seed": sc.seed,
                                "as_of": sc.as_of.isoformat(), "planted": sc.planted})
    store.put_meta(LOADING_META, None)
    return {"nodes": done["nodes"], "rels": done["rels"], "planted": sc.planted}
