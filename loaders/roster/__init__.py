"""Loading rosters (花名册): ``.xlsx``/``.csv`` with Chinese headers, all or nothing.

Pass 1 reads every row (:mod:`~loaders.roster.read`, :mod:`~loaders.roster.header`,
:mod:`~loaders.roster.row`), converts and checks each mapped cell by the schema's
rules (:mod:`~loaders.roster.mapping`, graph/values.py: ID numbers, phones and
landlines, dates to the day or the month, choices with their Chinese names and
aliases such as 组织委员), derives ids (:mod:`~loaders.roster.ids`), and notes every
reference to another node; at the end references are resolved against the file and
the graph (:mod:`~loaders.roster.references`, :mod:`~loaders.roster.resolve`: ids,
full names, short names such as 上星社区第一党支部) and people are found by their ID
number, whoever wrote them first (scenario, graph CSV, Popolo, another roster). Rows
converted cleanly go to a spool file (:mod:`~loaders.roster.pass1`), so memory holds
ids and names, not rows. Any error: the report lists them all and nothing is
written. What clerks add to a sheet is read as such: title rows, a two-level header,
序号, a 合计 or 填表人 footer (skipped with a note).

Pass 2 (:mod:`~loaders.roster.write`) writes from the spool in batches through the
store's write path, which merges (a cell left empty keeps the stored value; labels
add up), keeps history (a new role ends the old stint) and reports what changed per
node; relationships of the roster's ``ends`` types that are not in it any more get
``until`` = the roster's date. Loading the same file again changes nothing.

A person new to the graph gets an id from the ID number by a keyed hash (the key
lives in the store's meta), so the id does not reveal the number.

:func:`~loaders.roster.load.load_roster` runs both passes. The mapping files are in
``loaders/rosters/``.
"""

from loaders.roster.cells import EMPTY_MARKS
from loaders.roster.ids import ID_KEY_META, name_id, person_id
from loaders.roster.load import load_roster

__all__ = ["EMPTY_MARKS", "ID_KEY_META", "load_roster", "name_id", "person_id"]
