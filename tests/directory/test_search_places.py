"""`location`: the packaged gazetteer first, then Nominatim (a local fake speaking its
protocol, so geopy really runs), cached either way."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings

from directory.selectors.places import nearest_city_name, resolve_place
from tests.fakes import serve_in_thread

pytestmark = pytest.mark.django_db


class FakeNominatim(BaseHTTPRequestHandler):
    places: dict = {}
    requests: list = []
    fail = False

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        type(self).requests.append((url.path, query, self.headers.get("User-Agent")))
        if type(self).fail:
            self.send_response(503)
            self.end_headers()
            return
        hit = type(self).places.get(query["q"][0].lower())
        body = json.dumps([hit] if hit else []).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim(settings):
    FakeNominatim.places = {
        "abbey road, st john's wood": {
            "lat": "51.5320",
            "lon": "-0.1779",
            "display_name": "Abbey Road, St John's Wood, London, NW8, UK",
            "address": {"road": "Abbey Road", "city": "London", "country_code": "gb"},
        }
    }
    FakeNominatim.requests = []
    FakeNominatim.fail = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    serve_in_thread(server)
    settings.GEOCODER_ENABLED = True
    settings.GEOCODER_NOMINATIM_URL = f"http://127.0.0.1:{server.server_port}"
    settings.GEOCODER_MIN_INTERVAL = 0.01
    settings.GEOCODER_TIMEOUT = 3
    settings.SEARCH_CACHE_SECONDS = 0
    yield FakeNominatim
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        ("London", "London", "GB"),
        ("london, uk", "London", "GB"),
        ("London, Ontario", None, None),  # "Ontario" is no country or US state: geocoder
        ("Portland, OR", "Portland", "US"),
        ("Portland, Maine", "Portland", "US"),
        ("München", "Munich", "DE"),
        ("Munich", "Munich", "DE"),
        ("São Paulo", "São Paulo", "BR"),
        ("sao paulo", "São Paulo", "BR"),
        ("Tromso", "Tromsø", "NO"),
        ("Suva, Fiji", "Suva", "FJ"),
    ],
)
def test_gazetteer_resolves_common_places_offline(settings, text, name, country):
    settings.GEOCODER_ENABLED = False
    place = resolve_place(text)
    if name is None:
        assert place is None
        return
    assert (place.name, place.country_code, place.source) == (name, country, "gazetteer")


def test_portland_oregon_and_maine_differ(settings):
    settings.GEOCODER_ENABLED = False
    oregon, maine = resolve_place("Portland, OR"), resolve_place("Portland, ME")
    assert oregon.longitude < -120
    assert maine.longitude > -71


def test_unknown_places_go_to_the_geocoder_once(client, nominatim):
    place = resolve_place("Abbey Road, St John's Wood")
    assert (place.name, place.source) == ("London", "geocoder")
    assert place.latitude == pytest.approx(51.532)
    again = resolve_place("abbey road,  st john's wood")
    assert again == place
    assert len(nominatim.requests) == 1
    path, query, agent = nominatim.requests[0]
    assert path == "/search"
    assert query["format"] == ["json"]
    assert agent.startswith("StudioFinder")


def test_a_search_by_a_geocoded_location(client, nominatim):
    response = client.get("/api/studios/search?location=Abbey+Road,+St+John's+Wood&radius=10")
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_a_place_nobody_knows_is_400_and_the_miss_is_cached(client, nominatim):
    for _ in range(2):
        response = client.get("/api/studios/search?location=Qwxyzzy+Vale")
        assert response.status_code == 400
        assert "location" in response.json()["error"]["fields"]
    assert len(nominatim.requests) == 1


def test_a_geocoder_outage_is_503_and_not_cached(client, nominatim):
    nominatim.fail = True
    response = client.get("/api/studios/search?location=Somewhere+Unlisted")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "geocoder_unavailable"
    nominatim.fail = False
    nominatim.places["somewhere unlisted"] = {
        "lat": "10",
        "lon": "10",
        "display_name": "Somewhere",
        "address": {"town": "Somewhere"},
    }
    assert client.get("/api/studios/search?location=Somewhere+Unlisted").status_code == 200


@pytest.mark.parametrize(
    ("lat", "lng", "name"),
    [(51.5, -0.12, "London"), (-18.14, 178.44, "Suva"), (69.65, 18.96, "Tromsø"), (0, -140, None)],
)
def test_nearest_city_for_a_bare_centre(lat, lng, name):
    assert nearest_city_name(lat, lng, 25) == name


def test_requests_during_the_gazetteer_build_wait_for_that_one_build(monkeypatch):
    from directory.selectors import places

    built = []

    class SlowGazetteer:
        def __init__(self):
            time.sleep(0.2)
            built.append(self)

    monkeypatch.setattr(places, "Gazetteer", SlowGazetteer)
    monkeypatch.setattr(places, "_gazetteer", None)
    monkeypatch.setattr(places, "_read_copy", lambda: None)  # no copy on disk: a build
    monkeypatch.setattr(places, "_write_copy", lambda built: built)
    got = []
    callers = [threading.Thread(target=lambda: got.append(places.gazetteer())) for _ in range(4)]
    for caller in callers:
        caller.start()
    for thread in callers:
        thread.join(5)
    assert len(built) == 1
    assert got == built * 4


def test_a_server_process_builds_the_gazetteer_at_start_not_in_its_first_search(tmp_path):
    """project.asgi (what Daphne loads) builds it before the process serves, and writes its
    copy for the next process; no request is made here, and no thread is left building."""
    script = (
        "import threading, project.asgi\n"
        "from directory.selectors import places\n"
        "print(places._gazetteer is not None and threading.active_count() == 1)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "project.settings", "VAR_DIR": str(tmp_path)},
    )
    assert done.stdout.strip().splitlines()[-1:] == ["True"], done.stderr[-2000:]
    assert [p.name[:10] for p in (tmp_path / "cache").iterdir()] == ["gazetteer-"]


@pytest.fixture(scope="module")
def built_gazetteer():
    from directory.selectors import places

    return places.Gazetteer()


@pytest.fixture
def builds(settings, tmp_path, monkeypatch, built_gazetteer):
    """A VAR_DIR with no copy in it, no gazetteer in this process yet, and each build (one
    full build for the module, then its fields copied) counted."""
    from directory.selectors import places

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(places, "_gazetteer", None)
    counted = []

    def build(self):
        counted.append(self)
        self.__dict__.update(built_gazetteer.__dict__)

    monkeypatch.setattr(places.Gazetteer, "__init__", build)
    return counted


def test_a_process_reads_the_copy_the_first_one_wrote_instead_of_building(
    builds, built_gazetteer, settings, monkeypatch
):
    from directory.selectors import places

    first = places.gazetteer()  # builds, and writes its copy
    assert builds == [first]
    [copy] = (settings.VAR_DIR / "cache").iterdir()

    monkeypatch.setattr(places, "_gazetteer", None)  # the next process
    second = places.gazetteer()
    assert builds == [first]  # read, not built
    assert second is not first
    assert second.by_name == built_gazetteer.by_name
    assert second.qualifiers == built_gazetteer.qualifiers
    assert second.lookup("Portland, Maine") == built_gazetteer.lookup("Portland, Maine")
    assert second.nearest(51.51, -0.13, 25) == built_gazetteer.nearest(51.51, -0.13, 25)
    assert [p.name for p in (settings.VAR_DIR / "cache").iterdir()] == [copy.name]


@pytest.fixture
def unpickled(monkeypatch):
    """Every payload places.py unpickles (its own view of pickle, not the process's)."""
    from directory.selectors import places

    calls = []

    def loads(payload):
        calls.append(payload)
        return pickle.loads(payload)  # noqa: S301 - the test's own copies

    monkeypatch.setattr(
        places,
        "pickle",
        SimpleNamespace(loads=loads, dumps=pickle.dumps, HIGHEST_PROTOCOL=pickle.HIGHEST_PROTOCOL),
    )
    return calls


def test_a_copy_not_signed_with_this_secret_key_is_never_unpickled(
    builds, built_gazetteer, settings, monkeypatch, unpickled
):
    from directory.selectors import places

    settings.SECRET_KEY = "another deployment's key " * 3
    places.gazetteer()  # a copy signed with that key
    [theirs] = (settings.VAR_DIR / "cache").iterdir()
    settings.SECRET_KEY = "this deployment's key " * 3
    theirs.rename(places._copy_path())  # put where this key looks
    monkeypatch.setattr(places, "_gazetteer", None)

    places.gazetteer()

    assert unpickled == []
    assert len(builds) == 2  # built again
    assert places._read_copy().by_name == built_gazetteer.by_name  # rewritten with this key


def test_an_older_versions_copy_renamed_to_this_versions_name_is_never_unpickled(
    builds, settings, monkeypatch, unpickled
):
    from directory.selectors import places

    places.gazetteer()
    [current] = (settings.VAR_DIR / "cache").iterdir()
    older = current.with_name(f"gazetteer-0123456789abcdef-{places._key_tag()}.pickle")
    older.write_bytes(
        places._sign(older, b"an older version's index") + b"an older version's index"
    )
    older.replace(current)  # signed, by this key, for another name
    monkeypatch.setattr(places, "_gazetteer", None)

    places.gazetteer()

    assert unpickled == []
    assert len(builds) == 2


@pytest.mark.parametrize("damage", ["truncated", "empty", "signed but no pickle"])
def test_a_damaged_copy_is_rebuilt_and_replaced(builds, built_gazetteer, settings, damage):
    from directory.selectors import places

    path = places._copy_path()
    path.parent.mkdir(parents=True)
    if damage == "truncated":
        places.gazetteer()
        path.write_bytes(path.read_bytes()[:100_000])
        places._gazetteer = None
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.write_bytes(places._sign(path, b"\x80\x05 not a pickle") + b"\x80\x05 not a pickle")

    assert places.gazetteer().lookup("London").country == "GB"
    assert places._read_copy().by_name == built_gazetteer.by_name


def test_writing_a_copy_removes_this_keys_older_versions_and_abandoned_halves(builds, settings):
    from directory.selectors import places

    cache = settings.VAR_DIR / "cache"
    cache.mkdir()
    older = cache / f"gazetteer-0123456789abcdef-{places._key_tag()}.pickle"
    other_keys = cache / "gazetteer-0123456789abcdef-000000000000.pickle"
    abandoned = cache / f".{places._copy_path().name}.dead"
    fresh_half = cache / f".{places._copy_path().name}.writing"
    for path in (older, other_keys, abandoned, fresh_half):
        path.write_bytes(b"x")
    os.utime(abandoned, (time.time() - 3600, time.time() - 3600))

    places.gazetteer()

    assert sorted(p.name for p in cache.iterdir()) == sorted(
        [places._copy_path().name, other_keys.name, fresh_half.name]
    )


def test_a_var_dir_that_cannot_be_written_still_gives_a_gazetteer(builds, settings):
    from directory.selectors import places

    (settings.VAR_DIR / "cache").write_text("a file where the directory would be")
    assert places.gazetteer().lookup("London").country == "GB"
    assert len(builds) == 1
    assert (settings.VAR_DIR / "cache").is_file()
