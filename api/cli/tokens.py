"""``govgraph token …``: who may call the API (tokens are kept only as hashes)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import fail, opened_store, out, security

__all__ = ["app"]

app = typer.Typer(help="API tokens (stored only as hashes).", no_args_is_help=True)


@app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="admin, analyst, community or consumer")],
    community: Annotated[str | None, typer.Option(
        help="The community id a community token is bound to")] = None,
    label: Annotated[str, typer.Option(help="Who or what it is for")] = "",
    replace: Annotated[bool, typer.Option(
        "--replace", help="Revoke earlier tokens with the same label first")] = False,
) -> None:
    """Create a token and print it once (only its hash is kept)."""
    from graph.errors import GraphError

    sec = security()
    try:
        if community is not None:
            with opened_store(read_only=True) as store:
                node = store.get_node(community)
            if "Community" not in node.labels:
                raise fail(f"{community!r} is not a community")
        if replace and label:
            for t in sec.list_tokens():
                if t["label"] == label and not t["revoked"]:
                    sec.revoke(t["id"])
        token, tid = sec.create_token(role, community, label)
    except GraphError as e:
        raise fail(str(e)) from None
    finally:
        sec.close()
    out.print(f"token {tid} ({role}{' · ' + community if community else ''}) — keep it, "
              "it is not shown again:", highlight=False)
    sys.stdout.write(token + "\n")


@app.command("list")
def token_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every token: id, role, community, label, created, revoked (never the token)."""
    sec = security()
    rows = sec.list_tokens()
    sec.close()
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    t = Table(title="tokens")
    for col in ("id", "role", "community", "label", "created", "revoked"):
        t.add_column(col)
    for r in rows:
        t.add_row(*(str(r[c] or "") for c in ("id", "role", "community", "label", "created",
                                               "revoked")))
    out.print(t)


@app.command("revoke")
def token_revoke(token_id: Annotated[str, typer.Argument(help="The token's id")]) -> None:
    """Revoke a token: it stops working at once."""
    sec = security()
    done = sec.revoke(token_id)
    sec.close()
    if not done:
        raise fail(f"no active token with id {token_id!r}")
    out.print(f"revoked {token_id}")
