"""What every builder of the scenario's fixed part shares: the random streams and the
calendar (:class:`Draws`), and the records made so far (:class:`Emitter`).

Builders are functions (or small classes kept inside one module) that take these two
plus the inputs they need and return what the next builder needs. The records keep
the order in which builders emit them; people are registered first and made in one
vectorised pass (:meth:`Emitter.flush_people`), because their personal properties
come from a numpy generator of their own and some (a party member's address) are
only known once every builder has run.

>>> d = Draws(7, dt.date(2025, 6, 30))
>>> em = Emitter(d)
>>> em.node("street-x", ("Street",), name="新桥街道", area_km2=None)
'street-x'
>>> em.nodes
[{'id': 'street-x', 'labels': ['Street'], 'properties': {'name': '新桥街道'}}]
>>> pid = em.person(("Resident",), d.birth_age(20, 30), male=True)
>>> em.flush_people()
>>> em.nodes[-1]["id"], em.nodes[-1]["properties"]["gender"]
('person-000001', 'male')
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import numpy as np

from graph.formats import short_org_name
from loaders.xinqiao.data import labels_of
from loaders.xinqiao.people import PeopleFactory

__all__ = ["Draws", "Emitter", "Record"]

Record = dict[str, Any]  # a node or relationship as GraphStore.upsert takes it
_ADULT = 6575  # days: 18 years


class Draws:
    """The scenario's sources of chance and its calendar (day ordinals around as_of).

    ``r`` draws the structure (in one fixed order across all builders), ``g`` the
    personal properties of the fixed part's people, ``pf`` turns those into names, ID
    numbers and phones.
    """

    def __init__(self, seed: int, as_of: dt.date, pf: PeopleFactory | None = None) -> None:
        self.seed = seed
        self.as_of = as_of
        self.A = as_of.toordinal()
        self.r = random.Random(seed)
        self.g = np.random.default_rng([seed, 1])
        # a district's streets share one factory: ID numbers unique across all of them
        self.pf = pf or PeopleFactory(as_of, seed)

    def iso(self, ordinal: int) -> str:
        return self.pf.iso_of(ordinal)

    def ago(self, lo: int, hi: int) -> int:
        """A day ordinal between ``hi`` and ``lo`` days before as_of."""
        return self.A - self.r.randint(lo, hi)

    def birth_age(self, lo: float, hi: float) -> int:
        """The birth day of someone ``lo`` to ``hi`` years old at as_of."""
        return self.A - self.r.randint(int(lo * 365.25), int(hi * 365.25))


class Emitter:
    """Collects the fixed part's nodes and relationships, in output order."""

    def __init__(self, draws: Draws, person_base: int = 0) -> None:
        self.draws = draws
        self.nodes: list[Record] = []
        self.rels: list[Record] = []
        # the last person number handed out (a district's streets start apart: phones,
        # a permutation of the number, stay unique)
        self.person_no = person_base
        self.person_props: dict[str, dict[str, Any]] = {}
        self.person_birth: dict[str, int] = {}
        self.person_reg: dict[str, bool] = {}
        self._people: list[tuple[str, tuple[str, ...], int, bool, bool, dict[str, Any]]] = []

    def node(self, nid: str, labels: tuple[str, ...], **props: Any) -> str:
        """Emit a node (``None`` properties left out); returns its id."""
        if "PartyOrg" in labels and "name" in props:  # what clerks write (简称)
            props.setdefault("short_name", short_org_name(props["name"]))
        self.nodes.append({"id": nid, "labels": list(labels),
                           "properties": {k: v for k, v in props.items() if v is not None}})
        return nid

    def rel(self, rtype: str, start: str, end: str, rid: str | None = None,
            **props: Any) -> None:
        """Emit a relationship (``None`` properties left out)."""
        d: Record = {"type": rtype, "start": start, "end": end,
                     "properties": {k: v for k, v in props.items() if v is not None}}
        if rid is not None:
            d["id"] = rid
        self.rels.append(d)

    def person(self, labels: tuple[str, ...], birth: int, registered: bool = False,
               male: bool | None = None, **props: Any) -> str:
        """Register a person; the node is made by :meth:`flush_people`. ``props`` is kept
        by reference: a builder may still add to it (``person_props``) until then. The
        gender, when not given, is drawn from the structural stream."""
        self.person_no += 1
        pid = f"person-{self.person_no:06d}"
        if male is None:
            male = self.draws.r.random() < 0.52
        labs = labels_of("Person", *labels)
        self._people.append((pid, labs, birth, male, registered, props))
        self.person_props[pid] = props
        self.person_birth[pid] = birth
        self.person_reg[pid] = registered
        return pid

    def job_since(self, pid: str, day: int) -> str:
        """``day`` as an ISO date, but not before the person turned 18."""
        return self.draws.iso(max(day, self.person_birth[pid] + _ADULT))

    def flush_people(self) -> None:
        """Make the registered people's nodes, in registration order."""
        if not self._people:
            return
        pp = self._people
        nos = np.array([int(p[0][7:]) for p in pp], np.int64)
        births = np.array([p[2] for p in pp], np.int64)
        male = np.array([p[3] for p in pp], bool)
        reg = np.array([p[4] for p in pp], bool)
        names, genders, bds, ids, phones = self.draws.pf.make(self.draws.g, nos, births, male,
                                                              reg)
        for i, (pid, labs, _b, _m, registered, extra) in enumerate(pp):
            props = {"name": names[i], "gender": genders[i], "birth_date": bds[i],
                     "id_number": ids[i], "phone": phones[i],
                     "household_registered": registered}
            props.update(extra)
            self.node(pid, labs, **props)
        self._people = []
