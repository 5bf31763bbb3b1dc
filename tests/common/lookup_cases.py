"""Integer lookups with values past any column's range (common/lookups.py), run the same
way on any database: in-process on PostgreSQL and, through `python -m
tests.common.lookup_cases`, in a subprocess in embedded mode (SQLite), where such a value
used to raise OverflowError (tests/common/test_lookups.py)."""

from __future__ import annotations

import json
import operator
import sys

HUGE = 2**70  # past 64 bits: what SQLite cannot bind

# (model, field, lookup, the value from the rows' ids): `first` is the lowest studio id,
# `owner` the first studio's owner. Reviews' `moderated_by` is a nullable key: a NULL one
# matches no comparison (and every exclude()).
CASES = [
    ("studio", "id", "in", lambda first, owner: [first, HUGE]),
    ("studio", "id", "in", lambda first, owner: [HUGE, -HUGE]),
    ("studio", "id", "range", lambda first, owner: (first + 1, HUGE)),
    ("studio", "id", "range", lambda first, owner: (-HUGE, first)),
    ("studio", "id", "range", lambda first, owner: (HUGE, HUGE + 1)),
    ("studio", "id", "range", lambda first, owner: (-HUGE - 1, -HUGE)),
    ("studio", "owner_id", "exact", lambda first, owner: HUGE),
    ("studio", "owner", "exact", lambda first, owner: -HUGE),
    ("studio", "owner", "in", lambda first, owner: [owner, HUGE]),
    ("studio", "owner_id", "gt", lambda first, owner: -HUGE),
    ("studio", "owner_id", "gt", lambda first, owner: HUGE),
    ("studio", "owner_id", "gte", lambda first, owner: -HUGE),
    ("studio", "owner_id", "lt", lambda first, owner: HUGE),
    ("studio", "owner_id", "lt", lambda first, owner: -HUGE),
    ("studio", "owner_id", "lte", lambda first, owner: HUGE),
    ("review", "moderated_by_id", "gt", lambda first, owner: -HUGE),
    ("review", "moderated_by", "gte", lambda first, owner: -HUGE),
    ("review", "moderated_by_id", "lt", lambda first, owner: HUGE),
    ("review", "moderated_by", "lte", lambda first, owner: HUGE),
    ("review", "moderated_by", "in", lambda first, owner: [owner, HUGE]),
]

_COMPARE = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "in": lambda value, values: value in values,
    "range": lambda value, bounds: bounds[0] <= value <= bounds[1],
}


def build() -> None:
    """Three studios of two owners; two reviews of the first, one moderated by its owner."""
    from tests.factories import ReviewFactory, StudioFactory, UserFactory

    first, second = UserFactory(owner=True), UserFactory(owner=True)
    studios = StudioFactory.create_batch(2, owner=first)
    StudioFactory(owner=second)
    ReviewFactory(studio=studios[0], moderated_by=first)
    ReviewFactory(studio=studios[0], moderated_by=None)


def run_cases() -> list[dict]:
    """Each case's filter and exclude, with what the rows say they should give (or the
    error raised)."""
    from directory.models import Review, Studio

    models = {"studio": Studio, "review": Review}
    rows = {
        "studio": list(Studio.objects.order_by("id").values_list("id", "owner_id")),
        "review": list(Review.objects.order_by("id").values_list("id", "moderated_by_id")),
    }
    first, owner = rows["studio"][0]
    out = []
    for model, field, lookup, value_of in CASES:
        value = value_of(first, owner)
        column = 0 if field == "id" else 1
        matching = [
            row[0]
            for row in rows[model]
            if row[column] is not None and _COMPARE[lookup](row[column], value)
        ]
        case = {
            "case": f"{model}.{field}__{lookup}",
            "expected": [matching, [row[0] for row in rows[model] if row[0] not in matching]],
        }
        query = {f"{field}__{lookup}": value}
        manager = models[model].objects
        try:
            case["got"] = [
                sorted(manager.filter(**query).values_list("id", flat=True)),
                sorted(manager.exclude(**query).values_list("id", flat=True)),
            ]
        except Exception as error:  # reported to the test, which fails on it
            case["got"] = f"{type(error).__name__}: {error}"
        out.append(case)
    return out


def admin_filter_status() -> int:
    """The admin's review list filtered on ratings, one past 64 bits (its list filter
    allows any lookup on `rating`; `__in` splits at commas), as an admin."""
    from django.test import Client

    from tests.factories import UserFactory

    client = Client(raise_request_exception=False)  # a 500 is the answer, not a crash
    client.force_login(UserFactory(admin=True))
    return client.get(f"/admin/directory/review/?rating__in=1,{HUGE}").status_code


def main() -> None:  # python -m tests.common.lookup_cases (embedded mode)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    build()
    json.dump({"cases": run_cases(), "admin": admin_filter_status()}, sys.stdout)


if __name__ == "__main__":
    main()
