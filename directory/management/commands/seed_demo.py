"""`manage.py seed_demo [--seed N] [--scale STUDIOS] [--if-empty]`: load the demo data set."""

from __future__ import annotations

import time
from argparse import ArgumentTypeError

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from directory.demo_data import (
    DEFAULT_SCALE,
    DEFAULT_SEED,
    MIN_SCALE,
    DatabaseNotEmpty,
    seed_demo,
)

# Small runs finish before a progress bar would tell anything.
PROGRESS_FROM = 10_000


def _scale(value: str) -> int:
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a number of studios") from None
    if number < MIN_SCALE:
        raise ArgumentTypeError(f"must be at least {MIN_SCALE} studios, not {number}")
    return number


class Command(BaseCommand):
    help = (
        "Load deterministic demo data into an empty database: users, studios at real city "
        "coordinates, reviews, messages, connections, notifications, FAQ."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="the same seed gives the same rows"
        )
        parser.add_argument(
            "--scale",
            type=_scale,
            default=DEFAULT_SCALE,
            metavar="STUDIOS",
            help=f"how many studios (at least {MIN_SCALE}; default {DEFAULT_SCALE}); "
            "users, reviews and the rest follow in proportion",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already has users (what `make run` uses)",
        )

    def handle(self, *, seed: int, scale: int, if_empty: bool, verbosity: int, **options):
        if if_empty and User.objects.exists():
            if verbosity:
                self.stdout.write("The database already has users: demo data not loaded.")
            return
        started = time.monotonic()
        try:
            result = seed_demo(
                seed=seed,
                scale=scale,
                progress=verbosity >= 2 or (verbosity >= 1 and scale >= PROGRESS_FROM),
            )
        except DatabaseNotEmpty as exc:
            raise CommandError(
                f"seed_demo loads into an empty database, but {exc}. Run `manage.py flush` "
                "first, or pass --if-empty to skip."
            ) from exc
        elapsed = time.monotonic() - started
        if not verbosity:
            return
        rows = sum(result.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded (seed {seed}, {result.counts['studios']:,} studios, "
                f"{rows:,} rows) in {elapsed:.1f} s."
            )
        )
        if verbosity >= 2:
            for table, count in result.counts.items():
                self.stdout.write(f"  {table:<24} {count:>12,}")
        if not settings.SERVICES_MODE:
            self.stdout.write(
                f"Demo login: {result.demo.username} / {result.demo.password} "
                f"(admin: {result.admin.username} / {result.admin.password})"
            )
