"""What a caller may see of an answer: :class:`Visibility` (a role's reach, a
community's scope) and the redaction of answers for it.

* A node id the caller may not see answers 404 exactly as a missing node
  (:func:`api.policy.allow` asks :meth:`Visibility.node_ok`).
* Answers are then redacted (:func:`redact`): nodes the caller may not see leave lists,
  fields holding one get a placeholder, relationships touching one go, a path through
  one is cut and says so (``cut``), and ``redacted`` counts what went. The guard
  (:mod:`api.guard`) redacts every JSON answer; :func:`visible` filters a list before it
  is counted and paginated, :func:`redacted_model` a download's result.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel

from api.deps import API_PREFIX
from api.security import Caller
from graph.errors import NodeNotFound
from graph.store import GraphStore

__all__ = ["Visibility", "PLACEHOLDER", "redact", "visible", "redacted_model",
           "body_strings", "people_of"]

M = TypeVar("M", bound=BaseModel)

PLACEHOLDER = {"id": "", "name": "（无权查看）", "label": "", "label_zh": "无权查看",
               "labels": []}


class Visibility:
    """What one caller may see of the graph."""

    def __init__(self, caller: Caller, store: GraphStore) -> None:
        self.caller = caller
        self.store = store
        self._scope: frozenset[str] | None = None
        if caller.role == "community" and caller.community:
            from queries.scope import community_scope

            self._scope = community_scope(store, caller.community)

    @property
    def everything(self) -> bool:
        return self.caller.role in ("admin", "analyst")

    def node_ok(self, node_id: str, labels: list[str] | tuple[str, ...] | None = None) -> bool:
        if self.everything:
            return True
        if self.caller.role == "consumer":
            if labels is None:
                try:
                    labels = self.store.get_node(node_id).labels
                except NodeNotFound:
                    return True  # the route answers 404 itself
            return "Person" not in labels
        return self._scope is not None and node_id in self._scope


# ------------------------------------------------------------------ redaction
def _is_node(d: Any) -> bool:
    """A node as answers show it: a NodeRef (id, name, labels …) or a leader (id, name,
    role)."""
    return isinstance(d, dict) and isinstance(d.get("id"), str) and "name" in d and (
        "labels" in d or "role" in d)


def _placeholder(d: dict[str, Any]) -> dict[str, Any]:
    """The same fields, emptied: the answer keeps its shape (and its schema)."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        if k == "name":
            out[k] = PLACEHOLDER["name"]
        elif k == "label_zh":
            out[k] = PLACEHOLDER["label_zh"]
        elif isinstance(v, str):
            out[k] = ""
        elif isinstance(v, list):
            out[k] = []
        else:
            out[k] = v
    return out


def _labels(d: dict[str, Any]) -> list[str]:
    return [x["label"] if isinstance(x, dict) else str(x) for x in d.get("labels") or []]


#: fields that name who holds a post in the row's subject (a chain step's leader, a
#: branch's secretary): one the caller may not see is blanked and the row kept — the
#: step or the branch is not the person's, and dropping it would change the answer
#: (a chain short of its top, a weak branch uncounted)
BLANKED = frozenset({"leader", "secretary"})


def _is_rel(d: Any) -> bool:
    return isinstance(d, dict) and "start" in d and "end" in d and "type" in d


def _strings(v: Any, found: set[str]) -> None:
    """Every string of an answer, dict keys included (any of them may be an id)."""
    if isinstance(v, str):
        if 0 < len(v) <= 200:
            found.add(v)
    elif isinstance(v, list):
        for x in v:
            _strings(x, found)
    elif isinstance(v, dict):
        for k, x in v.items():
            _strings(k, found)
            _strings(x, found)


_JSON_STRING = re.compile(rb'"((?:[^"\\]|\\.)*)"')


def body_strings(body: bytes, extra: Any = ()) -> set[str]:
    """Every string literal of a JSON body, keys included, found by one regular
    expression over the bytes (no parse: for an answer only audited, not redacted)."""
    found: set[str] = set(extra)
    if b"\\" not in body:
        # no escape anywhere: every quote opens or closes a string, so the pieces
        # between quotes alternate outside / inside (a split in C, not a regex)
        for raw in set(body.split(b'"')[1::2]):
            if 0 < len(raw) <= 800:
                found.add(raw.decode("utf-8", "replace"))
        return found
    for raw in set(_JSON_STRING.findall(body)):
        if not 0 < len(raw) <= 800:  # an id is at most 200 characters
            continue
        if b"\\" in raw:
            try:
                found.add(json.loads(b'"' + raw + b'"'))
            except ValueError:
                continue
        else:
            found.add(raw.decode("utf-8", "replace"))
    return found


def _candidates(data: Any, extra: Any = ()) -> set[str]:
    """The strings of an answer (and ``extra``: the path's ids), any of which may be
    the id of a node the caller must not see, or of a person the audit must name."""
    found: set[str] = set(extra)
    _strings(data, found)
    return found


class _Redactor:
    """Redaction by ids, not by shapes: every string of the answer that is the id of a
    node the caller may not see is found first (one look-up in the store), then goes
    wherever it is — a node or a row naming it leaves its list, a bare id leaves its
    list or becomes "" in a field, a key naming it leaves its dict."""

    def __init__(self, vis: Visibility, data: Any,
                 labels: dict[str, tuple[str, ...]] | None = None) -> None:
        self.vis = vis
        self.count = 0
        self.people: set[str] = set()
        if labels is None:
            labels = vis.store.node_labels(_candidates(data))
        self.hidden: set[str] = {i for i, ls in labels.items()
                                 if not vis.node_ok(i, list(ls))}

    def hidden_node(self, d: dict[str, Any]) -> bool:
        if not d.get("id"):
            return False
        if d["id"] in self.hidden:
            return True
        labels = _labels(d) if "labels" in d else None
        if self.vis.node_ok(d["id"], labels):
            if labels is None or "Person" in labels:  # a leader is a person
                self.people.add(d["id"])
            return False
        self.hidden.add(d["id"])
        return True

    def _names_hidden(self, d: dict[str, Any]) -> bool:
        """A row about a hidden node: a node in it, or a field holding its bare id (a
        :data:`BLANKED` field is blanked instead)."""
        return any((_is_node(x) and self.hidden_node(x))
                   or (isinstance(x, str) and x in self.hidden)
                   or (isinstance(x, dict) and x.get("id") in self.hidden)
                   for k, x in d.items() if k not in BLANKED)

    def walk(self, v: Any) -> Any:
        if isinstance(v, list):
            out = []
            for item in v:
                if isinstance(item, str) and item in self.hidden:
                    self.count += 1
                    continue
                if isinstance(item, dict) and (
                        (_is_node(item) and self.hidden_node(item))
                        or item.get("id") in self.hidden
                        or (not _is_node(item) and self._names_hidden(item))):
                    self.count += 1
                    continue
                out.append(self.walk(item))
            return out
        if isinstance(v, dict):
            out_d: dict[str, Any] = {}
            for k, x in v.items():
                if k in self.hidden:
                    self.count += 1
                elif (_is_node(x) and self.hidden_node(x)) or (
                        isinstance(x, dict) and x.get("id") in self.hidden):
                    self.count += 1
                    out_d[k] = _placeholder(x)
                elif isinstance(x, str) and x in self.hidden:
                    self.count += 1
                    out_d[k] = ""
                else:
                    out_d[k] = self.walk(x)
            return out_d
        return v

    def drop_rels(self, v: Any) -> Any:
        if isinstance(v, list):
            kept = [self.drop_rels(x) for x in v
                    if not (_is_rel(x) and (x["start"] in self.hidden or x["end"] in self.hidden))]
            self.count += len(v) - len(kept)
            return kept
        if isinstance(v, dict):
            return {k: self.drop_rels(x) for k, x in v.items()}
        return v


def redact(data: Any, vis: Visibility, path: str = "",
           labels: dict[str, tuple[str, ...]] | None = None) -> tuple[Any, set[str], int]:
    """(redacted data, person ids left in it, how many items went); ``labels``: those
    of the answer's :func:`_candidates`, when the caller has looked them up."""
    r = _Redactor(vis, data, labels)
    out = r.walk(data)
    if labels is not None:  # people named by a bare id, or in a path parameter
        r.people |= {i for i, ls in labels.items() if "Person" in ls and i not in r.hidden}
    if r.hidden:
        out = r.drop_rels(out)
    if r.count and isinstance(out, dict):
        out["redacted"] = r.count
        if path == f"{API_PREFIX}/paths" and out.get("found"):
            out.update(found=False, length=None, nodes=[], relationships=[], cut=True)
    return out, r.people, r.count


def visible(request: Request, items: list[M]) -> list[M]:
    """The rows of a list the caller may see, before it is counted and paginated (so
    ``total`` counts what the caller may see): a row naming a hidden node goes."""
    vis: Visibility | None = getattr(request.state, "visibility", None)
    if vis is None or vis.everything:
        return items
    rows = [x.model_dump(mode="json") for x in items]
    hidden = _Redactor(vis, rows).hidden
    out = []
    for x, row in zip(items, rows, strict=True):
        names: set[str] = set()
        _strings({k: v for k, v in row.items() if k not in BLANKED}, names)
        if not names & hidden:
            out.append(x)
    return out


def redacted_model(request: Request, model: M) -> M:
    """A query result as the caller may see it (for downloads, which the JSON
    redaction of :class:`api.guard.Guard` does not reach); the people left in it are
    audited."""
    vis: Visibility = request.state.visibility
    data = model.model_dump(mode="json")
    labels = vis.store.node_labels(_candidates(data))
    if vis.everything:
        people = people_of(labels)
    else:
        data, people, _ = redact(data, vis, labels=labels)
    request.state.audit_ids = sorted(people | set(getattr(request.state, "audit_ids", ())))
    return type(model).model_validate(data)


def people_of(labels: dict[str, tuple[str, ...]]) -> set[str]:
    """The people among these nodes (their labels by id)."""
    return {i for i, ls in labels.items() if "Person" in ls}

