"""A deterministic world of studios for search tests, built the same way on any database.

Used in-process on PostgreSQL and, through `python -m tests.directory.search_data`, in a
subprocess in embedded mode (SQLite), so both databases answer the same queries over the
same rows (tests/directory/test_search_sqlite.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
import sys
from decimal import Decimal

# Real places, including both sides of the antimeridian (Fiji) and above the Arctic
# circle (northern Norway, Svalbard).
CITIES = {
    "London": (51.50853, -0.12574),
    "Leeds": (53.79648, -1.54785),
    "Paris": (48.85341, 2.3488),
    "New York City": (40.71427, -74.00597),
    "Suva": (-18.14161, 178.44149),
    "Labasa": (-16.41667, 179.38333),
    "Taveuni": (-16.85, -179.95),
    "Apia": (-13.83333, -171.76666),
    "Tromsø": (69.6489, 18.95508),
    "Hammerfest": (70.66336, 23.68209),
    "Alta": (69.96887, 23.27165),
    "Longyearbyen": (78.22334, 15.64689),
    "Sydney": (-33.86785, 151.20732),
}
TYPES = ["HOME", "RECORDING", "VO_COACH", "EDITING", "PODCAST", "VOICEOVER"]
SERVICES = [
    "ISDN",
    "SOURCE_CONNECT",
    "SOURCE_CONNECT_NOW",
    "CLEANFEED",
    "SESSION_LINK_PRO",
    "ZOOM",
    "SKYPE",
    "TEAMS",
]


def world_spec(per_city: int = 12, seed: int = 7) -> list[dict]:
    """Studios scattered up to ~700 miles around each city, some without coordinates."""
    rnd = random.Random(seed)
    studios = []
    for city, (lat, lng) in CITIES.items():
        for i in range(per_city):
            # distance in miles: a spread over every offered radius
            miles = rnd.choice(
                [0.5, 3, 8, 9.9, 12, 24, 26, 40, 49, 60, 90, 120, 240, 260, 480, 700]
            )
            miles *= rnd.uniform(0.9, 1.1)
            bearing = rnd.uniform(0, 2 * math.pi)
            plat, plng = destination(lat, lng, miles, bearing)
            no_coords = rnd.random() < 0.1
            word = rnd.choice(["Sound", "Voice", "Booth", "Audio"])
            studios.append(
                {
                    "name": f"{city} studio {i:02d} {word}",
                    "city": city,
                    "lat": None if no_coords else round(plat, 8),
                    "lng": None if no_coords else round(plng, 8),
                    "types": rnd.sample(TYPES, rnd.choice([0, 1, 1, 2, 3])),
                    "services": rnd.sample(SERVICES, rnd.choice([0, 1, 2, 2, 3])),
                    "premium": rnd.random() < 0.15,
                    "verified": rnd.random() < 0.3,
                    "images": rnd.choice([0, 0, 1, 2]),
                    "ratings": [rnd.randint(1, 5) for _ in range(rnd.choice([0, 0, 1, 3]))],
                    "days_old": rnd.randint(0, 900),
                    "status": "ACTIVE"
                    if rnd.random() < 0.93
                    else rnd.choice(["DRAFT", "INACTIVE"]),
                    "visible": rnd.random() < 0.95,
                }
            )
    return studios


def rotation_key(studio_id: int, seed: str) -> str:
    """A premium studio's place in the day's rotation: md5(id || seed), as the plans sort."""
    return hashlib.md5(f"{studio_id}{seed}".encode(), usedforsecurity=False).hexdigest()


def destination(lat: float, lng: float, miles: float, bearing: float) -> tuple[float, float]:
    """The point `miles` away along a great circle, on the sphere search measures on."""
    from directory.geo import EARTH_RADIUS_MI

    d = miles / EARTH_RADIUS_MI
    p1, l1 = math.radians(lat), math.radians(lng)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))
    l2 = l1 + math.atan2(
        math.sin(bearing) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    lng2 = (math.degrees(l2) + 540) % 360 - 180
    return math.degrees(p2), lng2


def build(spec: list[dict]) -> dict[str, int]:
    """Create the studios (bulk, as an importer would); returns name → id."""
    from django.utils import timezone

    from accounts.models import User, UserProfile
    from directory.models import Review, Studio, StudioImage, StudioService, StudioStudioType

    owner = User.objects.create_user(
        "world-owner", "owner@example.com", None, display_name="Owen Owner"
    )
    UserProfile.objects.create(user=owner, use_coordinates_for_map=True)
    reviewers = [
        User.objects.create_user(f"world-reviewer{i}", f"r{i}@example.com", None) for i in range(5)
    ]
    now = timezone.now()
    studios = Studio.objects.bulk_create(
        [
            Studio(
                owner=owner,
                name=s["name"],
                city=s["city"],
                latitude=None if s["lat"] is None else Decimal(str(s["lat"])),
                longitude=None if s["lng"] is None else Decimal(str(s["lng"])),
                is_premium=s["premium"],
                is_verified=s["verified"],
                status=s["status"],
                is_profile_visible=s["visible"],
            )
            for s in spec
        ]
    )
    ids = {s["name"]: studio.pk for s, studio in zip(spec, studios, strict=True)}
    for s in spec:
        Studio.objects.filter(pk=ids[s["name"]]).update(
            created_at=now - dt.timedelta(days=s["days_old"])
        )
    StudioStudioType.objects.bulk_create(
        [
            StudioStudioType(studio_id=ids[s["name"]], studio_type=t)
            for s in spec
            for t in s["types"]
        ]
    )
    StudioService.objects.bulk_create(
        [StudioService(studio_id=ids[s["name"]], service=v) for s in spec for v in s["services"]]
    )
    StudioImage.objects.bulk_create(
        [
            StudioImage(
                studio_id=ids[s["name"]], image_url=f"https://img.example.com/{n}.jpg", sort_order=n
            )
            for s in spec
            for n in range(s["images"])
        ]
    )
    Review.objects.bulk_create(
        [
            Review(
                studio_id=ids[s["name"]],
                reviewer=reviewers[n],
                owner=owner,
                rating=rating,
                content="A fine place to record.",
                status="APPROVED",
            )
            for s in spec
            for n, rating in enumerate(s["ratings"])
        ]
    )
    return ids


def run_queries(queries: list[str]) -> list[dict]:
    """GET /api/studios/search for each query string; results by studio name."""
    from django.test import Client

    client = Client()
    out = []
    for query in queries:
        response = client.get("/api/studios/search?" + query)
        body = response.json()
        if response.status_code == 200:
            body = {
                "count": body["count"],
                "names": [r["name"] for r in body["results"]],
                "distances": [r["distance"] for r in body["results"]],
            }
        out.append({"query": query, "status": response.status_code, "body": body})
    return out


def main() -> None:  # python -m tests.directory.search_data QUERIES_JSON (embedded mode)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    build(world_spec())
    queries = json.loads(sys.argv[1])
    json.dump(run_queries(queries), sys.stdout)


if __name__ == "__main__":
    main()
