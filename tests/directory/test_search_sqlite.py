"""Embedded mode (SQLite: a latitude/longitude box + the exact chord in Python) answers
search exactly as PostgreSQL (earthdistance + GiST, both plans) does, over the same rows.

The SQLite side runs for real: a subprocess in embedded mode migrates a fresh SQLite file
(triggers and all), builds the same world and runs the same queries through the API.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection

from directory.search.parameters import OFFERED_RADII_MI
from tests.directory.search_data import CITIES, build, run_queries, world_spec
from tests.support.processes import run_embedded


def _queries() -> list[str]:
    queries = []
    for city in ("Suva", "Taveuni", "Tromsø", "Longyearbyen", "London", "New York City"):
        lat, lng = CITIES[city]
        for radius in OFFERED_RADII_MI:
            base = f"lat={lat}&lng={lng}&radius={radius}&page_size=100"
            queries.append(base)
            queries.append(base + "&studio_types=HOME,RECORDING,PODCAST&services=ISDN,ZOOM,TEAMS")
    queries += [
        "location=Suva&radius=500&sort=name&page_size=100",
        "location=Hammerfest&radius=100&sort=rating&page_size=100",
        "city=york&page_size=100",
        "sort=newest&page_size=50&page=2",
        "sort=rating&verified=true&page_size=100",
        "has_images=false&premium=false&page_size=100",
        "studio_types=VO_COACH&page_size=100",
        "lat=95&lng=0",
        "radius=10",
    ]
    return queries


@pytest.fixture(scope="module")
def on_sqlite(tmp_path_factory) -> list[dict]:
    """The queries' answers in embedded mode, once for both PostgreSQL plans (SQLite has
    one plan)."""
    var = tmp_path_factory.mktemp("embedded") / "var"
    embedded = run_embedded(
        "tests.directory.search_data",
        json.dumps(_queries()),
        var_dir=var,
        SEARCH_CACHE_SECONDS="0",
        LOG_LEVEL="ERROR",
    )
    assert embedded.returncode == 0, embedded.stderr[-3000:]
    assert (var / "studio-finder.sqlite3").exists()
    return json.loads(embedded.stdout)


@pytest.mark.django_db
@pytest.mark.parametrize("facet_plan", [True, False], ids=["facet-plan", "general-plan"])
def test_sqlite_gives_the_same_results_as_postgresql(on_sqlite, settings, facet_plan):
    settings.SEARCH_CACHE_SECONDS = 0
    settings.GEOCODER_ENABLED = False
    settings.SEARCH_FACET_PLAN = facet_plan
    queries = _queries()

    # Premium rotation orders by studio id: number the studios from 1, as a fresh SQLite does.
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('studios', 'id'), 1, false)")
    build(world_spec())
    on_postgres = run_queries(queries)

    assert len(on_sqlite) == len(on_postgres) == len(queries)
    for lite, pg in zip(on_sqlite, on_postgres, strict=True):
        assert lite["status"] == pg["status"], lite["query"]
        if pg["status"] != 200:
            assert lite["body"]["error"]["fields"].keys() == pg["body"]["error"]["fields"].keys()
            continue
        assert lite["body"]["count"] == pg["body"]["count"], lite["query"]
        assert lite["body"]["names"] == pg["body"]["names"], lite["query"]
        assert lite["body"]["distances"] == pytest.approx(pg["body"]["distances"], abs=0.011)
    assert sum(pg["body"].get("count", 0) for pg in on_postgres) > 500
