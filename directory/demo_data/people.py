"""The demo people: users, their email addresses and profiles."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth.hashers import make_password
from django.utils.crypto import RANDOM_STRING_CHARS

from . import vocabulary as words
from .plan import (
    _HOUR,
    _ROLE,
    ADMIN_ID,
    ADMIN_PASSWORD,
    DEMO_ID,
    DEMO_PASSWORD,
    PINNED_ID,
    _at,
)


class PeopleRows:
    """Rows of users, email_addresses and profiles (a mixin of DemoBuilder)."""

    def users(self) -> Iterator[tuple]:
        dice = self.dice("users")
        # One hash for everybody: hashing a million passwords would take days. The salt
        # comes from the seed so that the rows are the same on every run; these are demo
        # accounts with a published password, not secrets.
        salt = "".join(dice.pick(RANDOM_STRING_CHARS) for _ in range(22))
        demo_hash = make_password(DEMO_PASSWORD, salt)
        admin_hash = make_password(ADMIN_PASSWORD, salt)
        for uid in range(1, self.n_users + 1):
            username = self.username(uid)
            created = _at(self.user_created[uid])
            yield (
                uid,
                admin_hash if uid == ADMIN_ID else demo_hash,
                created,
                created,
                f"{username.lower()}@example.com",
                username,
                self.display_name(uid),
                f"https://i.pravatar.cc/300?u={username}" if dice.chance(0.6) else None,
                _ROLE[self.role[uid]],
                uid <= PINNED_ID or dice.chance(0.85),
            )

    def email_addresses(self) -> Iterator[tuple]:
        """allauth's verified addresses for the accounts people log in with."""
        for uid in (ADMIN_ID, DEMO_ID, PINNED_ID):
            yield uid, uid, f"{self.username(uid).lower()}@example.com", True, True

    def profiles(self) -> Iterator[tuple]:
        dice, about = self.dice("profiles"), words.ABOUT_LINES
        for uid in range(1, self.n_users + 1):
            sid = self.first_studio[uid]
            city = self.cities[self.studio_city[sid] if sid else self.picker.pick(dice)]
            username = self.username(uid)
            created = _at(self.user_created[uid] + dice.below(_HOUR))
            show_rates, social, line = dice.chance(0.4), dice.random(), dice.below(len(about))
            yield (
                uid,
                uid,
                created,
                created,
                self.person(uid)[1],
                self._phone(city, dice) if dice.chance(0.7) else None,
                " ".join(about[(line + k) % len(about)] for k in range(3)),
                about[line],
                f"{city.name}, {city.country}",
                "£45/hour" if show_rates else None,
                "£150/half day" if show_rates else None,
                "£280/day" if show_rates else None,
                show_rates,
                f"https://www.instagram.com/{username}" if social < 0.5 else None,
                f"https://x.com/{username}" if social < 0.3 else None,
                f"https://www.linkedin.com/in/{username}" if social < 0.4 else None,
                f"https://www.youtube.com/@{username}" if social < 0.15 else None,
                f"https://soundcloud.com/{username}" if social < 0.2 else None,
                dice.chance(0.1),
                uid in self.featured,
                uid in self.spotlight,
                "verified" if uid == PINNED_ID or dice.chance(0.1) else "none",
                f"{dice.pick(words.BOOTHS).capitalize()}." if sid else None,
                f"{dice.pick(words.MICROPHONES)}, {dice.pick(words.INTERFACES)}" if sid else None,
                dice.pick(words.STUDIO_PITCHES) if sid else None,
                dice.chance(0.3),
                dice.chance(0.25),
                dice.chance(0.4),
                dice.chance(0.8),
                dice.chance(0.3),
                self.studio_name(sid) if sid else None,
            )
