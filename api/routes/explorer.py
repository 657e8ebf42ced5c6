"""The graph explorer (/explorer): one page over the JSON API, every asset served here.

vis-network 9.1.2 (its standalone build, as pyvis 0.3.2 ships it; the SHA-256 of each
file is pinned in tests/api/test_explorer.py) is served from ``/explorer/static/``: the
page works with no internet. pyvis itself is not a dependency: its page template
loads bootstrap from a CDN and its value — drawing a networkx graph in a notebook —
is not what the explorer does, while it would install IPython into every image.

``standalone_html`` writes the same page as one self-contained file: the assets
inlined and the API's answers for the view preloaded (``govgraph explore``, and
``GET /explorer/export.html``).
"""

from __future__ import annotations

import json
import re
from contextlib import suppress
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from api.deps import API_PREFIX, StoreDep
from api.models import node_public
from api.policy import EVERY_ROLE, CallerDep, allow
from graph.errors import GraphError, NodeNotFound
from graph.masking import HOME_TYPES
from graph.store import GraphStore
from queries.grid_map import grid_map
from queries.leadership_chain import leadership_chain, without_homes
from queries.lookups import neighbourhood
from queries.middle_weakening import middle_weakening

__all__ = ["router", "standalone_html", "ASSETS", "MAX_DRAWN", "FETCH_LIMIT"]

ASSETS = Path(__file__).resolve().parents[1] / "explorer"
STATIC = {
    "vis-network.min.js": "text/javascript; charset=utf-8",
    "vis-network.css": "text/css; charset=utf-8",
    "explorer-i18n.js": "text/javascript; charset=utf-8",
    "explorer-core.js": "text/javascript; charset=utf-8",
    "explorer-map.js": "text/javascript; charset=utf-8",
    "explorer-panel.js": "text/javascript; charset=utf-8",
    "explorer-view.js": "text/javascript; charset=utf-8",
    "explorer.js": "text/javascript; charset=utf-8",
    "explorer.css": "text/css; charset=utf-8",
}
# The same numbers as in explorer-core.js (a test keeps them equal).
MAX_DRAWN = 300
FETCH_LIMIT = 1000
GAPS_LIMIT = 100  # the gaps endpoint's default page

router = APIRouter(tags=["explorer"], include_in_schema=False)


@router.get("/explorer", response_class=HTMLResponse)
def explorer_page() -> HTMLResponse:
    """The explorer page; its state lives in the URL hash (a shareable deep link)."""
    return HTMLResponse((ASSETS / "index.html").read_text(encoding="utf-8"))


@router.get("/explorer/static/{name}")
def explorer_static(name: str) -> FileResponse:
    if name not in STATIC:
        raise HTTPException(status_code=404, detail=f"no explorer asset {name!r}")
    return FileResponse(ASSETS / "static" / name, media_type=STATIC[name],
                        headers={"Cache-Control": "public, max-age=3600"})


@router.get("/explorer/export.html", response_class=HTMLResponse,
            dependencies=[Depends(allow(*EVERY_ROLE))])
def explorer_export(request: Request, store: StoreDep, caller: CallerDep,
                    focus: Annotated[str, Query(min_length=1, max_length=200)],
                    depth: Annotated[int, Query(ge=1, le=2)] = 2) -> HTMLResponse:
    """The current view as one self-contained HTML file (a download): what this caller
    may see, masked as for this caller."""
    vis = request.state.visibility
    if not vis.node_ok(focus):
        raise NodeNotFound(focus)
    ids: set[str] = set()
    page = standalone_html(store, focus, depth, vis=vis, unmask=caller.role == "admin",
                           people=ids)
    request.state.audit_ids = sorted(ids)
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", focus)
    return HTMLResponse(page, headers={
        "Content-Disposition": f'attachment; filename="govgraph-{safe}.html"'})


# ---------------------------------------------------------------- self-contained page
def _q(node_id: str) -> str:
    """``encodeURIComponent`` as the page's JavaScript does it."""
    return quote(node_id, safe="!~*'()")


def _dump(value: Any) -> dict[str, Any]:
    return value.model_dump(mode="json")  # type: ignore[no-any-return]


def preload(store: GraphStore, node_id: str, depth: int, vis: Any = None,
            unmask: bool = False, people: set[str] | None = None) -> dict[str, Any]:
    """The API's answers the page asks for when it opens on ``node_id``, keyed by URL;
    with ``vis`` (a caller's :class:`api.redaction.Visibility`), redacted as the API would."""
    api = API_PREFIX
    nb = neighbourhood(store, node_id, depth, limit=FETCH_LIMIT,
                       exclude=() if unmask else HOME_TYPES)
    data: dict[str, Any] = {
        f"{api}/schema": store.schema.public(),
        f"{api}/nodes/{_q(node_id)}/neighbors?depth={depth}&limit={FETCH_LIMIT}": _dump(nb),
    }
    for ref in nb.nodes[:MAX_DRAWN]:
        if vis is None or vis.node_ok(ref.id, ref.labels):
            data[f"{api}/nodes/{_q(ref.id)}"] = _dump(node_public(
                store.schema, store.get_node(ref.id), unmask=unmask))
    with suppress(GraphError):  # no chain from this node: the overlay says so in the file
        chain = leadership_chain(store, node_id)
        data[f"{api}/chains/leadership/{_q(node_id)}"] = _dump(
            chain if unmask else without_homes(chain, store.schema))
    gaps = middle_weakening(store, getattr(getattr(vis, "caller", None), "community", None))
    gaps.gaps = gaps.gaps[:GAPS_LIMIT]
    data[f"{api}/gaps/middle-weakening"] = _dump(gaps)
    # the map view (a community's own grids for a community's token, as the API answers)
    caller = getattr(vis, "caller", None)
    own = (caller.community or "") if caller is not None and caller.role == "community" else None
    data[f"{api}/grids/map"] = _dump(grid_map(store, community=own))
    if vis is not None:
        from api.redaction import redact

        for url, value in data.items():
            data[url], kept, _ = redact(value, vis, url.split("?")[0])
            if people is not None:
                people |= kept
    return data


_JS_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
               "\u2029": "\\u2029"}
_JS_TABLE = str.maketrans(_JS_ESCAPES)


def _js_json(value: Any) -> str:
    """JSON to embed in a ``<script>``: ``<``, ``>``, ``&`` and the two line separators
    escaped (valid JSON and JavaScript still), so no value — an id typed as
    ``</script>`` or ``<!--<script>`` — closes the script or changes how the HTML
    parser reads it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_JS_TABLE)


def _script(data: str) -> str:
    if "</script" in data.lower():
        raise ValueError("inline script contains '</script'")
    return f"<script>{data}</script>"


# a stylesheet or a script of index.html, inlined where it stands: the scripts keep the
# page's order (explorer-core.js first of the explorer's, explorer.js last)
_ASSET_TAG = re.compile(r'<link rel="stylesheet" href="/explorer/static/([\w.-]+)">'
                        r'|<script src="/explorer/static/([\w.-]+)"></script>')


def _inline(tag: re.Match[str]) -> str:
    css, js = tag.groups()
    name = css or js
    if name not in STATIC:
        raise ValueError(f"index.html names no explorer asset {name!r}")
    text = (ASSETS / "static" / name).read_text(encoding="utf-8")
    return f"<style>{text}</style>" if css else _script(text)


def standalone_html(store: GraphStore, node_id: str, depth: int = 2, vis: Any = None,
                    unmask: bool = False, people: set[str] | None = None) -> str:
    """The explorer opened on ``node_id`` as one HTML file: no request leaves it.

    ``depth`` is 1 or 2 as in the page; an unknown id raises ``NodeNotFound``.
    """
    store.get_node(node_id)  # NodeNotFound before any work
    page = _ASSET_TAG.sub(_inline, (ASSETS / "index.html").read_text(encoding="utf-8"))
    blob = _js_json(preload(store, node_id, depth, vis, unmask, people))
    start = _js_json({"focus": node_id, "depth": depth})
    return page.replace("<!--govgraph:preload-->", _script(
        f"window.GOVGRAPH_PRELOAD={blob};window.GOVGRAPH_START={start};"))
