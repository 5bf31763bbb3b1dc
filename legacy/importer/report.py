"""What an import did: counts per table, failures, and the table order."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Dependency order: a table comes after every table it references.
TABLES: tuple[str, ...] = (
    "users",
    "user_profiles",
    "accounts",
    "sessions",
    "user_metadata",
    "studios",
    "studio_images",
    "studio_services",
    "studio_studio_types",
    "reviews",
    "review_responses",
    "messages",
    "notifications",
    "user_connections",
    "contacts",
    "saved_searches",
    "subscriptions",
    "pending_subscriptions",
    "refunds",
    "content_reports",
    "poi",
    "faq",
)

# NextAuth provider names → allauth provider ids.
CREATED, UPDATED, SKIPPED = "created", "updated", "skipped"


class RowError(Exception):
    """A row that cannot be imported; the message says why."""


@dataclass
class TableCounts:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.skipped + self.failed


@dataclass(frozen=True)
class RowFailure:
    table: str
    row_id: str | None
    reason: str

    def __str__(self) -> str:
        return f"{self.table} id={self.row_id!r}: {self.reason}"


@dataclass
class ImportReport:
    counts: dict[str, TableCounts] = field(
        default_factory=lambda: {t: TableCounts() for t in TABLES}
    )
    failures: list[RowFailure] = field(default_factory=list)
    ignored_tables: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def load_backup(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise ValueError("the backup must be a JSON object with one key per table")
    return data
