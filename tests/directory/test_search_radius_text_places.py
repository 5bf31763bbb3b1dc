"""The radius + text plan against the general plan at the edges of the map and of the
city key: across the antimeridian and far north (small circles off the cell index, wide
ones off the earth box), and city names with quotes and accents. Each test builds its own
studios (the clusters of test_search_radius_text.py are shared by that module's tests)."""

from __future__ import annotations

import pytest

from directory.search.parameters import SearchParams, resolve_centre
from directory.selectors.places import gazetteer
from tests.directory.radius_text_data import (
    asks,
    asks_the_cell_index,
    cluster_spec,
    compare_plans,
)
from tests.directory.search_data import CITIES, build, destination

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _offline(search_offline):
    """No page cache, no geocoder (tests/directory/conftest.py)."""


@pytest.fixture
def far_clusters(db) -> dict[str, int]:
    """Studios across the antimeridian (Taveuni, -179.95°) and at 78° north."""
    return build(cluster_spec(seed=21, per_cluster=70, clusters=("Taveuni", "Longyearbyen")))


@pytest.mark.parametrize("place", ["Taveuni", "Longyearbyen"])
def test_small_circles_off_the_cell_index_give_the_general_plans_pages(
    far_clusters, settings, place
):
    """Across the antimeridian and far north, small circles ask the cell index, wide ones
    the earth box; both give the general plan's pages, in every sort."""
    lat, lng = CITIES[place]
    used = set()
    for radius in (5, 20, 40, 60, 100):
        for q in ("booth", "owen", "kestrel", "voi"):
            for sort in ("relevance", "distance", "name"):
                params = SearchParams(q=q, lat=lat, lng=lng, radius=radius, sort=sort, page_size=7)
                used.add(asks_the_cell_index(params, settings))
                count = compare_plans(params, settings, [1, 2])
                compare_plans(params, settings, range(3, count // 7 + 3))
    assert used == {True, False}


@pytest.mark.parametrize("city", ["L'Aquila", "'s-Hertogenbosch", "Cap-Haïtien"])
def test_a_city_key_with_quotes_and_accents(db, settings, city):
    """The vector tags lexemes with the key's digest: quotes and accents in a city's name
    need no escaping in the query."""
    place = gazetteer().lookup(city)
    spec = [
        {**row, "city": city, "name": f"{row['name']} {i}"}
        for i, row in enumerate(cluster_spec(seed=5, per_cluster=40, clusters=("London",)))
    ]
    for row in spec:  # moved from London to the city, without coordinates one in three
        if row["lat"] is not None and spec.index(row) % 3:
            row["lat"], row["lng"] = destination(place.latitude, place.longitude, 3, 1.0)
        else:
            row["lat"] = row["lng"] = None
    build(spec)
    params = SearchParams(q="owen", lat=place.latitude, lng=place.longitude, radius=10)
    assert resolve_centre(params).fallback_city_key == city.casefold()
    assert asks(params, settings, "studio_search_city_vector")
    count = compare_plans(params, settings, [1, 2, 3])
    without = sum(1 for row in spec if row["lat"] is None and row["status"] == "ACTIVE")
    assert count > without > 0
