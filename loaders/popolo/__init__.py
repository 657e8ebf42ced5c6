"""Popolo JSON (persons, organizations, memberships, posts) in and out.

Mapping (``loaders/popolo.yaml``, data): an organization's ``classification`` names its
label; ``parent_id`` becomes ``SUB_ORG_OF`` between party organisations (``PART_OF``
where the schema has that instead, a resident group in its community); a membership
of a party organisation becomes ``MEMBER_OF`` with its role, any other membership
``HOLDS_POST`` titled by its post (or role); the party a member sat for
(``on_behalf_of_id``) is a membership of that party's organisation, for the same
dates. Dates a membership lacks come from its legislative period. A partial date
(``1960``, ``1993-09``) is kept with its precision, as on every path. Identifiers
other than an ID number are kept (``identifiers``: ``scheme:identifier; …``); what
the graph has no place for (images, links, other names, areas …) is counted in one
warning per kind. The file goes through the store's write path: a person found by
ID number is that node, what is stored merges with the file, and the report says
which nodes it would rename.

Exports carry what Popolo has no field for under ``govgraph`` in each object
(labels, other properties, every parent link with its dates), so export → load gives
back the same party organisations, people, memberships and posts.

Modules: :mod:`~loaders.popolo.mapping` (the mapping file, dates and identifiers as
Popolo writes them), :mod:`~loaders.popolo.load`, :mod:`~loaders.popolo.export`.
"""

from loaders.popolo.export import export_popolo
from loaders.popolo.load import load_popolo
from loaders.popolo.mapping import classification_map, popolo_date, schema_check

__all__ = ["classification_map", "export_popolo", "load_popolo", "popolo_date",
           "schema_check"]
