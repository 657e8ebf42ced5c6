"""Arithmetic the loaders and the queries share (a loader asks no question, so what both
need sits below both).

>>> largest_remainder(10, [1, 1, 1])
[4, 3, 3]
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["largest_remainder"]


def largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` by largest remainder (ties: the
    earlier first); all zeros when the weights are."""
    if sum(weights) <= 0:
        return [0] * len(weights)
    raw = [total * w / sum(weights) for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - out[i], -i), reverse=True)
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out
