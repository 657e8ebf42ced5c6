"""节点: one node's page — its properties under the schema's names (masked for the role
as ``/nodes/{id}`` answers), a boundary as a small map drawn on the server (never the
raw GeoJSON), its memberships and posts as a timeline with their dates, its leadership
chain, and a link to it in the graph.

Read as the caller: ``/nodes/{id}``, ``/chains/leadership/{id}``; for a person
``/people/{id}/posts`` and their ``MEMBER_OF`` / ``HOLDS_POST`` links with their dates
(``/nodes/{id}/neighbors``); for a party organisation ``/orgs/{id}/members``; for any
other organisation the posts held in it. A node the caller may not see answers the
same "not found" box as one that does not exist (the JSON's own 404).
"""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from api.deps import API_PREFIX, StoreDep
from api.params import Day
from api.policy import PERSON_ROLES, CallerDep
from api.workbench.common import LangQ, Page, failed, page_router, query
from api.workbench.internal import Answer, call_json
from api.workbench.render import render
from api.workbench.svgmap import svg_map
from api.workbench.text import Lang, t
from graph.errors import NodeNotFound
from graph.model import is_current
from graph.schema import Schema

__all__ = ["router", "PAGES", "Names"]

router = page_router()
PAGES = (Page("node", None, styles=("wb-node.css",)),)

#: a birth date masked to its age band (graph.masking): said in English in English
_BAND = re.compile(r"^(\d+)-(\d+)岁$")
_BAND_TOP = re.compile(r"^(\d+)岁以上$")
#: relationship types a person's timeline shows, and an organisation's posts
_STINTS = ("MEMBER_OF", "HOLDS_POST")


class Names:
    """The schema's names in one language: labels, relationship types, properties and
    their coded values, party roles (Chinese from the schema; English from its
    ``name_en`` or, for properties and roles, which have none, from the words)."""

    def __init__(self, schema: Schema, lang: Lang) -> None:
        self.schema = schema
        self.lang = lang
        role = schema.relationships["MEMBER_OF"].properties["role"].enum or {}
        self._roles = dict(role)
        self._role_codes = {v: k for k, v in role.items()}

    def label(self, code: str) -> str:
        lab = self.schema.labels.get(code)
        if lab is None:
            return code
        return lab.name_zh if self.lang == "zh" else lab.name_en

    def rel(self, code: str) -> str:
        r = self.schema.relationships.get(code)
        if r is None:
            return code
        return r.name_zh if self.lang == "zh" else r.name_en

    def name(self, ref: dict[str, Any] | None) -> str:
        """A node as lists show it: a party organisation's short name in Chinese when it
        has one (上星社区第一党支部), else its name."""
        if not ref:
            return ""
        short = ref.get("short_name")
        party = "PartyOrg" in (ref.get("labels") or ())  # 上星社区党委, not 上星 for 上星社区
        return str(short if short and party and self.lang == "zh" else ref.get("name") or "")

    def prop(self, key: str, labels: list[str]) -> str:
        if self.lang == "zh":
            d = self.schema.node_properties(tuple(labels)).get(key)
            return d.name_zh if d is not None and d.name_zh else key
        words = key.replace("_km2", " (km²)").replace("_", " ")
        words = re.sub(r"\bid\b", "ID", words)
        return words[:1].upper() + words[1:]

    def kind(self, key: str, labels: list[str]) -> str:
        d = self.schema.node_properties(tuple(labels)).get(key)
        return d.type if d is not None else ""

    def value(self, key: str, value: Any, labels: list[str]) -> str:
        d = self.schema.node_properties(tuple(labels)).get(key)
        if isinstance(value, bool):
            return t(self.lang, "node_yes" if value else "node_no")
        if d is not None and d.enum and isinstance(value, str):
            return d.enum.get(value, value) if self.lang == "zh" else value
        if value is None:
            return "—"
        if isinstance(value, int):
            return f"{value:,}"
        text = str(value)
        if self.lang == "en":  # a masked birth date
            if m := _BAND.match(text):
                return f"aged {m.group(1)}–{m.group(2)}"
            if m := _BAND_TOP.match(text):
                return f"aged {m.group(1)} or over"
        return text

    def role(self, code: str) -> str:
        if self.lang == "zh":
            return self._roles.get(code, code)
        return t("en", f"node_role_{code}") if code in self._roles else code

    def title(self, post: dict[str, Any]) -> str:
        """A post's title: a party role (given in Chinese by the JSON) in this language,
        any other post as it was written."""
        title = str(post.get("title") or "")
        if post.get("kind") == "party_role" and title in self._role_codes:
            return self.role(self._role_codes[title])
        return title

    def leader(self, leader: dict[str, Any]) -> str:
        """A chain step's leader: name and role; one the caller may not see (a building's
        head, a person for a consumer) said so."""
        if not leader.get("id"):
            return t(self.lang, "node_leader_hidden")
        role = str(leader.get("role") or "")
        if role in self._roles:
            role = self.role(role)
        elif role in ("responsible", "building_head"):
            role = t(self.lang, f"node_leader_{role}")
        return f"{leader['name']}（{role}）" if self.lang == "zh" else f"{leader['name']} ({role})"

    def stint(self, rel: dict[str, Any]) -> str:
        """What a MEMBER_OF or HOLDS_POST link says the person is there."""
        p = rel.get("properties") or {}
        if rel.get("type") == "MEMBER_OF":
            role = self.role(str(p.get("role") or "member"))
            title = p.get("title")
            return f"{role}（{title}）" if title and self.lang == "zh" and title != role else role
        return str(p.get("title") or "")


def _timeline(node_id: str, answer: dict[str, Any], names: Names, day: str,
              inbound: bool) -> list[dict[str, Any]]:
    """A neighbourhood's MEMBER_OF / HOLDS_POST links as timeline entries, oldest first."""
    nodes = {n["id"]: n for n in answer["nodes"]}
    out = []
    for r in answer["relationships"]:
        if r["type"] not in _STINTS:
            continue
        other = r["start"] if inbound else r["end"]
        if (r["end"] if inbound else r["start"]) != node_id or other not in nodes:
            continue
        p = r["properties"]
        out.append({"other": nodes[other], "what": names.stint(r), "type": r["type"],
                    "since": p.get("since"), "until": p.get("until"),
                    "current": is_current(p, day)})
    return sorted(out, key=lambda e: (e["since"] or "", e["until"] or "9999", e["other"]["id"]))


def _members(answer: dict[str, Any], names: Names) -> list[dict[str, Any]]:
    return sorted(({"other": m["person"], "what": names.role(m["role"]), "type": "MEMBER_OF",
                    "since": m["since"], "until": m["until"], "current": True}
                   for m in answer["items"]),
                  key=lambda e: (e["since"] or "", e["other"]["id"]))


@router.get("/node", response_class=HTMLResponse)
async def node(request: Request, caller: CallerDep, store: StoreDep,
               id: Annotated[str, Query(min_length=1, max_length=200)],
               as_of: Day | None = None, lang: LangQ = "zh") -> HTMLResponse:
    day = as_of.isoformat() if as_of else None
    if "/" in id:  # no route's path takes it (brA/neighbors would be another route)
        return failed(Answer(404, {"detail": str(NodeNotFound(id))}, {}), lang)
    path = id  # the ASGI path is the decoded one (call_json encodes its raw form)
    n = await call_json(request, "GET", f"{API_PREFIX}/nodes/{path}")
    if not n.ok:
        return failed(n, lang)
    body = n.body
    labels = [x["label"] for x in body["labels"]]
    names = Names(store.schema, lang)
    person = "Person" in labels
    calls = [call_json(request, "GET", f"{API_PREFIX}/chains/leadership/{path}", {"as_of": day})]
    if person:
        calls += [call_json(request, "GET", f"{API_PREFIX}/people/{path}/posts", {"as_of": day}),
                  call_json(request, "GET", f"{API_PREFIX}/nodes/{path}/neighbors",
                            {"type": list(_STINTS), "direction": "out", "limit": 2000})]
    elif "PartyOrg" in labels and caller.role in PERSON_ROLES:
        calls.append(call_json(request, "GET", f"{API_PREFIX}/orgs/{path}/members",
                               {"include_sub": "false", "as_of": day, "limit": 500}))
    elif "PartyOrg" not in labels and caller.role in PERSON_ROLES:
        calls.append(call_json(request, "GET", f"{API_PREFIX}/nodes/{path}/neighbors",
                               {"type": "HOLDS_POST", "direction": "in", "limit": 2000}))
    got: list[Answer] = list(await asyncio.gather(*calls))
    for a in got:
        if not a.ok:
            return failed(a, lang)
    chain = got[0].body
    day = chain["as_of"]
    posts: list[dict[str, Any]] = []
    timeline: list[dict[str, Any]] = []
    more = 0
    if person:
        posts = got[1].body
        timeline = _timeline(id, got[2].body, names, day, inbound=False)
    elif len(got) > 1 and "PartyOrg" in labels:
        timeline = _members(got[1].body, names)
        more = got[1].body["total"] - len(timeline)
    elif len(got) > 1:
        timeline = _timeline(id, got[1].body, names, day, inbound=True)
    props = body["properties"]
    maps = [(names.prop(k, labels), svg_map(v, body["name"])) for k, v in props.items()
            if names.kind(k, labels) == "geojson"]
    rows = [(k, names.prop(k, labels), names.value(k, v, labels), k in body["masked"])
            for k, v in props.items() if names.kind(k, labels) != "geojson"]
    return render(
        "f_node.html", lang, n=body, labels=labels, rows=rows,
        label_names=[names.label(x) for x in labels], maps=maps, chain=chain,
        posts=posts, timeline=timeline, more=more, person=person,
        party_org="PartyOrg" in labels, people=caller.role in PERSON_ROLES, names=names,
        as_of=day, query=query(id=id, as_of=day, lang=lang))
