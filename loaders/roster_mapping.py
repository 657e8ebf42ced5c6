"""The roster mappings' old import path, kept for the API and CLI modules that import
it (api/cli/load.py, api/cli/template.py, api/routes/rosters.py): the module is
:mod:`loaders.roster.mapping`. Import from there in new code; this goes once those
lines do.
"""

from loaders.roster.mapping import (
    GEOMETRY_ZH,
    IGNORED_HEADERS,
    CellError,
    Column,
    Mapping,
    convert_cell,
    get_mapping,
    mapping_kinds,
    normalise_header,
)

__all__ = ["Column", "Mapping", "CellError", "get_mapping", "mapping_kinds",
           "convert_cell", "normalise_header", "GEOMETRY_ZH", "IGNORED_HEADERS"]
