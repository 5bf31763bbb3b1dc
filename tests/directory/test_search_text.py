"""Text search on PostgreSQL: the vocabulary, prefixes asked as words, the typo fallback,
the name-ordered rebuild, and text pages in the legacy order against a plain-Python oracle.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import connection

from accounts.models import User
from directory.models import Studio, StudioSearch, StudioSearchWord
from directory.search.parameters import rotation_seed
from directory.search.text import text_query
from directory.services.search_index import search_index_rebuild
from tests.directory.search_data import rotation_key

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _offline(search_offline):
    """No page cache, no geocoder (tests/directory/conftest.py)."""


def _lexemes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT unnest(tsvector_to_array(search_vector)) FROM studio_search"
        )
        return {word for (word,) in cursor.fetchall()}


def _vocabulary() -> set[str]:
    return set(StudioSearchWord.objects.values_list("word", flat=True))


def _matching_ids(sql: str, params: list) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT studio_id FROM studio_search WHERE search_vector @@ ({sql})",  # noqa: S608
            params,
        )
        return {sid for (sid,) in cursor.fetchall()}


def _fetch_all(client, query: dict, page_size: int = 25) -> tuple[list[str], int]:
    names, count, page = [], None, 1
    while True:
        body = client.get(
            "/api/studios/search?" + urlencode({**query, "page": page, "page_size": page_size})
        ).json()
        assert count in (None, body["count"])
        count = body["count"]
        if not body["results"]:
            return names, count
        names += [r["name"] for r in body["results"]]
        page += 1


def _text_oracle(spec, ids, words: list[str], phrase: str) -> list[str]:
    """Listed studios whose text (name, city, owner "Owen Owner") has every word, the last
    as a prefix; in the legacy order: premium (rotation), verified, images, relevance, id."""
    seed = rotation_seed()
    rows = []
    for s in spec:
        if s["status"] != "ACTIVE" or not s["visible"]:
            continue
        lexemes = set(f"{s['name']} {s['city']} owen owner".lower().split())
        if not all(w in lexemes for w in words[:-1]):
            continue
        if not any(lexeme.startswith(words[-1]) for lexeme in lexemes):
            continue
        name = s["name"].lower()
        relevance = 2 if name.startswith(phrase) else 1 if phrase in name else 0
        sid = ids[s["name"]]
        rotation = rotation_key(sid, seed) if s["premium"] else ""
        key = (not s["premium"], rotation, not s["verified"], s["images"] == 0, -relevance, sid)
        rows.append((key, s["name"]))
    return [name for _, name in sorted(rows)]


# --- The vocabulary -----------------------------------------------------------------------


def test_the_vocabulary_holds_every_lexeme_the_triggers_write(world):
    _spec, ids = world
    assert _lexemes()
    assert _lexemes() <= _vocabulary()
    studio = Studio.objects.get(pk=next(iter(ids.values())))
    studio.name = "Zanzibar Whisper Room"
    studio.save()
    assert {"zanzibar", "whisper", "room"} <= _vocabulary()
    User.objects.filter(username="world-owner").update(display_name="Quentin Quill")
    assert {"quentin", "quill"} <= _vocabulary()
    assert _lexemes() <= _vocabulary()


def test_a_rebuild_leaves_exactly_the_live_lexemes(world):
    _spec, ids = world
    Studio.objects.filter(pk=next(iter(ids.values()))).update(name="Xylophonic Booth")
    Studio.objects.filter(pk=next(iter(ids.values()))).update(name="London studio 99 Sound")
    assert "xylophonic" in _vocabulary()  # words are never removed by the triggers ...
    search_index_rebuild()
    assert _vocabulary() == _lexemes()  # ... the rebuild starts afresh
    assert "xylophonic" not in _vocabulary()


def test_a_rebuild_writes_studio_search_in_name_order(world):
    search_index_rebuild()
    with connection.cursor() as cursor:
        cursor.execute("SELECT studio_id FROM studio_search ORDER BY ctid")
        physical = [sid for (sid,) in cursor.fetchall()]
    by_name = list(
        StudioSearch.objects.order_by("name_key", "studio_id").values_list("studio_id", flat=True)
    )
    assert physical == by_name  # the world's names are ASCII: "C" order is code-point order


# --- Prefixes asked as words --------------------------------------------------------------


def _zq_studios(count: int) -> None:
    owner = User.objects.get(username="world-owner")
    Studio.objects.bulk_create(
        [
            Studio(owner=owner, name=f"Zq{chr(97 + i)}{chr(97 + i)} Room", city="Leeds")
            for i in range(count)
        ]
    )
    Studio.objects.filter(name__startswith="Zq").update(status="ACTIVE", is_profile_visible=True)


def test_a_prefix_is_asked_as_the_words_it_begins_up_to_sixteen(world):
    _zq_studios(20)  # zqaa … zqtt: twenty words beginning with "zq"
    with connection.cursor() as cursor:
        cursor.execute("SELECT studio_search_prefix('zqa')::text, studio_search_prefix('zq')::text")
        one, many = cursor.fetchone()
        cursor.execute("SELECT studio_search_prefix('lo')::text")
        (few,) = cursor.fetchone()
    assert one == "'zqaa'"
    assert many == "'zq':*"  # more than 16 words: the prefix match itself
    assert set(few.split(" | ")) == {"'london'", "'longyearbyen'"}


PREFIX_QUERIES = [
    *("l", "lo", "lon", "london", "london studio 0", "s", "so", "studio", "owen ow"),
    *("zq", "zqa", "tromsø", "trom", "new york c", "9", "xq", "studio_0", "new-york"),
]


@pytest.mark.parametrize("q", PREFIX_QUERIES)
def test_a_prefix_asked_as_words_finds_exactly_what_the_prefix_match_finds(world, q):
    _zq_studios(20)
    text = text_query(q)
    assert text is not None
    terms = text.tsquery_params  # [head, last, q] or [last, q]
    last = terms[-2]
    head = terms[0] if len(terms) == 3 else None
    plain = "to_tsquery('simple', %s)"
    plain_params = [(f"{head} & " if head else "") + f"'{last}':*"]
    expected = _matching_ids(f"{plain} || websearch_to_tsquery('english', %s)", [*plain_params, q])
    assert _matching_ids(f"SELECT {text.tsquery_sql}", text.tsquery_params) == expected


# --- Text pages in the legacy order -------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "words"),
    [
        ("london", ["london"]),
        ("London  Studio 0", ["london", "studio", "0"]),
        ("sound", ["sound"]),
        ("so", ["so"]),
        ("owen", ["owen"]),  # every listed studio, by its owner's name: many pages
        ("new york", ["new", "york"]),
        ("tromsø studio", ["tromsø", "studio"]),
    ],
)
def test_text_pages_list_every_match_once_in_the_legacy_order(client, world, q, words):
    spec, ids = world
    names, count = _fetch_all(client, {"q": q})
    expected = _text_oracle(spec, ids, words, " ".join(q.lower().split()))
    assert expected
    assert count == len(expected)
    assert names == expected


# --- The typo fallback --------------------------------------------------------------------


def test_a_word_that_matches_nothing_is_corrected_to_the_most_similar_words(client, world):
    spec, ids = world
    names, count = _fetch_all(client, {"q": "hamerfest"})
    assert names == _text_oracle(spec, ids, ["hammerfest"], "hammerfest")
    assert count == len(names) > 0
    # Relevance uses the corrected phrase: Hammerfest names start with it.
    body = client.get("/api/studios/search?q=londn+studio").json()
    assert body["count"] == len(_text_oracle(spec, ids, ["london", "studio"], "london studio"))
    assert [r["name"] for r in body["results"]] == _text_oracle(
        spec, ids, ["london", "studio"], "london studio"
    )[:20]


def test_the_typo_fallback_keeps_known_words_and_the_last_words_prefix(client, world):
    spec, ids = world
    # "sydny" is corrected, "studio 1" stays: "1" still a prefix (10, 11).
    names, count = _fetch_all(client, {"q": "sydny studio 1"})
    assert names == _text_oracle(spec, ids, ["sydney", "studio", "1"], "sydney studio 1")
    assert count == len(names) > 0
    # A typo in the last word.
    names, _ = _fetch_all(client, {"q": "paris studoi"})
    assert names == _text_oracle(spec, ids, ["paris", "studio"], "paris studio")


def test_no_correction_when_nothing_is_similar_or_every_word_is_real(client, world):
    assert client.get("/api/studios/search?q=qqqxxzzj").json() == {
        "count": 0,
        "count_is_estimate": False,
        "page": 1,
        "page_size": 20,
        "results": [],
    }
    # Real words that never occur together: no "correction" to something else.
    assert client.get("/api/studios/search?q=london+sydney").json()["count"] == 0


def test_a_corrected_query_past_the_end_keeps_its_count_in_six_queries(
    client, world, settings, django_assert_max_num_queries
):
    settings.SEARCH_CACHE_SECONDS = 300
    first = client.get("/api/studios/search?q=hamerfest").json()
    assert first["count"] > 0
    with django_assert_max_num_queries(6):
        past = client.get("/api/studios/search?q=hamerfest&page=99").json()
    assert past["results"] == []
    assert past["count"] == first["count"]
    with django_assert_max_num_queries(6):
        assert client.get("/api/studios/search?q=qqqxxzzj&page=3").json()["count"] == 0


@pytest.mark.parametrize(
    "q",
    [
        *("\\", "'", "''", "o'brien", "x\\y", "%", "_", "a%b_c", "ß", "İstanbul", "a:*", "!"),
        *("&|", "a & b | !c", "ünïcödé wörds", "foo_bar_", "-london", '"studio 01"', "the"),
        *("hamerfest\\", "hamerfest'", "londn %", " ".join(str(n) for n in range(20))),
    ],
)
def test_any_text_is_a_page_never_an_error(client, world, q):
    response = client.get("/api/studios/search?" + urlencode({"q": q}))
    assert response.status_code == 200, response.content
    # A real page: its count is the number of studios its pages list, each once.
    names, count = _fetch_all(client, {"q": q}, page_size=100)
    assert len(names) == count
    assert len(set(names)) == count
