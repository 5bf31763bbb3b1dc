"""The radius + text plan's test data and oracle, shared by test_search_radius_text.py
and test_search_radius_text_places.py: clustered studios whose names mix common and rare
words, and the comparison of the plan's pages with the general plan's."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import replace

from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.search.parameters import SearchParams
from directory.search.plans import search_studios
from tests.directory.search_data import CITIES, SERVICES, TYPES, destination

CLUSTERS = ("London", "Leeds", "New York City")
# Name words: `booth` in most names (common), `kestrel` and `nightingale` in few (rare);
# every studio's text has its owner's name, `owen`.
COMMON, RARE = ("booth", "sound", "voice"), ("kestrel", "nightingale", "marlin")


def cluster_spec(seed: int = 14, per_cluster: int = 90, clusters=CLUSTERS) -> list[dict]:
    """Studios clustered within ~60 miles of each city (some sharing a point, some without
    coordinates), names built so that a phrase starts a name, is inside one, or neither."""
    rnd = random.Random(seed)
    studios = []
    for city in clusters:
        lat, lng = CITIES[city]
        shared = destination(lat, lng, 5, 1.0)  # several studios on one point: distance ties
        for i in range(per_cluster):
            if rnd.random() < 0.08:
                plat, plng = shared
            else:
                plat, plng = destination(
                    lat, lng, 60 * math.sqrt(rnd.random()), rnd.uniform(0, 2 * math.pi)
                )
            words = [w for w in COMMON if rnd.random() < 0.7] + [
                w for w in RARE if rnd.random() < 0.06
            ]
            rnd.shuffle(words)
            no_coords = rnd.random() < 0.1
            studios.append(
                {
                    "name": f"{' '.join(words[:2]).title()} {city} {i:03d} {' '.join(words[2:])}",
                    "city": city,
                    "lat": None if no_coords else round(plat, 8),
                    "lng": None if no_coords else round(plng, 8),
                    "types": rnd.sample(TYPES, rnd.choice([0, 1, 2])),
                    "services": rnd.sample(SERVICES, rnd.choice([0, 1, 2])),
                    "premium": rnd.random() < 0.2,
                    "verified": rnd.random() < 0.35,
                    "images": rnd.choice([0, 0, 1]),
                    "ratings": [rnd.randint(1, 5) for _ in range(rnd.choice([0, 1, 2]))],
                    "days_old": rnd.randint(0, 400),
                    "status": "ACTIVE" if rnd.random() < 0.95 else "DRAFT",
                    "visible": True,
                }
            )
    return studios


def plan_page(params: SearchParams, plan: bool, settings, day: dt.date | None = None):
    settings.SEARCH_RADIUS_TEXT_PLAN = plan
    page = search_studios(params, day=day)
    return (
        [(card.id, card.distance_mi) for card in page.results],
        page.count,
        page.count_is_estimate,
    )


def compare_plans(params: SearchParams, settings, pages, day: dt.date | None = None) -> int:
    """Pages `pages` of both plans: the same rows; the same count when the plan's is exact
    (an estimate: past the limit). Returns the general plan's count."""
    count = 0
    for page in pages:
        query = replace(params, page=page)
        got, got_count, estimate = plan_page(query, True, settings, day)
        expected, count, expected_estimate = plan_page(query, False, settings, day)
        assert got == expected, (query, page)
        assert expected_estimate is False
        if estimate:
            assert got_count > settings.SEARCH_EXACT_COUNT_LIMIT, query
        else:
            assert got_count == count, query
    settings.SEARCH_RADIUS_TEXT_PLAN = True
    return count


def asks(params: SearchParams, settings, index_function: str) -> bool:
    settings.SEARCH_RADIUS_TEXT_PLAN = True
    with CaptureQueriesContext(connection) as queries:
        search_studios(params)
    return any(index_function in q["sql"] for q in queries.captured_queries)


def asks_the_cell_index(params: SearchParams, settings) -> bool:
    return asks(params, settings, "studio_search_cell_vector")
