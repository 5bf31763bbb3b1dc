"""The per-socket frame budget: a token bucket, and what to do when it runs dry."""

from __future__ import annotations

import enum


class Verdict(enum.Enum):
    ALLOW = "allow"
    WARN = "warn"  # first refused frame: answer `rate_limited` with retry_after
    DROP = "drop"  # refused again: ignore the frame
    CLOSE = "close"  # kept flooding: close the socket (close_codes.RATE_LIMITED)


class FrameBudget:
    """About `capacity` frames per `window` seconds, bursts allowed.

    A client refused `close_after` times in a row without a pause is closed; one allowed
    frame resets the count.
    """

    def __init__(self, *, capacity: int, window: float, close_after: int, now: float) -> None:
        self.capacity = capacity
        self.rate = capacity / window
        self.close_after = close_after
        self.tokens = float(capacity)
        self.refilled = now
        self.refused = 0

    def take(self, now: float) -> Verdict:
        self.tokens = min(self.capacity, self.tokens + (now - self.refilled) * self.rate)
        self.refilled = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.refused = 0
            return Verdict.ALLOW
        self.refused += 1
        if self.refused == 1:
            return Verdict.WARN
        if self.refused > self.close_after:
            return Verdict.CLOSE
        return Verdict.DROP

    def retry_after(self) -> float:
        """Seconds until the next token."""
        return round((1 - self.tokens) / self.rate, 1)
