"""manage.py import_legacy PATH — load the old site's JSON backup (docs/accounts.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from legacy.importer import LegacyImporter, load_backup


class Command(BaseCommand):
    help = (
        "Import a legacy database_backup_*.json: every table in dependency order, old ids "
        "kept in legacy_id (a re-run updates), malformed rows reported and skipped."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="the backup file (JSON, one key per legacy table)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="import inside a transaction, report, then roll everything back",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, path: str, dry_run: bool, no_progress: bool, **options) -> None:
        try:
            backup = load_backup(path)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc

        importer = LegacyImporter(backup)
        with tqdm(
            total=importer.total_rows(),
            unit="row",
            desc="import",
            file=self.stderr,
            disable=no_progress,
        ) as bar:
            importer.on_row = lambda: bar.update(1)
            with transaction.atomic():
                report = importer.run()
                if dry_run:
                    transaction.set_rollback(True)

        self._print_counts(report)
        for table in report.ignored_tables:
            self.stderr.write(f"ignored: {table!r} is not a legacy table")
        for failure in report.failures:
            self.stderr.write(self.style.ERROR(f"failed: {failure}"))
        if dry_run:
            self.stdout.write("dry run: nothing was saved")
        if not report.ok:
            raise CommandError(
                f"{len(report.failures)} row(s) failed to import (listed above); "
                "the other rows were imported",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS("import finished"))

    def _print_counts(self, report) -> None:
        header = f"{'table':<24}{'created':>9}{'updated':>9}{'skipped':>9}{'failed':>8}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for table, counts in report.counts.items():
            self.stdout.write(
                f"{table:<24}{counts.created:>9}{counts.updated:>9}"
                f"{counts.skipped:>9}{counts.failed:>8}"
            )
