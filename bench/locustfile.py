"""The load test's clients (run by bench/load_api.py): a mix of search, leadership
chain, neighbours and middle weakening, each client with a token of its own. With the
plan's ``rate`` (requests per second per client) each client paces itself
(locust's ``constant_throughput``); without, it asks again as soon as it is answered
(the server saturated: throughput measured, latency then only the queue)."""

from __future__ import annotations

import json
import os
import random
from itertools import count
from pathlib import Path
from urllib.parse import quote

from locust import FastHttpUser, between, constant_throughput, task

if "GOVGRAPH_LOAD_PLAN" not in os.environ:
    raise SystemExit("bench/locustfile.py is run by bench/load_api.py, which writes the "
                     "load plan and names it in GOVGRAPH_LOAD_PLAN")
_plan = json.loads(Path(os.environ["GOVGRAPH_LOAD_PLAN"]).read_text(encoding="utf-8"))
_next = count()


class Analyst(FastHttpUser):
    wait_time = constant_throughput(_plan["rate"]) if _plan.get("rate") else between(0, 0)

    def on_start(self) -> None:
        token = _plan["tokens"][next(_next) % len(_plan["tokens"])]
        self.headers = {"Authorization": f"Bearer {token}"}
        self.rnd = random.Random()

    @task(3)
    def search(self) -> None:
        q = self.rnd.choice(_plan["queries"])
        self.client.get(f"/api/v1/search?q={quote(q)}", headers=self.headers, name="search")

    @task(3)
    def chain(self) -> None:
        nid = self.rnd.choice(_plan["nodes"])
        self.client.get(f"/api/v1/chains/leadership/{quote(nid, safe='')}",
                        headers=self.headers, name="chain")

    @task(3)
    def neighbours(self) -> None:
        nid = self.rnd.choice(_plan["nodes"])
        self.client.get(f"/api/v1/nodes/{quote(nid, safe='')}/neighbors?depth=1",
                        headers=self.headers, name="neighbours")

    @task(1)
    def gaps(self) -> None:
        c = self.rnd.choice(_plan["communities"])
        self.client.get(f"/api/v1/gaps/middle-weakening?community={c}&as_of={_plan['day']}",
                        headers=self.headers, name="gaps")
