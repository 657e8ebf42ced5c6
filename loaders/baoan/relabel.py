"""A synthetic street of the district from Xinqiao's records: the same structure under
the street's own ids, names, addresses and place on the map.

* ids: ``street-xinqiao`` and ``wc-xinqiao`` become ``street-<slug>`` and ``wc-<slug>``;
  every other id (and relationship id) gets the prefix ``<slug>:``;
* names: 新桥街道 becomes the street's name and the seven communities become
  ``<street>一`` … ``<street>七`` (沙井一社区, 中共沙井街道沙井一社区委员会, 宝安区沙井一小学),
  in every string of an organisation or place and in people's addresses — never in
  people's names;
* geometry moves east and south by a whole number of Xinqiao's widths, so no two
  streets overlap (areas are unchanged: the projection is linear).

>>> from loaders.baoan.data import STREETS
>>> r = Relabel(STREETS[6], 1)
>>> r.node({"id": "community-xinqiao", "labels": ["Community"],
...         "properties": {"name": "新桥社区"}})["properties"]["name"]
'沙井一社区'
>>> r.node_id("wc-xinqiao"), r.node_id("person-000001")
('wc-shajing', 'shajing:person-000001')
"""

from __future__ import annotations

import json
import re
from typing import Any

from loaders.baoan.data import StreetSpec
from loaders.xinqiao.data import COMMUNITIES, cn_number
from loaders.xinqiao.emit import Record

__all__ = ["Relabel", "community_names"]

#: Xinqiao spans ~0.06° of longitude and latitude: streets sit 0.08° apart
_STEP = 0.08
_PER_ROW = 4
#: a person's properties that name places (their name is theirs)
_PERSON_PLACES = frozenset({"address"})


def community_names(spec: StreetSpec) -> dict[str, str]:
    """Template community (its Chinese name) → this street's synthetic one."""
    return {c.zh: f"{spec.zh}{cn_number(i + 1)}" for i, c in enumerate(COMMUNITIES)}


class Relabel:
    """Turns the records of Xinqiao's template into those of street ``spec``, the
    ``index``-th street of the district (its offset on the map)."""

    def __init__(self, spec: StreetSpec, index: int) -> None:
        self.spec = spec
        self.prefix = f"{spec.slug}:"
        self.fixed = {"street-xinqiao": f"street-{spec.slug}",
                      "wc-xinqiao": f"wc-{spec.slug}"}
        words = {"新桥街道": f"{spec.zh}街道", **community_names(spec)}
        # one pass, longest first: 新桥街道 before the community 新桥
        self._words = words
        self._pattern = re.compile("|".join(sorted(map(re.escape, words), key=len,
                                                   reverse=True)))
        self.dx = _STEP * (index % _PER_ROW)
        self.dy = -_STEP * (index // _PER_ROW)

    def node_id(self, nid: str) -> str:
        return self.fixed.get(nid) or self.prefix + nid

    def text(self, s: str) -> str:
        return self._pattern.sub(lambda m: self._words[m.group(0)], s)

    def _shift(self, v: Any) -> Any:
        if isinstance(v, list):
            if len(v) == 2 and all(isinstance(x, (int, float)) for x in v):
                return [round(v[0] + self.dx, 7), round(v[1] + self.dy, 7)]
            return [self._shift(x) for x in v]
        return v

    def geometry(self, raw: str) -> str:
        g = json.loads(raw)
        g["coordinates"] = self._shift(g["coordinates"])
        return json.dumps(g, separators=(",", ":"))

    def node(self, n: Record) -> Record:
        person = "Person" in n["labels"]
        props: dict[str, Any] = {}
        for k, v in n["properties"].items():
            if isinstance(v, str):
                if k == "geometry":
                    v = self.geometry(v)
                elif not person or k in _PERSON_PLACES:
                    v = self.text(v)
            props[k] = v
        return {"id": self.node_id(n["id"]), "labels": n["labels"], "properties": props}

    def rel(self, r: Record) -> Record:
        props = {k: self.text(v) if isinstance(v, str) else v
                 for k, v in r["properties"].items()}
        out = {"type": r["type"], "start": self.node_id(r["start"]),
               "end": self.node_id(r["end"]), "properties": props}
        if "id" in r:
            out["id"] = self.prefix + r["id"]
        return out

    def batch(self, nodes: list[Record], rels: list[Record]
              ) -> tuple[list[Record], list[Record]]:
        return [self.node(n) for n in nodes], [self.rel(r) for r in rels]

