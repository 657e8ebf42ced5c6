"""How much memory the embedded store's index takes, and what this machine gives it.

The embedded store holds every node and relationship in memory (its query index).
Its size grows with the records: ``estimate_bytes`` is a straight line through the
resident set measured after opening stores of several sizes (``bench/embedded_memory.py``
checks it and writes ``bench/results/embedded_memory.json``). A write that would take
the store past its budget is refused before anything is written
(:class:`CapacityExceeded`), pointing to Neo4j; ``--force`` on the load commands
(``allow_beyond_memory``) tries anyway.

The budget: ``GOVGRAPH_EMBEDDED_MEMORY_MB`` when set, else three quarters of this
machine's memory (the smaller of the physical memory and a container's cgroup limit):
the API, a load's own working set and the operating system need the rest.
"""

from __future__ import annotations

import os
from pathlib import Path

from graph.errors import Conflict

__all__ = ["BASE_BYTES", "BYTES_PER_RECORD", "BUDGET_SHARE", "CapacityExceeded",
           "estimate_bytes", "machine_bytes", "budget_bytes", "check_capacity"]

MIB = 1024 * 1024
GIB = 1024 * MIB
#: the interpreter, the libraries and an empty store (measured: see the module's doc)
BASE_BYTES = 100 * MIB
#: one node or relationship in the index, with its properties and adjacency
BYTES_PER_RECORD = 1_000
#: the share of the machine's memory the index may take by default
BUDGET_SHARE = 0.75


class CapacityExceeded(Conflict):
    """A write would take the embedded store past the memory it may use (HTTP 409)."""

    def __init__(self, records: int, incoming: int, need: int, budget: int,
                 source: str) -> None:
        self.records, self.incoming, self.need, self.budget = records, incoming, need, budget
        super().__init__(
            f"loading {incoming:,} more records would bring the embedded store to "
            f"{records + incoming:,} records, about {need / GIB:.1f} GiB of memory for its "
            f"index, more than the {budget / GIB:.1f} GiB it may use ({source}). A graph "
            "this size belongs on Neo4j: --store bolt://HOST:7687 (README, \"Which "
            "backend\"); --force tries anyway. Nothing was written.")


def estimate_bytes(records: int) -> int:
    """The resident memory of a process holding an embedded store of ``records``
    nodes and relationships (after opening it)."""
    return BASE_BYTES + BYTES_PER_RECORD * max(0, records)


def _cgroup_limit() -> int | None:
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text(encoding="ascii").strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:  # "max" or a huge number: no limit
            return int(text)
    return None


def machine_bytes() -> int:
    """This machine's memory, or a container's limit when that is smaller."""
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    limit = _cgroup_limit()
    return min(physical, limit) if limit else physical


def budget_bytes() -> tuple[int, str]:
    """What the index may take, and where that figure comes from."""
    from graph.settings import get_settings

    mb = get_settings().embedded_memory_mb
    if mb is not None:
        return mb * MIB, f"GOVGRAPH_EMBEDDED_MEMORY_MB={mb}"
    machine = machine_bytes()
    return (int(machine * BUDGET_SHARE),
            f"{BUDGET_SHARE:.0%} of this machine's {machine / GIB:.1f} GiB; "
            "GOVGRAPH_EMBEDDED_MEMORY_MB sets it")


def check_capacity(records: int, incoming: int) -> None:
    """Raise :class:`CapacityExceeded` when a store of ``records`` taking ``incoming``
    new ones would need more than its budget."""
    if incoming <= 0:
        return
    need = estimate_bytes(records + incoming)
    budget, source = budget_bytes()
    if need > budget:
        raise CapacityExceeded(records, incoming, need, budget, source)
