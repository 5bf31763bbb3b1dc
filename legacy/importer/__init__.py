"""Import the old site's JSON backup (`database_backup_*.json`) into this schema.

The backup holds one key per legacy table, each a list of rows keyed by the legacy
column names (docs/data-model.md and ../shared/spec/legacy-schema-report.md). Tables are
loaded in dependency order; every row keeps its old id in `legacy_id`, so references
resolve and a second run updates rows instead of duplicating them.

Row by row, each in its own savepoint: a malformed row is reported with its table, id
and reason, and the rest still imports. The import spans every app's tables, which is why it
lives in the `legacy` app; nothing imports it but the `import_legacy` command.
"""

from .activity import ActivityImport
from .core import ImporterCore
from .people import PeopleImport
from .report import TABLES, ImportReport, RowError, RowFailure, TableCounts, load_backup
from .studios import StudioImport


class LegacyImporter(PeopleImport, StudioImport, ActivityImport, ImporterCore):
    """Imports a backup: `LegacyImporter(load_backup(path)).run()` → ImportReport.

    One `_import_<table>` method per legacy table, grouped by concern in the mixins;
    ImporterCore runs them in TABLES order, one savepoint per row.
    """


__all__ = [
    "TABLES",
    "ImportReport",
    "LegacyImporter",
    "RowError",
    "RowFailure",
    "TableCounts",
    "load_backup",
]
