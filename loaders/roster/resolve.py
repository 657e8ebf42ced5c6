"""Finding the node a roster cell names: by id, full name, short name (简称) or the
common way of writing a party organisation's name, with the nearest names offered
when nothing (or more than one) fits.

Clerks write 上星社区第一党支部 for 中共上星社区第一支部委员会 and 上星社区党委 for
中共新桥街道上星社区委员会. :func:`graph.formats.org_key` reduces both ways of writing
to one key; a cell matches a node whose key equals its key or ends with it (the
street's name left off), when exactly one node of the wanted labels does.

>>> nearest("上星社区第三支部", ["中共上星社区第一支部委员会", "中共上星社区第三支部委员会",
...                              "上星一巷1号"], 1)
['中共上星社区第三支部委员会']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TypeAlias

from rapidfuzz import fuzz, process

from graph.formats import org_key
from graph.schema import Schema
from graph.store import GraphStore

__all__ = ["nearest", "Resolver", "FUZZY_EXCLUDED"]

#: text -> {node id: labels}
_Index: TypeAlias = defaultdict[str, dict[str, tuple[str, ...]]]

#: labels looked up by exact name only: too many nodes, and people share names
FUZZY_EXCLUDED = ("Person",)
def nearest(value: str, names: Iterable[str], limit: int = 3) -> list[str]:
    """The names most like ``value`` (rapidfuzz), best first."""
    choices = list(dict.fromkeys(names))
    if not choices:
        return []
    found = process.extract(org_key(value), [org_key(c) for c in choices],
                            scorer=fuzz.WRatio, limit=limit, score_cutoff=50)
    return [choices[i] for _, _, i in found]


class Resolver:
    """Finds the node a cell names among the file's rows and the graph. The graph's
    nodes of a label are indexed once (name, short name, org key) the first time the
    label is asked for, except :data:`FUZZY_EXCLUDED` labels, found by exact name."""

    def __init__(self, store: GraphStore, schema: Schema,
                 file_names: dict[str, list[str]],
                 file_labels: dict[str, tuple[str, ...]]) -> None:
        self.store, self.schema = store, schema
        self.file_names, self.file_labels = file_names, file_labels
        self._index: dict[str, dict[str, _Index]] = {}

    def _fuzzy(self, label: str) -> bool:
        return not any(x in self.schema.ancestors(label) for x in FUZZY_EXCLUDED)

    def _label_index(self, label: str) -> dict[str, _Index]:
        """{"name"|"short"|"key": {text: {id: labels}}} of the stored nodes."""
        hit = self._index.get(label)
        if hit is None:
            hit = {how: defaultdict(dict) for how in ("name", "short", "key")}
            for n in self.store.nodes(label):
                hit["name"][n.name][n.id] = n.labels
                short = n.properties.get("short_name")
                hit["key"][org_key(n.name)][n.id] = n.labels
                if isinstance(short, str) and short:
                    hit["short"][short][n.id] = n.labels
                    hit["key"][org_key(short)][n.id] = n.labels
            self._index[label] = hit
        return hit

    def resolve(self, values: set[str], to: tuple[str, ...]
                ) -> dict[str, tuple[str | None, list[str]]]:
        """value -> (node id, []) when one node fits, else (None, candidate ids when
        several fit, or the nearest names when none does)."""
        schema = self.schema
        found = self.store.get_nodes(values)
        exact = {lab: self.store.nodes_named(lab, values) for lab in to
                 if not self._fuzzy(lab)}
        out: dict[str, tuple[str | None, list[str]]] = {}
        for v in values:
            cands: dict[str, tuple[str, ...]] = {}
            if v in self.file_labels:
                cands[v] = schema.closure(self.file_labels[v])
            elif v in found:
                cands[v] = found[v].labels
            if not cands:
                for nid in self.file_names.get(v, ()):
                    cands[nid] = schema.closure(self.file_labels[nid])
                for lab in to:
                    if lab in exact:
                        for n in exact[lab].get(v, ()):
                            cands.setdefault(n.id, n.labels)
                    else:
                        named = self._label_index(lab)["name"]
                        for k, w in named.get(v, {}).items():
                            cands.setdefault(k, w)
            fits = [i for i, labs in cands.items() if any(t in labs for t in to)]
            if not fits:
                fits = self._by_short_name(v, to)
            if len(fits) == 1:
                out[v] = (fits[0], [])
            elif fits:
                out[v] = (None, sorted(fits))
            else:
                out[v] = (None, [])
        return out

    def _by_short_name(self, v: str, to: tuple[str, ...]) -> list[str]:
        """Nodes whose short name is ``v``, else whose org key is ``v``'s or ends
        with it."""
        labels = [lab for lab in to if self._fuzzy(lab)]
        for how in ("short", "key"):
            hits: set[str] = set()
            key = v if how == "short" else org_key(v)
            for lab in labels:
                idx = self._label_index(lab)[how]
                hits.update(idx.get(key, {}))
                if how == "key" and not hits and len(key) >= 4:
                    for k, ids in idx.items():
                        if k.endswith(key):
                            hits.update(ids)
            if hits:
                return sorted(hits)
        return []

    def near(self, v: str, to: tuple[str, ...], limit: int = 3) -> list[str]:
        """The names of the wanted labels nearest to ``v`` (file and graph)."""
        names = [n for n in self.file_names if any(
            t in self.schema.closure(self.file_labels[i]) for i in self.file_names[n]
            for t in to)]
        for lab in to:
            if self._fuzzy(lab):
                names.extend(self._label_index(lab)["name"])
        return nearest(v, names, limit)
