"""The store's write path, the same for every backend: identity, merge, history.

:func:`plan_batch` turns a batch as a caller gives it into what the backend writes,
against a :class:`StoredView` of what is stored. Every rule of a write lives here, so
a roster, a graph CSV, a Popolo file, the scenario and the API all get them:

- **Values** follow the schema (:mod:`graph.values`): types, enums with their Chinese
  names and aliases, booleans as 是/否, partial dates with their precision, ID
  numbers, phones, names normalised (``name_as_typed`` keeps what was typed).
- **One person, one node.** A person whose ``id_number`` a stored node already has *is*
  that node: the item is written into it (its id kept) and the batch's relationships
  follow. A node may not take an ID number another node holds. A new person without
  one who shares a stored person's name and birth date is reported as a candidate
  duplicate, never merged.
- **Merge, never replace.** A node's properties and labels are added to what is
  stored; a property left out (or ``None``) keeps its value. ``replace=True`` makes
  the given items exactly what is stored (the explicit way to remove something).
- **History.** A relationship type with ``history`` in the schema (MEMBER_OF: role,
  title; HOLDS_POST: title) keeps its past: when the current relationship between two
  nodes changes one of those, it ends (``until``) and a new one starts, on the
  relationship's own ``since`` or else the batch's ``as_of`` date.

What changed is returned per node (:class:`Changes`), so loaders report it and a dry
run shows it; unchanged items are not written at all.

>>> from graph.schema import get_schema
>>> view = MemoryView()
>>> plan = plan_batch(get_schema(), [{"id": "p1", "labels": ["Person"],
...     "properties": {"name": "卢　芳", "id_number": "11010519491231002x"}}], [], view,
...     as_of="2026-06-30")
>>> n = plan.nodes[0]
>>> n.properties["name"], n.properties["name_as_typed"], n.properties["birth_date"]
('卢芳', '卢\\u3000芳', '1949-12-31')
>>> view.put(plan)
>>> again = plan_batch(get_schema(), [{"id": "roster-7", "labels": ["PartyMember"],
...     "properties": {"name": "卢芳", "id_number": "11010519491231002X",
...                    "joined_party_on": "1975.07"}}], [], view, as_of="2026-06-30")
>>> again.changes.remap, again.nodes[0].id, again.nodes[0].properties["joined_party_on"]
({'roster-7': 'p1'}, 'p1', '1975-07-01')
>>> again.nodes[0].labels, "name_as_typed" in again.nodes[0].properties
(('PartyMember', 'Person'), False)
"""

from graph.write.changes import MAX_DIFFS, Changes, NodeDiff, Plan, stint_id
from graph.write.plan import plan_batch
from graph.write.rules import follow, unchanged_node, unchanged_rel
from graph.write.views import MemoryView, StoredView, StoreView

__all__ = ["StoredView", "StoreView", "MemoryView", "Changes", "NodeDiff", "Plan",
           "plan_batch", "MAX_DIFFS", "stint_id", "follow", "unchanged_node",
           "unchanged_rel"]
