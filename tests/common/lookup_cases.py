"""Integer lookups with values past any column's range (common/lookups.py), run the same
way on any database: in-process on PostgreSQL and, through `python -m
tests.common.lookup_cases`, in a subprocess in embedded mode (SQLite), where such a value
used to raise OverflowError (tests/common/test_lookups.py)."""

from __future__ import annotations

import json
import operator
import sys

HUGE = 2**70  # past 64 bits: what SQLite cannot bind

# (field, lookup, the value from the rows' ids): `first` is the lowest studio id, `owner`
# the first studio's owner.
CASES = [
    ("id", "in", lambda first, owner: [first, HUGE]),
    ("id", "in", lambda first, owner: [HUGE, -HUGE]),
    ("id", "range", lambda first, owner: (first + 1, HUGE)),
    ("id", "range", lambda first, owner: (-HUGE, first)),
    ("id", "range", lambda first, owner: (HUGE, HUGE + 1)),
    ("id", "range", lambda first, owner: (-HUGE - 1, -HUGE)),
    ("owner_id", "exact", lambda first, owner: HUGE),
    ("owner", "exact", lambda first, owner: -HUGE),
    ("owner", "in", lambda first, owner: [owner, HUGE]),
    ("owner_id", "gt", lambda first, owner: -HUGE),
    ("owner_id", "gt", lambda first, owner: HUGE),
    ("owner_id", "gte", lambda first, owner: -HUGE),
    ("owner_id", "lt", lambda first, owner: HUGE),
    ("owner_id", "lt", lambda first, owner: -HUGE),
    ("owner_id", "lte", lambda first, owner: HUGE),
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
    """Three studios of two owners."""
    from tests.factories import StudioFactory, UserFactory

    first, second = UserFactory(owner=True), UserFactory(owner=True)
    StudioFactory.create_batch(2, owner=first)
    StudioFactory(owner=second)


def run_cases() -> list[dict]:
    """Each case's filter and exclude, with what the rows say they should give (or the
    error raised)."""
    from directory.models import Studio

    rows = list(Studio.objects.order_by("id").values_list("id", "owner_id"))
    first, owner = rows[0]
    out = []
    for field, lookup, value_of in CASES:
        value = value_of(first, owner)
        column = 0 if field == "id" else 1
        matching = [row[0] for row in rows if _COMPARE[lookup](row[column], value)]
        case = {
            "case": f"{field}__{lookup}",
            "expected": [matching, [row[0] for row in rows if row[0] not in matching]],
        }
        query = {f"{field}__{lookup}": value}
        try:
            case["got"] = [
                sorted(Studio.objects.filter(**query).values_list("id", flat=True)),
                sorted(Studio.objects.exclude(**query).values_list("id", flat=True)),
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
