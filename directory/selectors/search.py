"""Studio search: filters, the legacy priority order, fair premium rotation, stable pages.

Reads only the derived search tables (studio_search, studio_search_facet), which database
triggers keep in step with the studios (migration 0004_search_index, docs/search.md).

A page costs two queries whatever its size — one for the page's ids and the total (a
window count over the same scan), one to load those studios with their owners — plus a
count query when the page lies past the end, and the data-version read of the cache. A
text query whose words match nothing adds its typo retry: one query to the vocabulary,
then the page (and its count) again with the corrected words.

Two plans answer the same question:

* the facet plan (PostgreSQL, a centre + types + services, no text or city): one GiST
  scan per (type, service) pair over studio_search_facet, which only holds studios
  that already match, so the work grows with the matches, not with the studios around;
* the general plan (everything else, and all of embedded mode): one ORM query over
  studio_search — on PostgreSQL a GiST scan of the 3-D earth box, on SQLite a latitude /
  longitude box — then the exact chord.
Tests run both on the same data and compare (tests/directory/test_search_api.py, the
`facet_plan` parametrised tests).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from dataclasses import fields as dataclass_fields
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import MD5, Cast, Collate, Concat
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from common.pagination import DEFAULT_PAGE_SIZE

from .. import search_bits
from ..geo import LatLngBox, cap_boxes, chord_for_miles, miles_for_chord
from ..models import StudioSearch
from ..search_sqlite import fold_case
from .places import nearest_city_name, resolve_place

SORTS = ("relevance", "distance", "name", "newest", "rating")
OFFERED_RADII_MI = (10, 25, 50, 100, 250, 500)
MIN_RADIUS_MI, MAX_RADIUS_MI = 1, 500
DEFAULT_RADIUS_MI = 50
# A centre given as bare coordinates borrows the name of the nearest gazetteer city within
# this distance for the "studios without coordinates" fallback.
FALLBACK_CITY_MAX_MI = 25


class LocationNotFound(Exception):
    """The `location` names no place the gazetteer or the geocoder knows."""


# --- Parameters ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchParams:
    """Validated search parameters (directory.serializers.search.SearchParamsSerializer).

    The same object describes a saved search's filters (without page and page_size).
    """

    q: str = ""
    studio_types: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    city: str = ""
    lat: float | None = None
    lng: float | None = None
    radius: float | None = None
    location: str = ""
    verified: bool | None = None
    premium: bool | None = None
    has_images: bool | None = None
    sort: str | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    @property
    def has_centre(self) -> bool:
        return bool(self.location) or self.lat is not None

    @property
    def effective_sort(self) -> str:
        if self.sort:
            return self.sort
        if self.q:
            return "relevance"
        if self.has_centre:
            return "distance"
        return "name"

    @classmethod
    def from_filters(cls, filters: dict[str, Any]) -> SearchParams:
        """A saved search's stored filters (directory.search_filters.validate_search_filters
        output: JSON lists for the multi-valued ones) as parameters for page one."""
        names = {f.name for f in dataclass_fields(cls)} - {"page", "page_size"}
        return cls(
            **{
                key: tuple(value) if isinstance(value, list) else value
                for key, value in filters.items()
                if key in names
            }
        )

    def filters(self) -> dict[str, Any]:
        """The normalised filters, without paging: cache keys and saved searches use this."""
        data = asdict(self)
        data.pop("page")
        data.pop("page_size")
        data["sort"] = self.effective_sort
        data["q"] = " ".join(self.q.split())
        data["city"] = fold_case(" ".join(self.city.split()))
        data["location"] = " ".join(self.location.split()).casefold()
        data["studio_types"] = sorted(self.studio_types)
        data["services"] = sorted(self.services)
        if self.has_centre and self.radius is None:
            data["radius"] = float(DEFAULT_RADIUS_MI)
        return {key: value for key, value in data.items() if value not in ("", [], None)}


@dataclass(frozen=True)
class Centre:
    lat: float
    lng: float
    radius_mi: float
    # Lower-cased city that studios without coordinates must have to be included.
    fallback_city_key: str | None

    @property
    def chord(self) -> float:
        return chord_for_miles(self.radius_mi)


def resolve_centre(params: SearchParams) -> Centre | None:
    """The centre of a radius search, or None. Raises LocationNotFound for unknown places."""
    radius = float(params.radius if params.radius is not None else DEFAULT_RADIUS_MI)
    if params.location:
        place = resolve_place(params.location)
        if place is None:
            raise LocationNotFound(params.location)
        return Centre(place.latitude, place.longitude, radius, fold_case(place.name))
    if params.lat is None or params.lng is None:
        return None
    city = nearest_city_name(params.lat, params.lng, min(radius, FALLBACK_CITY_MAX_MI))
    return Centre(params.lat, params.lng, radius, fold_case(city) if city else None)


# --- Results -------------------------------------------------------------------------------


@dataclass
class SearchPage:
    count: int
    page: int
    page_size: int
    results: list[StudioCard] = field(default_factory=list)


def rotation_seed(day: dt.date | None = None) -> str:
    """Premium studios' order for a day: md5(id || seed) sorts them, a new seed each day."""
    day = day or timezone.now().date()
    return f"{settings.SEARCH_ROTATION_SALT}:{day.isoformat()}"


def search_studios(params: SearchParams, *, day: dt.date | None = None) -> SearchPage:
    centre = resolve_centre(params)
    seed = rotation_seed(day)
    offset = (params.page - 1) * params.page_size
    if _facet_plan_applies(params, centre):
        rows = _facet_plan_rows(params, centre, seed, offset)
        if rows:
            total = rows[0][2]
        elif offset == 0:
            total = 0
        else:  # past the end: the window count had no row to ride on
            total = _facet_plan_count(params, centre)
    else:
        rows, total = _general_plan_page(params, centre, seed, offset)
    return SearchPage(
        count=total,
        page=params.page,
        page_size=params.page_size,
        results=studio_cards([(sid, chord) for sid, chord, _ in rows]),
    )


def search_cache_key(params: SearchParams, *, day: dt.date | None = None) -> str:
    """Normalised parameters + page + rotation day + the search data version."""
    payload = json.dumps(
        {"f": params.filters(), "p": params.page, "n": params.page_size, "s": rotation_seed(day)},
        sort_keys=True,
        separators=(",", ":"),
    )
    digest = hashlib.sha256(payload.encode()).hexdigest()[:32]
    return f"search:page:v{search_data_version()}:{digest}"


def search_data_version() -> int:
    """Bumped by database triggers at the commit of any change search shows (migration 0004)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT last_value FROM search_data_version")
        else:
            cursor.execute("SELECT version FROM search_data_state WHERE id = 1")
        return int(cursor.fetchone()[0])


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
# request (profiles and descriptions are wide), and the same text on PostgreSQL and SQLite.
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


def studio_cards(rows: list[tuple[int, float | None]]) -> list[StudioCard]:
    """Result cards for studio ids (with their chord from the centre), in the given order."""
    if not rows:
        return []
    ids = [sid for sid, _ in rows]
    with connection.cursor() as cursor:
        cursor.execute(_CARDS_SQL.format(ids=", ".join(["%s"] * len(ids))), ids)
        fetched = cursor.fetchall()
    by_id = {}
    for (
        sid, name, city, abbreviated, lat, lng, premium, verified, username, display_name,
        avatar, short_about, show_address, use_coordinates, type_mask, service_mask,
        review_count, rating_avg, image_url, image_alt,
    ) in fetched:  # fmt: skip
        by_id[sid] = StudioCard(
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
        )
    cards = []
    for sid, chord in rows:
        card = by_id.get(sid)
        if card is None:  # deleted between the two queries
            continue
        distance = None if chord is None else round(miles_for_chord(chord), 2)
        cards.append(replace(card, distance_mi=distance))
    return cards


# --- The facet plan (PostgreSQL) ----------------------------------------------------------


def _facet_plan_applies(params: SearchParams, centre: Centre | None) -> bool:
    return (
        connection.vendor == "postgresql"
        and settings.SEARCH_FACET_PLAN
        and centre is not None
        and bool(params.studio_types)
        and bool(params.services)
        and not params.q
        and not params.city
    )


_SORT_SQL = {
    "distance": "h.chord ASC NULLS LAST",
    "name": 'ss.name_key COLLATE "C" ASC',
    "newest": "ss.studio_created_at DESC",
    "rating": "ss.rating_avg DESC NULLS LAST, ss.review_count DESC",
}


# The SQL below is assembled from constants only; every value is a query parameter.
def _facet_plan_sql(
    params: SearchParams, centre: Centre, seed: str
) -> tuple[str, list[Any], str, list[Any]]:
    """(the hits subquery, its params, the ORDER BY, its params)."""
    flags, flag_params = [], []
    for column in ("verified", "premium", "has_images"):
        value = getattr(params, column)
        if value is not None:
            flags.append(f"AND {'is_' + column if column != 'has_images' else column} = %s")
            flag_params.append(value)
    flag_sql = " ".join(flags)
    branches, branch_params = [], []
    for facet in search_bits.facets(params.studio_types, params.services):
        branches.append(
            "SELECT f.studio_id, f.is_premium, f.is_verified, f.has_images,"  # noqa: S608
            " cube_distance(ll_to_earth(%s, %s), ll_to_earth(f.latitude, f.longitude)) AS chord"
            " FROM studio_search_facet f"
            " WHERE f.facet = %s::smallint"
            " AND cube_enlarge(ll_to_earth(%s, %s), %s, 3) @> ll_to_earth(f.latitude, f.longitude)"
            f" {flag_sql.replace('AND ', 'AND f.')}"
        )
        branch_params += [centre.lat, centre.lng, facet, centre.lat, centre.lng, centre.chord]
        branch_params += flag_params
    hits = " UNION ALL ".join(branches)
    distinct = "DISTINCT " if len(branches) > 1 else ""
    inner = (
        f"SELECT {distinct}studio_id, is_premium, is_verified, has_images, chord"  # noqa: S608
        f" FROM ({hits}) x WHERE chord <= %s"
    )
    inner_params = [*branch_params, centre.chord]
    if centre.fallback_city_key:
        inner += (
            " UNION ALL SELECT ss.studio_id, ss.is_premium, ss.is_verified, ss.has_images,"  # noqa: S608
            " NULL::float8 FROM studio_search ss"
            " WHERE ss.latitude IS NULL AND ss.city_key = %s"
            " AND (ss.type_mask & %s) <> 0 AND (ss.service_mask & %s) <> 0"
            f" {flag_sql.replace('AND ', 'AND ss.')}"
        )
        inner_params += [
            centre.fallback_city_key,
            search_bits.type_mask(params.studio_types),
            search_bits.service_mask(params.services),
            *flag_params,
        ]
    order = (
        "h.is_premium DESC,"
        ' CASE WHEN h.is_premium THEN md5(h.studio_id::text || %s) END COLLATE "C" ASC,'
        " h.is_verified DESC, h.has_images DESC,"
        f" {_SORT_SQL[params.effective_sort]}, h.studio_id ASC"
    )
    return inner, inner_params, order, [seed]


def _facet_plan_rows(params, centre, seed, offset) -> list[tuple[int, float | None, int]]:
    inner, inner_params, order, order_params = _facet_plan_sql(params, centre, seed)
    join = "" if params.effective_sort == "distance" else " JOIN studio_search ss USING (studio_id)"
    sql = (
        f"SELECT h.studio_id, h.chord, COUNT(*) OVER () FROM ({inner}) h{join}"  # noqa: S608
        f" ORDER BY {order} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*inner_params, *order_params, params.page_size, offset])
        return list(cursor.fetchall())


def _facet_plan_count(params, centre) -> int:
    inner, inner_params, _, _ = _facet_plan_sql(params, centre, "")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({inner}) h", inner_params)  # noqa: S608
        return int(cursor.fetchone()[0])


# --- The general plan (ORM; PostgreSQL and SQLite) ----------------------------------------


class _EarthPoint(Func):
    function = "ll_to_earth"
    output_field = FloatField()  # a cube; never loaded into Python


class _CubeDistance(Func):
    function = "cube_distance"
    output_field = FloatField()


class _EarthPointIn(Func):
    """`<cube> @> ll_to_earth(latitude, longitude)`: the test the GiST index answers."""

    output_field = BooleanField()

    def __init__(self, cube_sql: str, cube_params: list[float]) -> None:
        super().__init__(F("latitude"), F("longitude"))
        self.cube_sql, self.cube_params = cube_sql, cube_params

    def as_sql(self, compiler, connection, **extra):
        (lat_sql, lat_params), (lng_sql, lng_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        return (
            f"{self.cube_sql} @> ll_to_earth({lat_sql}, {lng_sql})",
            [*self.cube_params, *lat_params, *lng_params],
        )


def _in_earth_box(centre: Centre) -> _EarthPointIn:
    return _EarthPointIn(
        "cube_enlarge(ll_to_earth(%s, %s), %s, 3)", [centre.lat, centre.lng, centre.chord]
    )


def _in_cube(box: LatLngBox) -> _EarthPointIn:
    (x1, y1, z1), (x2, y2, z2) = box.bounding_cube()
    return _EarthPointIn(
        "cube(ARRAY[%s, %s, %s]::float8[], ARRAY[%s, %s, %s]::float8[])", [x1, y1, z1, x2, y2, z2]
    )


class _SqliteChord(Func):
    function = "sf_chord"
    output_field = FloatField()


def _chord_expression(centre: Centre):
    if connection.vendor == "postgresql":
        return _CubeDistance(
            _EarthPoint(Value(centre.lat), Value(centre.lng)),
            _EarthPoint(F("latitude"), F("longitude")),
        )
    return _SqliteChord(F("latitude"), F("longitude"), Value(centre.lat), Value(centre.lng))


def _radius_q(centre: Centre) -> Q:
    within = Q(latitude__isnull=False, chord__lte=centre.chord)
    if connection.vendor == "postgresql":
        within &= Q(_in_earth_box(centre))
    else:
        boxes = Q()
        for box in cap_boxes(centre.lat, centre.lng, centre.radius_mi):
            boxes |= _box_q(box)
        within &= boxes
    if centre.fallback_city_key:
        within |= Q(latitude__isnull=True, city_key=centre.fallback_city_key)
    return within


def _box_q(box: LatLngBox) -> Q:
    by_lng = Q()
    for west, east in box.longitude_ranges():
        by_lng |= Q(longitude__gte=west, longitude__lte=east)
    return Q(latitude__gte=box.south, latitude__lte=box.north) & by_lng


_TOKEN = re.compile(r"\w+", re.UNICODE)
# The typo fallback replaces a word that is in no studio's text by up to this many of the
# most similar words that are (trigram similarity, at least pg_trgm's threshold, 0.3).
TYPO_CANDIDATES = 3


def _text_terms(q: str) -> list[str]:
    return [t for t in _TOKEN.findall(fold_case(q) or "") if t][:12]


@dataclass(frozen=True)
class TextQuery:
    """A text query as PostgreSQL asks it: a tsquery expression, and the relevance phrase."""

    tsquery_sql: str
    tsquery_params: list[Any]
    phrase: str


def text_query(q: str) -> TextQuery | None:
    """Every word, the last one also as a prefix — asked as the vocabulary words it begins
    (migration 0005) — or the English-stemmed words. None when `q` has no word."""
    terms = _text_terms(q)
    if not terms:
        return None
    phrase = fold_case(" ".join(q.split())) or ""
    english = "websearch_to_tsquery('english', %s)"
    if len(terms) == 1:
        return TextQuery(f"studio_search_prefix(%s) || {english}", [terms[0], q], phrase)
    head = " & ".join(f"'{t}'" for t in terms[:-1])  # \w+ words: nothing to escape
    return TextQuery(
        f"(to_tsquery('simple', %s) && studio_search_prefix(%s)) || {english}",
        [head, terms[-1], q],
        phrase,
    )


def _quote_lexeme(word: str) -> str:
    """A lexeme as a tsquery operand (read back as is: no parser, no dictionary)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _like_prefix(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def typo_text_query(q: str) -> TextQuery | None:
    """`q` with each word that is in no studio's text replaced by the most similar words that
    are (`nightingle` → nightingale): one query to the vocabulary. None when no word needs
    correcting (the words are real; together they match nothing) or one has no similar word.
    """
    terms = _text_terms(q)
    if not terms:
        return None
    with connection.cursor() as cursor:
        # Known: the word is a lexeme (the last one: begins one). Similar: nearest first by
        # trigram distance, from the GiST index (KNN), asked only for unknown words.
        cursor.execute(
            "SELECT x.t, x.known, CASE WHEN x.known THEN NULL ELSE ARRAY("
            "  SELECT w.word FROM studio_search_word w WHERE w.word %% x.t"
            "   ORDER BY w.word <-> x.t, w.word LIMIT %s) END"
            " FROM (SELECT t, i, EXISTS (SELECT 1 FROM studio_search_word w WHERE w.word = t)"
            "  OR (i = %s AND EXISTS (SELECT 1 FROM studio_search_word w WHERE w.word LIKE %s))"
            "  AS known FROM unnest(%s::text[]) WITH ORDINALITY AS u(t, i)) x ORDER BY x.i",
            [TYPO_CANDIDATES, len(terms), _like_prefix(terms[-1]), terms],
        )
        found = cursor.fetchall()
    groups, phrase, corrected, last_kept = [], [], False, False
    for i, (term, known, similar) in enumerate(found):
        if known:
            phrase.append(term)
            if i == len(found) - 1:
                last_kept = True
            else:
                groups.append(_quote_lexeme(term))
        elif similar:
            corrected = True
            phrase.append(similar[0])
            groups.append("(" + " | ".join(_quote_lexeme(w) for w in similar) + ")")
        else:
            return None
    if not corrected:
        return None
    sql, sql_params = "%s::tsquery", [" & ".join(groups)]
    if last_kept:
        # `groups` is not empty: a word before the last was corrected.
        sql, sql_params = "%s::tsquery && studio_search_prefix(%s)", [*sql_params, terms[-1]]
    return TextQuery(sql, sql_params, " ".join(phrase))


class _Matches(Func):
    """`search_vector @@ (SELECT <tsquery>)`: the tsquery is computed once (an InitPlan)."""

    output_field = BooleanField()

    def __init__(self, text: TextQuery) -> None:
        super().__init__(F("search_vector"))
        self.text = text

    def as_sql(self, compiler, connection, **extra):
        vector_sql, vector_params = compiler.compile(self.source_expressions[0])
        return (
            f"{vector_sql} @@ (SELECT {self.text.tsquery_sql})",
            [*vector_params, *self.text.tsquery_params],
        )


def _text_filter(qs: QuerySet, q: str, text: TextQuery | None = None) -> QuerySet:
    """Studios matching the text `q`, annotated with a `relevance` for sorting.

    PostgreSQL: the weighted tsvector (GIN) against `text` (text_query(q) unless given:
    search_studios() passes typo_text_query(q) when the words match nothing).
    Embedded mode: every word somewhere in name, city, owner or description.

    Relevance is cheap on purpose — it is computed for every match, tens of thousands for a
    common word: 2 when the name starts with the query, 1 when the name contains it, else 0
    (then the studio id). ts_rank would read every match's tsvector out of TOAST.
    """
    phrase = fold_case(" ".join(q.split())) or ""
    if connection.vendor == "postgresql":
        text = text or text_query(q)
        if text is None:  # no word (`q=!`): nothing, still sortable by relevance
            qs = qs.none()
        else:
            qs = qs.filter(_Matches(text))
            phrase = text.phrase
    else:
        terms = _text_terms(q)
        if not terms:
            qs = qs.none()
        for term in terms:
            qs = qs.filter(search_text__contains=term)
    relevance = Case(
        When(name_key__startswith=phrase, then=Value(2)),
        When(name_key__contains=phrase, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return qs.annotate(relevance=relevance)


def _general_queryset(
    params: SearchParams, centre: Centre | None, *, text: TextQuery | None = None
) -> QuerySet:
    qs = StudioSearch.objects.all()
    if params.studio_types:
        mask = search_bits.type_mask(params.studio_types)
        qs = qs.filter(GreaterThan(F("type_mask").bitand(mask), 0))
    if params.services:
        mask = search_bits.service_mask(params.services)
        qs = qs.filter(GreaterThan(F("service_mask").bitand(mask), 0))
    if params.city:
        qs = qs.filter(city_key__contains=fold_case(" ".join(params.city.split())))
    for name, column in (("verified", "is_verified"), ("premium", "is_premium")):
        if getattr(params, name) is not None:
            qs = qs.filter(**{column: getattr(params, name)})
    if params.has_images is not None:
        qs = qs.filter(has_images=params.has_images)
    if params.q:
        qs = _text_filter(qs, params.q, text)
    if centre is not None:
        qs = qs.annotate(chord=_chord_expression(centre)).filter(_radius_q(centre))
    else:
        qs = qs.annotate(chord=Value(None, output_field=FloatField()))
    return qs


def _ordering(params: SearchParams, seed: str) -> list:
    rotation = MD5(Concat(Cast("studio_id", CharField()), Value(seed)))
    if connection.vendor == "postgresql":
        rotation = Collate(rotation, "C")
    name_key = Collate(F("name_key"), "C") if connection.vendor == "postgresql" else F("name_key")
    keys = {
        "relevance": [F("relevance").desc()],
        "distance": [F("chord").asc(nulls_last=True)],
        "name": [name_key.asc()],
        "newest": [F("studio_created_at").desc()],
        "rating": [F("rating_avg").desc(nulls_last=True), F("review_count").desc()],
    }[params.effective_sort]
    return [
        F("is_premium").desc(),
        Case(When(is_premium=True, then=rotation), default=Value(None)).asc(nulls_last=True),
        F("is_verified").desc(),
        F("has_images").desc(),
        *keys,
        F("studio_id").asc(),
    ]


def _general_plan_page(params, centre, seed, offset) -> tuple[list[tuple], int]:
    """(the page's rows, the total). The text's words first; when they match nothing at
    all (PostgreSQL), the words corrected for typos. At most five queries, past the end of
    a corrected query: the page, its count, the vocabulary, the corrected page and count."""
    text = text_query(params.q) if params.q and connection.vendor == "postgresql" else None
    rows, total = _general_plan_rows(params, centre, seed, offset, text)
    if rows or total or text is None:
        return rows, total
    typo = typo_text_query(params.q)
    if typo is None:
        return [], 0
    return _general_plan_rows(params, centre, seed, offset, typo)


def _general_plan_rows(params, centre, seed, offset, text) -> tuple[list[tuple], int]:
    qs = (
        _general_queryset(params, centre, text=text)
        .annotate(total=Window(Count("*")))
        .order_by(*_ordering(params, seed))
        .values_list("studio_id", "chord", "total")
    )
    rows = list(qs[offset : offset + params.page_size])
    if rows:
        return rows, rows[0][2]
    if offset == 0:
        return [], 0
    # Past the end: the window count had no row to ride on.
    return [], _general_queryset(params, centre, text=text).count()


# --- Matching without a page (saved-search alerts) ------------------------------------------


def matching_studio_ids(params: SearchParams) -> QuerySet:
    """The ids of every studio the search lists, on any page, as a subquery.

    The same filters as a search page — text (with its typo fallback), types, services,
    city, the radius with its city fallback, the flags — without ranking or paging.
    Saved-search alerts intersect it with the few studios published since their last
    email, so an alert announces exactly what the search would show. Raises
    LocationNotFound or PlaceLookupUnavailable as search_studios does.
    """
    centre = resolve_centre(params)
    matches = _general_queryset(params, centre)
    if params.q and connection.vendor == "postgresql" and not matches.exists():
        typo = typo_text_query(params.q)  # as _general_plan_page: only when nothing matches
        if typo is not None:
            matches = _general_queryset(params, centre, text=typo)
    return matches.values("studio_id")


# --- Map markers ---------------------------------------------------------------------------


@dataclass
class MapMarkers:
    results: list[dict[str, Any]]
    truncated: bool


def map_markers(box: LatLngBox, params: SearchParams, *, limit: int) -> MapMarkers:
    """Listed studios with coordinates inside the box, nearest its centre first, capped.

    On PostgreSQL the GiST index walks outwards from the centre (KNN on the 3-D point)
    inside the box's bounding cube, so a world-sized box stops after `limit` rows.
    """
    lat, lng = box.centre()
    qs = _general_queryset(params, None).filter(latitude__isnull=False).filter(_box_q(box))
    centre = Centre(lat, lng, MAX_RADIUS_MI, None)
    if connection.vendor == "postgresql":
        qs = qs.filter(_in_cube(box))
    qs = qs.annotate(chord=_chord_expression(centre))
    if connection.vendor == "postgresql":
        qs = qs.annotate(
            knn=Func(
                _EarthPoint(F("latitude"), F("longitude")),
                _EarthPoint(Value(lat), Value(lng)),
                template="%(expressions)s",
                arg_joiner=" <-> ",
                output_field=FloatField(),
            )
        ).order_by("knn", "studio_id")
    else:
        qs = qs.order_by("chord", "studio_id")
    rows = list(
        qs.values(
            "studio_id",
            "studio__name",
            "latitude",
            "longitude",
            "is_premium",
            "studio__owner__profile__show_address",
            "studio__owner__profile__use_coordinates_for_map",
        )[: limit + 1]
    )
    markers = []
    for row in rows[:limit]:
        exact = bool(
            row["studio__owner__profile__show_address"]
            or row["studio__owner__profile__use_coordinates_for_map"]
        )
        markers.append(
            {
                "id": row["studio_id"],
                "name": row["studio__name"],
                "lat": row["latitude"] if exact else round(row["latitude"], 2),
                "lng": row["longitude"] if exact else round(row["longitude"], 2),
                "exact": exact,
                "premium": row["is_premium"],
            }
        )
    return MapMarkers(results=markers, truncated=len(rows) > limit)


# --- Featured and spotlight ---------------------------------------------------------------


def featured_studios(*, limit: int = 6) -> list[StudioCard]:
    """Up to `limit` listed studios whose owner is featured: the pinned owner's first, the
    rest in a new random order on every call (legacy homepage)."""
    base = StudioSearch.objects.filter(studio__owner__profile__is_featured=True)
    pinned_username = settings.FEATURED_PINNED_USERNAME
    pinned = list(
        base.filter(studio__owner__username__iexact=pinned_username)
        .order_by("studio_created_at", "studio_id")
        .values_list("studio_id", flat=True)[:1]
        if pinned_username
        else []
    )
    others = list(
        base.exclude(studio__owner__username__iexact=pinned_username or "")
        .order_by("?")
        .values_list("studio_id", flat=True)[: limit - len(pinned)]
    )
    return studio_cards([(sid, None) for sid in pinned + others])


def spotlight_profiles() -> QuerySet:
    """Active users whose profile is in the spotlight, for the premium page."""
    from ..models import User

    return (
        User.objects.filter(profile__is_spotlight=True, is_active=True)
        .exclude(is_suspended_indefinitely=True)
        .exclude(suspended_until__gt=timezone.now())
        .select_related("profile")
        .annotate(
            listed_studios=Count(
                "studios",
                filter=Q(studios__search_row__isnull=False),
                output_field=IntegerField(),
            )
        )
        .order_by("display_name", "id")
    )


__all__ = [
    "OFFERED_RADII_MI",
    "SORTS",
    "Centre",
    "LocationNotFound",
    "MapMarkers",
    "SearchPage",
    "SearchParams",
    "featured_studios",
    "map_markers",
    "resolve_centre",
    "search_cache_key",
    "search_data_version",
    "search_studios",
    "spotlight_profiles",
    "studio_cards",
]
