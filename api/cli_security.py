"""``govgraph token …`` and ``govgraph audit …``: who may call the API, and what they did."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from api.cli import _fail, _open, app, out
from api.security import clean_text
from graph.settings import get_settings

__all__: list[str] = []

token_app = typer.Typer(help="API tokens (stored only as hashes).", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log of personal-data reads and changes.",
                        no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")


def _security():  # type: ignore[no-untyped-def]
    from api.security import SecurityStore

    return SecurityStore(get_settings().security_db)


@token_app.command("create")
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

    sec = _security()
    try:
        if community is not None:
            with _open(read_only=True) as store:
                node = store.get_node(community)
            if "Community" not in node.labels:
                raise _fail(f"{community!r} is not a community")
        if replace and label:
            for t in sec.list_tokens():
                if t["label"] == label and not t["revoked"]:
                    sec.revoke(t["id"])
        token, tid = sec.create_token(role, community, label)
    except GraphError as e:
        raise _fail(str(e)) from None
    finally:
        sec.close()
    out.print(f"token {tid} ({role}{' · ' + community if community else ''}) — keep it, "
              "it is not shown again:", highlight=False)
    sys.stdout.write(token + "\n")


@token_app.command("list")
def token_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every token: id, role, community, label, created, revoked (never the token)."""
    sec = _security()
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


@token_app.command("revoke")
def token_revoke(token_id: Annotated[str, typer.Argument(help="The token's id")]) -> None:
    """Revoke a token: it stops working at once."""
    sec = _security()
    done = sec.revoke(token_id)
    sec.close()
    if not done:
        raise _fail(f"no active token with id {token_id!r}")
    out.print(f"revoked {token_id}")


@audit_app.command("verify")
def audit_verify(anchor: Annotated[str | None, typer.Option(
        help="SEQ:HASH printed by an earlier `govgraph audit anchor`: that record must "
             "still be there, unchanged")] = None) -> None:
    """Check the audit log's keyed chain: exit 1 if any record was edited or removed."""
    point = None
    if anchor is not None:
        seq, _, h = anchor.partition(":")
        if not seq.isdigit() or len(h) != 64:
            raise _fail(f"--anchor {anchor!r} must be SEQ:HASH as `govgraph audit anchor` "
                        "prints it")
        point = (int(seq), h)
    sec = _security()
    ok, n, why = sec.verify(point)
    sec.close()
    if not ok:
        raise _fail(f"audit log NOT intact after {n} good records: {why}")
    out.print(f"audit log intact: {n} records")


@audit_app.command("anchor")
def audit_anchor() -> None:
    """Print the newest record's SEQ:HASH. Keep it off this machine (a ticket, a
    notebook); `govgraph audit verify --anchor SEQ:HASH` later proves nothing up to it
    was rewritten, even by someone holding the audit key."""
    sec = _security()
    seq, h = sec.anchor()
    sec.close()
    sys.stdout.write(f"{seq}:{h}\n")


@audit_app.command("list")
def audit_list(
    limit: Annotated[int, typer.Option(help="Records, newest first")] = 20,
    node: Annotated[str | None, typer.Option(help="Only records naming this node")] = None,
) -> None:
    """The newest audit records."""
    sec = _security()
    rows, total = sec.records(limit, 0, None, node)
    sec.close()
    t = Table(title=f"audit · {total} records")
    for col in ("seq", "at", "token", "role", "request", "purpose", "nodes", "status"):
        t.add_column(col)
    for r in rows:  # what callers wrote is shown as text: no control codes, no markup
        t.add_row(*(escape(clean_text(str(x))) for x in (
            r["seq"], r["at"][:19], r["token_id"] or "", r["role"] or "",
            f"{r['method']} {r['path']}", r["purpose"] or "", len(r["node_ids"]),
            r["status"])))
    out.print(t)
