"""The household roster in Excel: one row per resident, exported and imported.

Export: `export_roster`. Import: `parse_roster` checks a file without writing anything;
`import_roster` also checks the user's area, then writes everything through places.services
(so every change has its audit entry) in one transaction, or nothing at all. A whole
township's roster (~10,000 rows) takes a few seconds: the checks prefetch what they need in a
few queries, and new households and residents are written in bulk.

Modules: `rows` (columns, the row type, errors), `export`, `reader` (each row's cells),
`checks` (across rows and against the database), `importer` (scope and writing).
"""

from .checks import parse_roster
from .export import export_roster
from .importer import import_roster
from .rows import ROSTER_COLUMNS, ImportResult, RosterError, RosterRow, RowError

__all__ = [
    "ROSTER_COLUMNS",
    "ImportResult",
    "RosterError",
    "RosterRow",
    "RowError",
    "export_roster",
    "import_roster",
    "parse_roster",
]
