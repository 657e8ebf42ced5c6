"""What a cell holds, read as a clerk means it: marks for "nothing" are empty cells,
and a sensitive value is masked wherever the report shows it.

>>> empty(" / "), empty("0"), empty(None)
(True, False, True)
"""

from __future__ import annotations

from typing import Any

from graph.masking import mask_value
from loaders.roster.mapping import Column

__all__ = ["EMPTY_MARKS", "empty", "shown"]

#: what clerks write in a cell for "nothing" (斜杠, dashes): read as an empty cell
EMPTY_MARKS = frozenset({"-", "—", "–", "－", "/", "／", "\\", "——", "--"})


def empty(v: Any) -> bool:
    if v is None:
        return True
    if type(v) is str or isinstance(v, str):
        s = v.strip()
        return not s or s in EMPTY_MARKS
    return False


def shown(col: Column, v: Any, today: str) -> Any:
    """A cell's value as the report shows it: masked when the property is sensitive."""
    if empty(v):
        return None
    if col.pdef is not None and col.pdef.sensitive:
        return mask_value(col.pdef.name, str(v), today)
    return v
