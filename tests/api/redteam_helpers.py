"""What the red-team modules (issue 14) share: today's date, every call of every route
of the app's OpenAPI with its ids filled in, and every string an answer carries."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from fastapi.testclient import TestClient

TODAY = dt.date.today()


def _all_strings(r: Any) -> set[str]:
    """Every string an answer carries: JSON values and keys, an .xlsx's cells, an
    explorer export's data."""
    import json
    import re

    found: set[str] = set()
    body = r.content
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            for n in z.namelist():
                if n.endswith(".xml"):
                    found.update(re.findall(r">([^<>]{1,200})<", z.read(n).decode()))
        return found
    at = body.find(b"window.GOVGRAPH_PRELOAD=")
    if at >= 0:
        body = body[at + len(b"window.GOVGRAPH_PRELOAD="):body.find(b"</script>", at)]
        body = body.strip().rstrip(b";")
    try:
        data = json.loads(body)
    except ValueError:
        return found

    def walk(v: Any) -> None:
        if isinstance(v, str):
            found.add(v)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, dict):
            for k, x in v.items():
                found.add(k)
                walk(x)
    walk(data)
    return found


def _calls(client: TestClient, fills: dict[str, list[str]], day: str
           ) -> list[tuple[str, str, dict[str, Any]]]:
    """Every route of the app's OpenAPI (and the explorer export), each path parameter
    filled with each id of ``fills``, ``as_of`` the scenario's day."""
    spec = client.get("/openapi.json").json()
    out: list[tuple[str, str, dict[str, Any]]] = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method == "post" and path != "/api/v1/pairings/proposals":
                continue  # the other writes are admin-only (test_access)
            names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
            args: dict[str, Any] = {"as_of": day} if "as_of" in names else {}
            if "depth" in names:
                args["depth"] = 2
            urls = [path]
            for key, ids in fills.items():
                if "{" + key + "}" in path:
                    urls = [u.replace("{" + key + "}", i) for u in urls for i in ids]
            if "{" in "".join(urls):
                continue
            queries: list[dict[str, Any]] = [{}]
            if "q" in names:
                queries = [{"q": q} for q in ("新桥", "上星", "党员", "网格")]
            if "from" in names:  # a path from the community to every id filled
                queries = [{"from": fills["node_id"][0], "to": i}
                           for i in fills["node_id"][1:]]
            out += [(method, u, {**args, **q}) for u in urls for q in queries]
    out += [("get", "/explorer/export.html", {"focus": i, "depth": 2})
            for i in fills["node_id"]]
    return out
