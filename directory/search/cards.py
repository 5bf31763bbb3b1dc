"""Result cards: what one search result (or featured studio) shows, read in one query."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from ..geo import miles_for_chord


@dataclass
class SearchPage:
    count: int
    page: int
    page_size: int
    results: list[StudioCard] = field(default_factory=list)
    count_is_estimate: bool = False  # a sample's extrapolation (docs/search.md, knn.py)


@dataclass(frozen=True)
class CardOwner:
    username: str
    display_name: str
    avatar_url: str | None


@dataclass(frozen=True)
class StudioCard:
    """What a result card shows (StudioCardSerializer), read in one flat query."""

    id: int
    name: str
    city: str
    abbreviated_address: str | None
    latitude: float | None
    longitude: float | None
    is_premium: bool
    is_verified: bool
    owner: CardOwner
    short_about: str | None
    coordinates_public: bool  # the owner's map settings allow exact coordinates
    type_mask: int
    service_mask: int
    review_count: int
    rating_avg: float | None
    first_image_url: str | None
    first_image_alt: str | None
    distance_mi: float | None = None


# One flat statement rather than select_related: no ORM compilation or model instances per
# request (profiles and descriptions are wide). SQLite runs this text; PostgreSQL runs the
# same statement inside studio_search_cards() (migration 0014), planned once per connection.
_CARDS_SQL = """
SELECT s.id, s.name, s.city, s.abbreviated_address, s.latitude, s.longitude,
       s.is_premium, s.is_verified, u.username, u.display_name, u.avatar_url,
       p.short_about, p.show_address, p.use_coordinates_for_map,
       ss.type_mask, ss.service_mask, ss.review_count, ss.rating_avg,
       (SELECT i.image_url FROM studio_images i WHERE i.studio_id = s.id
         ORDER BY i.sort_order, i.id LIMIT 1),
       (SELECT i.alt_text FROM studio_images i WHERE i.studio_id = s.id
         ORDER BY i.sort_order, i.id LIMIT 1)
  FROM studios s
  JOIN users u ON u.id = s.owner_id
  LEFT JOIN user_profiles p ON p.user_id = u.id
  LEFT JOIN studio_search ss ON ss.studio_id = s.id
 WHERE s.id IN ({ids})
"""
_CARDS_CALL = "SELECT * FROM studio_search_cards(%s::bigint[])"


def studio_cards(rows: list[tuple[int, float | None]]) -> list[StudioCard]:
    """Result cards for studio ids (with their chord from the centre), in the given order."""
    if not rows:
        return []
    ids = [sid for sid, _ in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_CARDS_CALL, [ids])
        else:
            cursor.execute(_CARDS_SQL.format(ids=", ".join(["%s"] * len(ids))), ids)
        fetched = cursor.fetchall()
    by_id = {row[0]: row for row in fetched}
    cards = []
    for sid, chord in rows:
        row = by_id.get(sid)
        if row is None:  # deleted between the two queries
            continue
        (
            _, name, city, abbreviated, lat, lng, premium, verified, username, display_name,
            avatar, short_about, show_address, use_coordinates, type_mask, service_mask,
            review_count, rating_avg, image_url, image_alt,
        ) = row  # fmt: skip
        cards.append(
            StudioCard(
                id=sid,
                name=name,
                city=city,
                abbreviated_address=abbreviated,
                latitude=None if lat is None else float(lat),
                longitude=None if lng is None else float(lng),
                is_premium=bool(premium),
                is_verified=bool(verified),
                owner=CardOwner(username, display_name, avatar),
                short_about=short_about,
                coordinates_public=bool(show_address or use_coordinates),
                type_mask=type_mask or 0,
                service_mask=service_mask or 0,
                review_count=review_count or 0,
                rating_avg=rating_avg,
                first_image_url=image_url,
                first_image_alt=image_alt,
                distance_mi=None if chord is None else round(miles_for_chord(chord), 2),
            )
        )
    return cards
