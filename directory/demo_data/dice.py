"""Seeded draws, cheaper than `random.Random`'s general-purpose methods.

`Random.randint`, `choice` and `choices` cost 0.5–2 µs a call, which is most of the
time of a million-studio seed; these do the same with one call to `random()`. The
results are as deterministic as `Random` itself: same key, same sequence.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Mapping, Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class Dice:
    """One named random stream: `Dice(f"{seed}:reviews")`."""

    __slots__ = ("_rng", "random")

    def __init__(self, key: str) -> None:
        self._rng = random.Random(key)
        self.random = self._rng.random

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return low + int(self.random() * (high - low + 1))

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def chance(self, probability: float) -> bool:
        return self.random() < probability

    def shuffle(self, items: list) -> None:
        self._rng.shuffle(items)

    def sample(self, items: Sequence[T], count: int) -> list[T]:
        return self._rng.sample(items, count)


class Weighted(Generic[T]):
    """Draws keys of a {value: weight} mapping in proportion to their weights."""

    __slots__ = ("_cumulative", "_total", "values")

    def __init__(self, weights: Mapping[T, float]) -> None:
        self.values = list(weights)
        self._cumulative = list(accumulate(weights.values()))
        self._total = self._cumulative[-1]

    def draw(self, dice: Dice) -> T:
        return self.values[bisect.bisect_right(self._cumulative, dice.random() * self._total)]

    def distinct(self, dice: Dice, count: int) -> list[T]:
        """`count` different values (all of them if there are fewer), in draw order."""
        count = min(count, len(self.values))
        chosen: list[T] = []
        while len(chosen) < count:
            value = self.draw(dice)
            if value not in chosen:
                chosen.append(value)
        return chosen
