"""Ids a roster gives nodes it does not name by id: a person new to the graph from the
ID number by a keyed hash (the key lives in the store's meta, :data:`ID_KEY_META`),
so the id does not reveal the number; other nodes from their name.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["ID_KEY_META", "name_id", "person_id"]

#: store meta: the key of :func:`person_id` (made once per store, at a first load)
ID_KEY_META = "roster_id_key"


def person_id(key: bytes, id_number: str) -> str:
    """The node id of a person new to the graph with this ID number (a keyed hash: the
    id does not reveal the number).

    >>> person_id(b"k", "11010519491231002x") == person_id(b"k", "11010519491231002X")
    True
    >>> pid = person_id(b"k", "11010519491231002X")
    >>> other_key = person_id(b"j", "11010519491231002X")
    >>> pid.startswith("person-"), len(pid), "1101" in pid, pid == other_key
    (True, 23, False, False)
    """
    digest = hmac.new(key, id_number.strip().upper().encode(), hashlib.sha256).hexdigest()
    return f"person-{digest[:16]}"


def name_id(prefix: str, name: str) -> str:
    """The id of a node a roster names but gives no id: from its name.

    >>> a = name_id("org", "新桥社区第一党支部")
    >>> a == name_id("org", "新桥社区第一党支部") != name_id("org", "新桥社区第二党支部"), len(a)
    (True, 16)
    """
    return f"{prefix}-{hashlib.sha1(name.encode()).hexdigest()[:12]}"
