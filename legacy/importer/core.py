"""The importer's machinery, shared by the per-concern mixins."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from .report import (
    CREATED,
    TABLES,
    UPDATED,
    ImportReport,
    RowError,
    RowFailure,
)
from .values import (
    _validation_message,
)

logger = logging.getLogger(__name__)


class ImporterCore:
    """The machinery: table order, one savepoint per row, legacy id maps, upserts."""

    def __init__(self, backup: dict[str, Any], *, on_row: Callable[[], None] | None = None) -> None:
        self.backup = backup
        self.report = ImportReport()
        self.on_row = on_row or (lambda: None)
        self._ids: dict[type[models.Model], dict[str, int]] = {}

    # public ------------------------------------------------------------------------------

    def tables(self) -> list[tuple[str, list]]:
        """The backup's tables in import order (missing tables are empty)."""
        self.report.ignored_tables = sorted(set(self.backup) - set(TABLES))
        result = []
        for table in TABLES:
            rows = self.backup.get(table, [])
            if not isinstance(rows, list):
                self._fail(
                    table, None, f"the table must be a list of rows, not {type(rows).__name__}"
                )
                rows = []
            result.append((table, rows))
        return result

    def total_rows(self) -> int:
        return sum(len(rows) for _, rows in self.tables())

    def run(self) -> ImportReport:
        for table, rows in self.tables():
            handler = getattr(self, f"_import_{table}")
            for row in rows:
                self._import_row(table, handler, row)
                self.on_row()
        return self.report

    # machinery ---------------------------------------------------------------------------

    def _import_row(self, table: str, handler: Callable[[dict], str], row: Any) -> None:
        row_id = row.get("id") if isinstance(row, dict) else None
        row_id = None if row_id is None else str(row_id)
        try:
            if not isinstance(row, dict):
                raise RowError(f"a row must be an object, not {type(row).__name__}")
            if table != "sessions" and not row_id:
                raise RowError("id is required")
            with transaction.atomic():
                outcome = handler(row)
        except RowError as exc:
            self._fail(table, row_id, str(exc))
        except ValidationError as exc:
            self._fail(table, row_id, _validation_message(exc))
        except IntegrityError as exc:
            self._fail(table, row_id, str(exc).strip().splitlines()[0])
        except Exception as exc:  # any other bad data: reported, never stops the import
            logger.debug("legacy row failed", exc_info=True)
            self._fail(table, row_id, f"{type(exc).__name__}: {exc}")
        else:
            counts = self.report.counts[table]
            setattr(counts, outcome, getattr(counts, outcome) + 1)

    def _fail(self, table: str, row_id: str | None, reason: str) -> None:
        self.report.counts[table].failed += 1
        self.report.failures.append(RowFailure(table, row_id, reason))

    def _ids_of(self, model: type[models.Model]) -> dict[str, int]:
        if model not in self._ids:
            self._ids[model] = dict(
                model.objects.filter(legacy_id__isnull=False).values_list("legacy_id", "pk")
            )
        return self._ids[model]

    def _ref(
        self, model: type[models.Model], row: dict, key: str, *, required: bool = True
    ) -> int | None:
        legacy_id = row.get(key)
        if legacy_id is None:
            if required:
                raise RowError(f"{key} is required")
            return None
        pk = self._ids_of(model).get(str(legacy_id))
        if pk is None:
            table = model._meta.db_table
            raise RowError(f"{key} {legacy_id!r}: no such row in {table} (missing or failed)")
        return pk

    def _upsert(
        self,
        model: type[models.Model],
        legacy_id: str,
        values: dict[str, Any],
        *,
        created_at: datetime | None = None,
        updated_at: datetime | None = None,
        exclude_from_validation: Iterable[str] = (),
    ) -> tuple[models.Model, str]:
        """Create or update the row with this legacy id, validated like a form would."""
        instance = model.objects.filter(legacy_id=legacy_id).first()
        outcome = UPDATED
        if instance is None:
            instance = model(legacy_id=legacy_id)
            outcome = CREATED
        for name, value in values.items():
            setattr(instance, name, value)
        instance.full_clean(
            exclude=list(exclude_from_validation), validate_unique=False, validate_constraints=False
        )
        instance.save()
        # auto_now/auto_now_add ignore given values: put the legacy times back.
        times = {}
        field_names = {f.name for f in model._meta.fields}
        if created_at and "created_at" in field_names:
            times["created_at"] = created_at
        if "updated_at" in field_names and (updated_at or created_at):
            times["updated_at"] = updated_at or created_at
        if times:
            model.objects.filter(pk=instance.pk).update(**times)
        self._ids_of(model)[legacy_id] = instance.pk
        return instance, outcome

    # tables ------------------------------------------------------------------------------
