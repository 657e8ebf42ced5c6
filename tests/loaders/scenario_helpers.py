"""What the scenario modules share: the scenario's day and size, its communities, one
generated run (the generator, its batches, every record, nodes by id), and records by
label, by type and current on a day."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from loaders.xinqiao import XinqiaoScenario

AS_OF = dt.date(2025, 6, 30)
A = AS_OF.isoformat()
RESIDENTS = 5_000
BATCH = 7_000

COMMUNITY_NAMES = {"community-xinqiao": "新桥社区", "community-shangxing": "上星社区",
                   "community-shangliao": "上寮社区", "community-wanfeng": "万丰社区",
                   "community-shaqi": "沙企社区", "community-huangpu": "黄埔社区",
                   "community-xiner": "新二社区"}

#: a node or relationship as XinqiaoScenario.batches() yields it, and one batch of them
Record = dict[str, Any]
Batch = tuple[list[Record], list[Record]]


class Run(TypedDict):
    """One generated scenario: the generator, its batches, every record, nodes by id."""

    sc: XinqiaoScenario
    batches: list[Batch]
    nodes: list[Record]
    rels: list[Record]
    by_id: dict[str, Record]


def generate(seed: int = 7, residents: int = RESIDENTS, batch_size: int = BATCH,
             as_of: dt.date = AS_OF) -> tuple[XinqiaoScenario, list[Batch]]:
    sc = XinqiaoScenario(residents=residents, seed=seed, as_of=as_of, batch_size=batch_size)
    batches = list(sc.batches())
    return sc, batches


def make_run(seed: int = 7, as_of: dt.date = AS_OF) -> Run:
    sc, batches = generate(seed=seed, as_of=as_of)
    nodes = [n for ns, _ in batches for n in ns]
    rels = [r for _, rs in batches for r in rs]
    return {"sc": sc, "batches": batches, "nodes": nodes, "rels": rels,
            "by_id": {n["id"]: n for n in nodes}}

def with_label(run: Run, label: str) -> list[Record]:
    return [n for n in run["nodes"] if label in n["labels"]]


def of_type(run: Run, rtype: str) -> list[Record]:
    return [r for r in run["rels"] if r["type"] == rtype]


def current(rel: Record, as_of: str = A) -> bool:
    p = rel["properties"]
    since, until = p.get("since"), p.get("until")
    return (since is None or since <= as_of) and (until is None or until > as_of)
