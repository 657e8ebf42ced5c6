"""Injection strings in every parameter and every roster cell: the graph stays as it
was and the answer is never a 5xx — on both backends (issue 7)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from graph.store import GraphStore
from loaders.roster import EMPTY_MARKS
from tests.api_helpers import client_for
from tests.graphs import two_communities
from tests.rosters import idn, snapshot

INJECTIONS = [
    "'", '"', "`", "{", "}", "{{labels}}", "//", "/* x */", "\\", "%", "' OR 1=1 --",
    "MATCH (n) RETURN n", "MATCH (n) DETACH DELETE n",
    "x'}) MATCH (n) DETACH DELETE n //", '") RETURN 1 UNION MATCH (n) RETURN n //',
    "`Person`) DETACH DELETE n //", "$id", "{id: 'mA1'}", "../../etc/passwd",
    "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/a}", "张三' OR '1'='1",
]
VALID = {"node_id": "brA", "org_id": "brA", "community_id": "cA", "kind": "party_members",
         "q": "上星", "from": "brA", "to": "ccA", "focus": "brA"}


def checksum(store: GraphStore) -> str:
    return hashlib.sha256(json.dumps(snapshot(store), sort_keys=True, default=str,
                                     ensure_ascii=False).encode()).hexdigest()


def _requests(openapi: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(method, path template, parameter, where) for every parameter of every GET."""
    out = []
    for path, ops in openapi["paths"].items():
        for method, op in ops.items():
            if method != "get":
                continue
            for p in op.get("parameters", []):
                out.append(("GET", path, p["name"], p["in"]))
    return out


def _url(path: str, name: str, where: str, value: str, openapi_op: dict[str, Any]) -> tuple[
        str, dict[str, str]]:
    from urllib.parse import quote

    params: dict[str, str] = {}
    for p in openapi_op.get("parameters", []):
        n = p["name"]
        v = value if n == name else VALID.get(n)
        if v is None:
            continue
        if p["in"] == "path":
            path = path.replace("{" + n + "}", quote(v, safe=""))
        elif n == name or p.get("required"):
            params[n] = v
    return path, params


def test_injection_in_every_parameter(store: GraphStore) -> None:
    store.upsert(*two_communities())
    before = checksum(store)
    with client_for(store, "admin") as c:
        openapi = c.get("/openapi.json").json()
        reqs = _requests(openapi)
        assert len(reqs) > 30
        for method, path, name, where in reqs:
            op = openapi["paths"][path][method.lower()]
            for bad in INJECTIONS:
                url, params = _url(path, name, where, bad, op)
                r = c.get(url, params=params)
                assert r.status_code < 500, (path, name, bad, r.text[:200])
                if where == "path":
                    assert 400 <= r.status_code < 500, (path, name, bad)
                assert "Traceback" not in r.text
        for bad in INJECTIONS:
            r = c.post("/api/v1/pairings/proposals", json={"community": bad})
            assert 400 <= r.status_code < 500, bad
            r = c.post("/api/v1/pairings", json={"pairs": [{"mentor": bad, "mentee": "mA2"}]})
            assert 400 <= r.status_code < 500, bad
            r = c.post("/api/v1/pairings", json={"pairs": [{"mentor": "mA1", "mentee": bad}],
                                                 "since": bad})
            assert 400 <= r.status_code < 500, bad
            r = c.get("/explorer/export.html", params={"focus": bad})
            assert r.status_code == 404, bad
    assert checksum(store) == before


HEAD = ["编号", "姓名", "性别", "身份证号", "手机号", "入党日期", "所在党组织", "党内职务",
        "转入日期"]


def _row(i: int) -> list[str]:
    """A valid row; every i a different person."""
    number = idn(f"440306198001010{i:02d}")
    return ["", "甲", "男" if number[16] in "13579" else "女", number, "13812345678",
            "2001-07-01", "上星第一支部", "党员", "2020-01-01"]


@pytest.mark.parametrize("col", range(len(HEAD)))
def test_injection_in_every_roster_cell(store: GraphStore, col: int) -> None:
    """Each injection string in each cell in turn: a cell that must be a date, a choice,
    an ID number or a reference is refused (422, nothing written); a free-text cell
    (the id, the name) is stored as that literal text and nothing else changes."""
    import csv
    import io

    store.upsert(*two_communities())
    nodes_before, rels_before = snapshot(store)
    with client_for(store, "admin") as c:
        for i, bad in enumerate(INJECTIONS):
            row = _row(i)
            row[col] = bad
            buf = io.StringIO()
            csv.writer(buf).writerows([HEAD, row])
            r = c.post("/api/v1/rosters/party_members",
                       params={"as_of": "2026-06-30", "keep_missing": True},
                       files={"file": ("r.csv", buf.getvalue().encode())})
            assert r.status_code in (200, 422), (HEAD[col], bad, r.text[:300])
            nodes, rels = snapshot(store)
            # nothing that was there before changed or went
            assert {k: v for k, v in nodes.items() if k in nodes_before} == nodes_before
            assert {k: v for k, v in rels.items() if k in rels_before} == rels_before
            new = set(nodes) - set(nodes_before)
            if r.status_code == 422:
                assert not new, (HEAD[col], bad)
                continue
            if bad.strip() in EMPTY_MARKS:  # a slash for nothing: an empty cell
                assert HEAD[col] not in ("姓名", "入党日期", "所在党组织"), (HEAD[col], bad)
                assert all(v != bad for n in new for v in nodes[n][1].values())
                nodes_before, rels_before = nodes, rels
                continue
            assert HEAD[col] in ("编号", "姓名"), (HEAD[col], bad)  # free text only
            (nid,) = new
            assert (nid if col == 0 else nodes[nid][1]["name"]) == bad
            nodes_before, rels_before = nodes, rels  # the new node holds the literal text
