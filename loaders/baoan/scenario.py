"""The district scenario: Bao'an's streets in one graph under the district committee.

>>> sc = BaoanScenario(streets=2, residents_per_street=5_000, seed=7,
...                    as_of=datetime.date(2025, 6, 30))
>>> n = sum(len(nodes) + len(rels) for nodes, rels in sc.batches())
>>> n == sc.total_records, sorted(sc.planted["streets"])
(True, ['xinan', 'xinqiao'])

What it holds, in output order:

* the district (``district-baoan``, 宝安区), its committee (``dc-baoan``,
  中共深圳市宝安区委员会) with a secretary, and the organisation department
  (``dept-baoan-zzb``, 中共深圳市宝安区委组织部, part of the committee) with its head;
* each street in turn: Xinqiao exactly as ``govgraph load scenario xinqiao`` makes it
  (same ids, same seed), then the others, synthetic — Xinqiao's structure drawn again
  with a seed of their own, under their own names (:mod:`loaders.baoan.relabel`);
* after each street, its links up: ``(street)-[:PART_OF]->(district)`` and
  ``(working committee)-[:SUB_ORG_OF]->(district committee)``, so every leadership
  chain goes on to the district committee.

One ID-number factory serves every street (no two people share an ID number) and each
street's person numbers start a million apart (nor a phone). Which street follows
which is fixed (:data:`loaders.baoan.data.STREETS`); ``streets=N`` takes the first N.
A deterministic function of (streets, residents, seed, as_of).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterator
from typing import Any

from graph.store import GraphStore
from loaders.baoan.data import (
    DISTRICT,
    MAX_STREET_RESIDENTS,
    STREETS,
    StreetSpec,
    default_residents,
)
from loaders.baoan.relabel import Relabel
from loaders.xinqiao.build import Fixed, build_fixed
from loaders.xinqiao.data import STREET, labels_of
from loaders.xinqiao.emit import Draws, Emitter, Record
from loaders.xinqiao.people import PeopleFactory
from loaders.xinqiao.residents import Batch, ResidentStream
from loaders.xinqiao.scenario import LOADING_META, MIN_RESIDENTS, XinqiaoScenario, _as_date

__all__ = ["BaoanScenario", "load_district", "street_seed"]

DISTRICT_ID = f"district-{DISTRICT.slug}"
COMMITTEE_ID = f"dc-{DISTRICT.slug}"
DEPARTMENT_ID = f"dept-{DISTRICT.slug}-zzb"
#: person numbers of street k start at k * PERSON_SPAN (the district's own after all)
PERSON_SPAN = 1_000_000
#: a street's links up, after its records: (type, properties) of the street's and its
#: working committee's
_LINKS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("PART_OF", {}), ("SUB_ORG_OF", {"since": "2016-12-01"}))


def street_seed(seed: int, slug: str) -> int:
    """A synthetic street's seed: its own, fixed by the district's seed."""
    if slug == "xinqiao":
        return seed
    return int.from_bytes(hashlib.sha256(f"{seed}:{slug}".encode()).digest()[:4], "big")


def _map_ids(v: Any, ids: set[str], relabel: Relabel) -> Any:
    """A street's planted problems under the street's ids."""
    if isinstance(v, str):
        return relabel.node_id(v) if v in ids else v
    if isinstance(v, list):
        return [_map_ids(x, ids, relabel) for x in v]
    if isinstance(v, dict):
        return {_map_ids(k, ids, relabel): _map_ids(x, ids, relabel) for k, x in v.items()}
    return v


class BaoanScenario:
    """Generates the district scenario as batches of records (see module doc)."""

    def __init__(self, streets: int = 2, residents_per_street: int | None = None,
                 seed: int = 7, as_of: datetime.date | str | None = None,
                 batch_size: int = 20_000) -> None:
        if isinstance(streets, bool) or not isinstance(streets, int) or not (
                1 <= streets <= len(STREETS)):
            raise ValueError(f"streets must be between 1 and {len(STREETS)} (Bao'an has "
                             f"{len(STREETS)}), got {streets!r}")
        if residents_per_street is not None and (
                isinstance(residents_per_street, bool)
                or not isinstance(residents_per_street, int)
                or not MIN_RESIDENTS <= residents_per_street <= MAX_STREET_RESIDENTS):
            raise ValueError(f"residents per street must be between {MIN_RESIDENTS:,} and "
                             f"{MAX_STREET_RESIDENTS:,}, got {residents_per_street!r}")
        self.specs: tuple[StreetSpec, ...] = STREETS[:streets]
        self.residents = {s.slug: residents_per_street or default_residents(s)
                          for s in self.specs}
        self.as_of = _as_date(as_of)
        # the seed and the date are checked as the street scenario checks them
        XinqiaoScenario(residents=MIN_RESIDENTS, seed=seed, as_of=self.as_of)
        self.seed = seed
        self.batch_size = batch_size
        self.planted: dict[str, Any] = {}
        self._total: int | None = None

    # ------------------------------------------------------------ sizes
    @property
    def total_records(self) -> int:
        """Exact number of records :meth:`batches` yields (builds each street's fixed
        part once to count it: ~1.5 s a street)."""
        if self._total is None:
            d_nodes, d_rels = self._district()
            p_nodes, p_rels = self._district_people(PeopleFactory(self.as_of, self.seed))
            total = len(d_nodes) + len(d_rels) + len(p_nodes) + len(p_rels)
            for k, spec in enumerate(self.specs):
                b = build_fixed(street_seed(self.seed, spec.slug), self.as_of,
                                person_base=k * PERSON_SPAN)
                total += (len(b.nodes) + len(b.rels)
                          + 2 * (self.residents[spec.slug] - b.residents) + len(_LINKS))
            self._total = total
        return self._total

    # ------------------------------------------------------------ records
    @staticmethod
    def _district() -> tuple[list[Record], list[Record]]:
        """The district, its committee and its organisation department."""
        nodes = [
            {"id": DISTRICT_ID, "labels": list(labels_of("District")),
             "properties": {"name": DISTRICT.name, "population": DISTRICT.population,
                            "figures_source": DISTRICT.source}},
            {"id": COMMITTEE_ID, "labels": list(labels_of("DistrictCommittee")),
             "properties": {"name": DISTRICT.committee,
                            "short_name": DISTRICT.committee_short}},
            {"id": DEPARTMENT_ID, "labels": list(labels_of("Department")),
             "properties": {"name": DISTRICT.department, "industry": "组织工作"}}]
        rels = [{"type": "LEADS", "start": COMMITTEE_ID, "end": DISTRICT_ID, "properties": {}},
                {"type": "PART_OF", "start": DEPARTMENT_ID, "end": COMMITTEE_ID,
                 "properties": {}}]
        return nodes, rels

    def _district_people(self, pf: PeopleFactory) -> tuple[list[Record], list[Record]]:
        """The committee's secretary and the organisation department's head (made last:
        drawn from the factory after every street's people, so Xinqiao's are exactly
        those of the street scenario)."""
        d = Draws(self.seed, self.as_of, pf)
        em = Emitter(d, person_base=len(STREETS) * PERSON_SPAN)
        secretary = em.person(("PartyMember", "Cadre"), d.birth_age(50, 58), registered=True,
                              joined_party_on=d.iso(d.ago(9000, 12000)), full_member=True)
        head = em.person(("PartyMember", "Cadre"), d.birth_age(45, 55), registered=True,
                         joined_party_on=d.iso(d.ago(7000, 9000)), full_member=True)
        em.flush_people()
        since = d.iso(d.ago(400, 1500))
        em.rel("MEMBER_OF", secretary, COMMITTEE_ID, role="secretary", title="区委书记",
               since=since)
        em.rel("MEMBER_OF", head, COMMITTEE_ID, role="committee",
               title="区委常委、组织部部长", since=since)
        em.rel("HOLDS_POST", head, DEPARTMENT_ID, title="部长", since=since)
        prefix = f"{DISTRICT.slug}:"

        def own(i: str) -> str:
            return prefix + i if i.startswith("person-") else i

        nodes = [{**n, "id": own(n["id"])} for n in em.nodes]
        rels = [{**r, "start": own(r["start"]), "end": own(r["end"])} for r in em.rels]
        return nodes, rels

    def _street_batches(self, b: Fixed, spec: StreetSpec, made: dict[str, ResidentStream]
                        ) -> Iterator[Batch]:
        """One street's batches (every node of its fixed part before any relationship,
        then its residents, each with its ``LIVES_IN``), as drawn: not yet relabelled."""
        fixed = b.nodes + b.rels
        n_nodes = len(b.nodes)
        bs = self.batch_size
        stream = ResidentStream(b, self.residents[spec.slug],
                                street_seed(self.seed, spec.slug), self.as_of)
        made[spec.slug] = stream
        for pos in range(0, len(fixed), bs):
            chunk = fixed[pos:pos + bs]
            cut = max(0, min(len(chunk), n_nodes - pos))
            yield chunk[:cut], chunk[cut:]
        del fixed
        while stream.left:
            yield stream.next(max(1, bs // 2))

    def batches(self) -> Iterator[Batch]:
        """Yield ``(nodes, rels)`` batches; fills :attr:`planted` on the way."""
        pf: PeopleFactory | None = None
        made: dict[str, ResidentStream] = {}
        streets: dict[str, Any] = {}
        self.planted = {"district": {"id": DISTRICT_ID, "committee": COMMITTEE_ID,
                                     "department": DEPARTMENT_ID}, "streets": streets}
        total = 0
        d_nodes, d_rels = self._district()
        total += len(d_nodes) + len(d_rels)
        yield d_nodes, d_rels
        for k, spec in enumerate(self.specs):
            b = build_fixed(street_seed(self.seed, spec.slug), self.as_of, pf=pf,
                            person_base=k * PERSON_SPAN)
            pf = b.pf  # the next streets continue this one's ID-number counters
            relabel = Relabel(spec, k) if k else None
            planted = dict(b.planted)
            if relabel is not None:
                planted = _map_ids(planted, {n["id"] for n in b.nodes}, relabel)
                self._size_street(b, spec)
            for nodes, rels in self._street_batches(b, spec, made):
                if relabel is not None:
                    nodes, rels = relabel.batch(nodes, rels)
                total += len(nodes) + len(rels)
                yield nodes, rels
            del b
            street_id, wc_id = (relabel.node_id(i) if relabel else i
                                for i in ("street-xinqiao", "wc-xinqiao"))
            links = [{"type": t, "start": s, "end": e, "properties": dict(p)}
                     for (t, p), s, e in zip(_LINKS, (street_id, wc_id),
                                             (DISTRICT_ID, COMMITTEE_ID), strict=True)]
            total += len(links)
            yield [], links
            planted.update(name=f"{spec.zh}街道", street=street_id, working_committee=wc_id,
                           synthetic=relabel is not None,
                           seed=street_seed(self.seed, spec.slug),
                           residents=self.residents[spec.slug],
                           registered_residents=made[spec.slug].registered_total)
            streets[spec.slug] = planted
        assert pf is not None
        p_nodes, p_rels = self._district_people(pf)
        total += len(p_nodes) + len(p_rels)
        yield p_nodes, p_rels
        self._total = total
        self.planted.update(seed=self.seed, as_of=self.as_of.isoformat(),
                            residents_per_street=dict(self.residents))

    def _size_street(self, b: Fixed, spec: StreetSpec) -> None:
        """A synthetic street's own figures on its street and community nodes: the
        published ones and where they come from; communities scaled to its size."""
        share = self.residents[spec.slug] / STREET["population"]
        for n in b.nodes:
            labels = n["labels"]
            p = n["properties"]
            if "Street" in labels:
                p.update(population=self.residents[spec.slug], synthetic=True,
                         published_population=spec.population,
                         published_communities=spec.communities,
                         figures_source=spec.source)
                p["registered_population"] = round(p["registered_population"] * share)
            elif "Community" in labels:
                p["population"] = round(p["population"] * share)
                p["registered_population"] = round(p["registered_population"] * share)
                p["synthetic"] = True


def load_district(store: GraphStore, scenario: BaoanScenario,
                  progress: Callable[[int], Any] | None = None) -> dict[str, Any]:
    """Load the district scenario into ``store`` (as :func:`loaders.xinqiao.load_scenario`
    does a street: refused first when it would not fit, marked as loading until the
    last batch is in, its parameters and planted problems kept as meta ``"scenario"``)."""
    held = 0
    if store.get_meta("scenario") or store.get_meta(LOADING_META):
        c = store.counts()
        held = c.nodes + c.rels
    total = scenario.total_records
    store.check_capacity(total - min(held, total))
    params = {"name": "baoan", "streets": len(scenario.specs),
              "residents_per_street": scenario.residents, "seed": scenario.seed,
              "as_of": scenario.as_of.isoformat()}
    store.put_meta(LOADING_META, params)
    done = store.upsert_stream(scenario.batches(), progress)
    store.put_meta("scenario", {**params, "planted": scenario.planted})
    store.put_meta(LOADING_META, None)
    return {"nodes": done["nodes"], "rels": done["rels"], "planted": scenario.planted}

