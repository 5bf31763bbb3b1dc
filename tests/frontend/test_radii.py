"""The radii the search forms offer, and the one selected, are the selector's; the API
accepts each of them."""

from __future__ import annotations

import json
import re

import pytest

from directory.search.parameters import DEFAULT_RADIUS_MI, OFFERED_RADII_MI

pytestmark = pytest.mark.django_db


def _page_data(html: str) -> dict:
    found = re.search(r'<script id="page-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, html[:500]
    return json.loads(found.group(1))


@pytest.mark.parametrize("path", ["/", "/search"])
def test_the_pages_offer_the_selectors_radii(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert tuple(_page_data(html)["radii"]) == OFFERED_RADII_MI
    options = re.findall(r'<option value="(\d+)"( selected)?>\d+ miles</option>', html)
    assert [int(value) for value, _ in options] == list(OFFERED_RADII_MI)
    assert [int(value) for value, selected in options if selected] == [DEFAULT_RADIUS_MI]


@pytest.mark.parametrize("radius", OFFERED_RADII_MI)
def test_every_offered_radius_is_a_valid_search(client, settings, radius):
    settings.SEARCH_CACHE_SECONDS = 0
    response = client.get(f"/api/studios/search?lat=51.5&lng=-0.12&radius={radius}")
    assert response.status_code == 200, response.content
