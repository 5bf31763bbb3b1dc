"""The demo data set: who exists, what they own, and every row derived from that.

Everything is a function of the seed. Each table draws from its own random stream
(`Dice(f"{seed}:{table}")`), so a change to one table does not shift the others, and
every timestamp is an offset from `BASE_DATE`, never from the clock. Ids are explicit
and follow creation time, as in a database that grew over four years.

A small plan (a few integer arrays) is made first: users and their roles, studios with
their owner, city, status and creation time. The tables are then streamed from it one
after another, so a million studios never exist as Python objects.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils.crypto import RANDOM_STRING_CHARS

from realtime.models import Message, Notification, NotificationType, UserConnection

from ..models import (
    Faq,
    Review,
    ReviewResponse,
    ReviewStatus,
    Role,
    SavedSearch,
    ServiceType,
    Studio,
    StudioImage,
    StudioService,
    StudioStatus,
    StudioStudioType,
    StudioType,
    User,
    UserProfile,
)
from . import vocabulary as words
from .dice import Dice, Weighted
from .gazetteer import City, CityPicker, cities, find_city, scatter
from .loader import BulkLoader

BASE_DATE = datetime(2025, 6, 1, tzinfo=UTC)  # the data set's "now"
HISTORY = timedelta(days=4 * 365)  # how far back the directory goes
NOTIFICATION_WINDOW = timedelta(days=90)  # notifications exist for recent events only

DEMO_USERNAME, DEMO_PASSWORD = "demo", "studio-finder-demo"
ADMIN_USERNAME, ADMIN_PASSWORD = "admin", "studio-finder-admin"
PINNED_USERNAME = "VoiceoverGuy"  # the legacy homepage pins this featured owner first
ADMIN_ID, DEMO_ID, PINNED_ID = 1, 2, 3
HOME_CITY = ("London", "GB")  # where the demo user's and VoiceoverGuy's studios are
_SPECIAL_USERNAMES = {ADMIN_ID: ADMIN_USERNAME, DEMO_ID: DEMO_USERNAME, PINNED_ID: PINNED_USERNAME}
_SPECIAL_NAMES = {
    ADMIN_ID: ("Site", "Admin"),
    DEMO_ID: ("Demo", "User"),
    PINNED_ID: ("Voiceover", "Guy"),
}

_HOUR, _DAY = 3600, 86400
_BASE = int(BASE_DATE.timestamp())
_START = _BASE - int(HISTORY.total_seconds())
_WINDOW_START = _BASE - int(NOTIFICATION_WINDOW.total_seconds())
_M64 = (1 << 64) - 1

# The plan keeps roles and studio states as small integers.
_MEMBER, _OWNER, _ADMIN = 0, 1, 2
_ROLE = {_MEMBER: Role.USER, _OWNER: Role.STUDIO_OWNER, _ADMIN: Role.ADMIN}
_STATUS = (StudioStatus.ACTIVE, StudioStatus.DRAFT, StudioStatus.PENDING, StudioStatus.INACTIVE)
_ACTIVE, _INACTIVE = 0, 3
_STATUS_MASK, _PREMIUM, _VERIFIED = 3, 4, 8

STATUS_WEIGHTS = Weighted({0: 85, 1: 6, 2: 5, 3: 4})  # indexes into _STATUS
TYPE_WEIGHTS = Weighted(
    {
        StudioType.HOME: 50,
        StudioType.VOICEOVER: 40,
        StudioType.RECORDING: 30,
        StudioType.PODCAST: 20,
        StudioType.EDITING: 15,
        StudioType.VO_COACH: 10,
    }
)
SERVICE_WEIGHTS = Weighted(
    {
        ServiceType.SOURCE_CONNECT: 45,
        ServiceType.ZOOM: 40,
        ServiceType.CLEANFEED: 30,
        ServiceType.SOURCE_CONNECT_NOW: 25,
        ServiceType.SESSION_LINK_PRO: 15,
        ServiceType.TEAMS: 15,
        ServiceType.SKYPE: 10,
        ServiceType.ISDN: 8,
    }
)
TYPES_PER_STUDIO = Weighted({1: 50, 2: 35, 3: 15})
SERVICES_PER_STUDIO = Weighted({0: 10, 1: 25, 2: 30, 3: 20, 4: 10, 5: 5})
IMAGES_PER_STUDIO = Weighted({0: 20, 1: 25, 2: 20, 3: 15, 4: 12, 5: 8})
REVIEWS_PER_STUDIO = Weighted({0: 42, 1: 24, 2: 14, 3: 9, 4: 5, 5: 3, 6: 1, 7: 1, 8: 1})
REVIEW_STATUS = Weighted(
    {ReviewStatus.APPROVED: 75, ReviewStatus.PENDING: 18, ReviewStatus.REJECTED: 7}
)
RATINGS = Weighted({5: 45, 4: 30, 3: 13, 2: 7, 1: 5})
MESSAGES_PER_CONVERSATION = Weighted({1: 30, 2: 25, 3: 20, 4: 12, 5: 8, 6: 5})
IMAGE_CAPTIONS = ("Vocal booth", "Control room", "Microphone", "Live room", "Desk", "Lounge")


@dataclass(frozen=True)
class Sizes:
    """How many of each thing a scale gives: studios exactly, the rest in proportion."""

    studios: int
    owners: int  # including the demo user and VoiceoverGuy
    members: int  # users who own no studio: artists, producers, clients
    featured: int
    conversations: int
    connections: int
    saved_searches: int

    @classmethod
    def for_scale(cls, studios: int) -> Sizes:
        owners = max(3, round(studios * 0.8))  # so some owners hold several studios
        return cls(
            studios=studios,
            owners=owners,
            members=60 + studios // 4,
            featured=min(max(8, owners // 100), 250),
            conversations=min(max(30, studios), 50_000),
            connections=min(max(40, 2 * studios), 100_000),
            saved_searches=min(5 + studios // 100, 1_000),
        )

    @property
    def users(self) -> int:
        return 1 + self.owners + self.members  # the admin, owners, members


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str


@dataclass
class SeedResult:
    seed: int
    scale: int
    counts: dict[str, int] = field(default_factory=dict)
    demo: DemoLogin = DemoLogin(DEMO_USERNAME, DEMO_PASSWORD)
    admin: DemoLogin = DemoLogin(ADMIN_USERNAME, ADMIN_PASSWORD)


class Note(NamedTuple):
    """A notification to write once every event that causes one is known."""

    at: int
    user_id: int
    type: str
    title: str
    message: str
    data: dict[str, Any]
    action_url: str


def _at(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _mix(value: int) -> int:
    """splitmix64: a cheap, well-spread hash, so names are a pure function of an id."""
    value = (value + 0x9E3779B97F4A7C15) & _M64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _M64
    return value ^ (value >> 31)


class DemoBuilder:
    def __init__(self, *, seed: int, scale: int) -> None:
        self.seed = seed
        self.sizes = Sizes.for_scale(scale)
        self.cities = cities()
        self.picker = CityPicker(self.cities)
        self.home_city = find_city(*HOME_CITY)
        self._salt = _mix(seed)
        self._plan_users()
        self._plan_studios()

    def dice(self, stream: str) -> Dice:
        return Dice(f"{self.seed}:{stream}")

    def load(self, loader: BulkLoader) -> None:
        """Stream every table, parents before children."""
        notes: list[Note] = []
        responses: list[tuple[int, int, int, int]] = []
        loader.load(User, USER_FIELDS, self.users(), total=self.n_users)
        loader.load(EmailAddress, EMAIL_FIELDS, self.email_addresses())
        loader.load(UserProfile, PROFILE_FIELDS, self.profiles(), total=self.n_users)
        loader.load(Studio, STUDIO_FIELDS, self.studios(), total=self.n_studios)
        loader.load(StudioStudioType, ("id", "studio_id", "studio_type"), self.studio_types())
        loader.load(StudioService, ("id", "studio_id", "service"), self.studio_services())
        loader.load(StudioImage, IMAGE_FIELDS, self.studio_images())
        loader.load(Review, REVIEW_FIELDS, self.reviews(responses, notes))
        loader.load(ReviewResponse, RESPONSE_FIELDS, self.review_responses(responses, notes))
        loader.load(UserConnection, CONNECTION_FIELDS, self.connections(notes))
        loader.load(Message, MESSAGE_FIELDS, self.messages(notes))
        loader.load(Notification, NOTIFICATION_FIELDS, self.notifications(notes))
        loader.load(SavedSearch, SAVED_SEARCH_FIELDS, self.saved_searches())
        loader.load(Faq, FAQ_FIELDS, self.faq())

    # --- the plan -------------------------------------------------------------------

    def _plan_users(self) -> None:
        sizes, dice = self.sizes, self.dice("plan-users")
        generated = [_OWNER] * (sizes.owners - 2) + [_MEMBER] * sizes.members
        dice.shuffle(generated)
        self.n_users = sizes.users
        # Indexed by user id (0 unused): the admin, the demo user, VoiceoverGuy, the rest.
        self.role = bytearray([_MEMBER, _ADMIN, _OWNER, _OWNER, *generated])
        self.user_created = array("q", [0, _START, _START + _DAY, _START + 2 * _DAY])
        first, span = _START + 3 * _DAY, _BASE - _START - 4 * _DAY
        for k in range(len(generated)):
            self.user_created.append(first + int(span * (k + dice.random()) / len(generated)))
        self.owner_ids = [uid for uid in range(1, self.n_users + 1) if self.role[uid] == _OWNER]
        others = self.owner_ids[2:]
        self.featured = set(dice.sample(others, min(sizes.featured, len(others))))
        self.spotlight = set(dice.sample(sorted(self.featured), len(self.featured) // 2))
        self.featured.add(PINNED_ID)
        self.spotlight.add(PINNED_ID)

    def _plan_studios(self) -> None:
        dice = self.dice("plan-studios")
        entries: list[tuple[int, int]] = []
        for uid in self.owner_ids:  # every owner's first studio, soon after joining
            created = self.user_created[uid] + dice.between(_HOUR, 14 * _DAY)
            entries.append((min(_BASE, created), uid))
        others = self.owner_ids[2:]
        for _ in range(self.sizes.studios - len(self.owner_ids)):
            # Owners who joined early had time to grow: they hold most second studios.
            uid = others[int(len(others) * dice.random() ** 2)]
            entries.append(
                (dice.between(min(_BASE, self.user_created[uid] + 30 * _DAY), _BASE), uid)
            )
        entries.sort()

        count = self.n_studios = len(entries)
        self.studio_created = array("q", [0, *(at for at, _ in entries)])
        self.studio_owner = array("q", [0, *(uid for _, uid in entries)])
        self.studio_city = array("l", [0]) * (count + 1)
        self.studio_state = bytearray(count + 1)
        self.first_studio = array("q", [0]) * (self.n_users + 1)  # user id -> studio id
        for sid in range(1, count + 1):
            uid = self.studio_owner[sid]
            first = not self.first_studio[uid]
            if first:
                self.first_studio[uid] = sid
            special = uid in (DEMO_ID, PINNED_ID)
            self.studio_city[sid] = self.home_city if special else self.picker.pick(dice)
            status = STATUS_WEIGHTS.draw(dice)
            if special or (first and uid in self.featured):
                status = _ACTIVE  # the homepage shows featured owners' active studios
            premium = status == _ACTIVE and dice.chance(0.06)
            verified = dice.chance(0.7 if premium else 0.1)
            if uid == PINNED_ID:
                premium = verified = True
            elif uid == DEMO_ID:
                premium = verified = False
            self.studio_state[sid] = status | (_PREMIUM * premium) | (_VERIFIED * verified)

    # --- names: pure functions of an id ---------------------------------------------

    def person(self, uid: int) -> tuple[str, str]:
        if uid in _SPECIAL_NAMES:
            return _SPECIAL_NAMES[uid]
        h = _mix(uid ^ self._salt)
        first = words.FIRST_NAMES[h % len(words.FIRST_NAMES)]
        return first, words.LAST_NAMES[(h >> 16) % len(words.LAST_NAMES)]

    def username(self, uid: int) -> str:
        if uid in _SPECIAL_USERNAMES:
            return _SPECIAL_USERNAMES[uid]
        first, last = self.person(uid)
        return f"{first}.{last}{uid}".lower()

    def display_name(self, uid: int) -> str:
        return " ".join(self.person(uid))

    def studio_name(self, sid: int) -> str:
        owner = self.studio_owner[sid]
        if owner == PINNED_ID:
            return "The Voiceover Guy Studio"
        h = _mix((sid << 1) ^ self._salt)
        word = words.STUDIO_WORDS[h % len(words.STUDIO_WORDS)]
        kind = words.STUDIO_KINDS[(h >> 12) % len(words.STUDIO_KINDS)]
        style = (h >> 24) % 3
        if style == 0:
            return f"{word} {kind}"
        if style == 1:
            return f"{word} {kind} {self.cities[self.studio_city[sid]].name}"
        return f"{self.person(owner)[1]} {kind}"

    # --- tables ---------------------------------------------------------------------

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

    def studios(self) -> Iterator[tuple]:
        dice = self.dice("studios")
        for sid in range(1, self.n_studios + 1):
            uid, state = self.studio_owner[sid], self.studio_state[sid]
            city = self.cities[self.studio_city[sid]]
            region = f", {city.region}" if city.region else ""
            street = dice.pick(words.STREETS)
            if uid in (DEMO_ID, PINNED_ID) or dice.chance(0.93):
                latitude, longitude = scatter(city, dice)
                lat, lng = Decimal(f"{latitude:.8f}"), Decimal(f"{longitude:.8f}")
                full = f"{dice.between(1, 250)} {street}, {city.name}{region}, {city.country}"
                short = f"{street}, {city.name}"
            else:  # city only: the geocoder never found this address
                lat = lng = None
                full, short = f"{city.name}{region}, {city.country}", city.name
            created = self.studio_created[sid]
            description = (
                f"{dice.pick(words.STUDIO_PITCHES)} We record on a {dice.pick(words.MICROPHONES)}"
                f" into an {dice.pick(words.INTERFACES)} in {dice.pick(words.BOOTHS)}."
            )
            yield (
                sid,
                uid,
                _at(created),
                _at(min(_BASE, created + dice.below(60 * _DAY))),
                self.studio_name(sid),
                description,
                full,
                short,
                city.name,
                lat,
                lng,
                f"https://studio{sid}.example.com" if dice.chance(0.5) else None,
                self._phone(city, dice) if dice.chance(0.6) else None,
                bool(state & _PREMIUM),
                bool(state & _VERIFIED),
                dice.chance(0.96),
                _STATUS[state & _STATUS_MASK],
            )

    def studio_types(self) -> Iterator[tuple]:
        dice, row_id = self.dice("studio-types"), 0
        for sid in range(1, self.n_studios + 1):
            for studio_type in TYPE_WEIGHTS.distinct(dice, TYPES_PER_STUDIO.draw(dice)):
                row_id += 1
                yield row_id, sid, studio_type

    def studio_services(self) -> Iterator[tuple]:
        dice, row_id = self.dice("studio-services"), 0
        for sid in range(1, self.n_studios + 1):
            for service in SERVICE_WEIGHTS.distinct(dice, SERVICES_PER_STUDIO.draw(dice)):
                row_id += 1
                yield row_id, sid, service

    def studio_images(self) -> Iterator[tuple]:
        dice, row_id = self.dice("studio-images"), 0
        for sid in range(1, self.n_studios + 1):
            special = self.studio_owner[sid] in (DEMO_ID, PINNED_ID)
            count = 4 if special else IMAGES_PER_STUDIO.draw(dice)
            name = self.studio_name(sid) if count else ""
            for order in range(count):
                row_id += 1
                yield (
                    row_id,
                    sid,
                    f"https://picsum.photos/seed/studio-{sid}-{order}/1200/800",
                    f"{dice.pick(IMAGE_CAPTIONS)} at {name}",
                    order,
                )

    def reviews(self, responses: list, notes: list[Note]) -> Iterator[tuple]:
        """Reviews of listed studios; appends (review, owner, reviewer, at) to `responses`."""
        dice, row_id = self.dice("reviews"), 0
        for sid in range(1, self.n_studios + 1):
            if self.studio_state[sid] & _STATUS_MASK not in (_ACTIVE, _INACTIVE):
                continue  # drafts and pending studios were never listed
            owner = self.studio_owner[sid]
            if owner == PINNED_ID:  # well reviewed, by the demo user among others
                reviewers = self._pick_users(dice, 8, exclude={ADMIN_ID, owner}, first=DEMO_ID)
            elif owner == DEMO_ID:
                reviewers = self._pick_users(dice, 4, exclude={ADMIN_ID, owner})
            else:
                reviewers = self._pick_users(
                    dice, REVIEWS_PER_STUDIO.draw(dice), exclude={ADMIN_ID, owner}
                )
            for position, reviewer in enumerate(reviewers):
                low = max(self.studio_created[sid], self.user_created[reviewer]) + _HOUR
                if low >= _BASE:
                    continue
                created = dice.between(low, _BASE)
                status = REVIEW_STATUS.draw(dice)
                if owner == DEMO_ID:  # recent reviews on the demo studio, one to moderate
                    created = max(low, _BASE - (position + 1) * 2 * _DAY)
                    status = ReviewStatus.PENDING if position == 0 else ReviewStatus.APPROVED
                elif owner == PINNED_ID:
                    status = ReviewStatus.APPROVED
                updated = created
                if status != ReviewStatus.PENDING:  # moderated a little later
                    updated = min(_BASE, created + dice.between(_HOUR, 2 * _DAY))
                rating = RATINGS.draw(dice)
                row_id += 1
                yield (
                    row_id,
                    sid,
                    reviewer,
                    owner,
                    _at(created),
                    _at(updated),
                    rating,
                    dice.pick(words.REVIEW_TEXTS[rating]),
                    dice.chance(0.08),
                    status,
                )
                if status != ReviewStatus.APPROVED:
                    continue
                if updated >= _WINDOW_START:
                    notes.append(
                        Note(
                            updated,
                            owner,
                            NotificationType.REVIEW_RECEIVED,
                            "New review",
                            f"Your studio received a {rating}-star review.",
                            {"studio_id": sid, "review_id": row_id},
                            f"/studios/{sid}#reviews",
                        )
                    )
                if dice.chance(0.35):
                    answered = min(_BASE, updated + dice.between(_HOUR, 10 * _DAY))
                    responses.append((row_id, owner, reviewer, answered))

    def review_responses(self, responses: list, notes: list[Note]) -> Iterator[tuple]:
        dice = self.dice("review-responses")
        for row_id, (review_id, author, reviewer, created) in enumerate(responses, 1):
            if created >= _WINDOW_START:
                notes.append(
                    Note(
                        created,
                        reviewer,
                        NotificationType.REVIEW_RESPONSE,
                        "The owner replied",
                        f"{self.display_name(author)} replied to your review.",
                        {"review_id": review_id},
                        "/dashboard/reviews",
                    )
                )
            text = dice.pick(words.RESPONSE_TEXTS)
            yield row_id, review_id, author, _at(created), _at(created), text

    def connections(self, notes: list[Note]) -> Iterator[tuple]:
        """Requests between people: one row per pair whichever way, ids by creation time."""
        dice, rows, pairs = self.dice("connections"), [], set()

        def add(requester: int, target: int, accepted: bool, created: int = 0) -> None:
            pair = (min(requester, target), max(requester, target))
            low = max(self.user_created[requester], self.user_created[target]) + _HOUR
            if requester == target or pair in pairs or low >= _BASE:
                return
            pairs.add(pair)
            created = max(low, created) if created else dice.between(low, _BASE)
            accepted_at = min(_BASE, created + dice.between(_HOUR, 7 * _DAY)) if accepted else 0
            rows.append((created, requester, target, accepted_at))

        # The demo user: some friends, and requests waiting for an answer.
        for k in range(4):
            add(self._random_user(dice), DEMO_ID, False, _BASE - (k + 1) * _DAY)
        for k in range(5):
            other = self._random_user(dice)
            add(*((DEMO_ID, other) if k % 2 else (other, DEMO_ID)), True)
        add(DEMO_ID, PINNED_ID, True)
        attempts, wanted = 0, self.sizes.connections
        while len(rows) < wanted and attempts < 20 * wanted:
            attempts += 1
            add(self._random_user(dice), self._random_user(dice), dice.chance(0.7))
        rows.sort()
        for row_id, (created, requester, target, accepted_at) in enumerate(rows, 1):
            if not accepted_at and created >= _WINDOW_START:
                notes.append(
                    Note(
                        created,
                        target,
                        NotificationType.CONNECTION_REQUEST,
                        "Connection request",
                        f"{self.display_name(requester)} wants to connect.",
                        {"user_id": requester},
                        "/network",
                    )
                )
            if accepted_at >= _WINDOW_START:
                notes.append(
                    Note(
                        accepted_at,
                        requester,
                        NotificationType.CONNECTION_ACCEPTED,
                        "Connected",
                        f"{self.display_name(target)} accepted your request.",
                        {"user_id": target},
                        "/network",
                    )
                )
            accepted = bool(accepted_at)
            yield (
                row_id,
                requester,
                target,
                _at(created),
                accepted,
                _at(accepted_at) if accepted else None,
            )

    def messages(self, notes: list[Note]) -> Iterator[tuple]:
        """Conversations that start as an enquiry about a studio, ids in sending order."""
        dice, rows = self.dice("messages"), []
        demo_sid, pinned_sid = self.first_studio[DEMO_ID], self.first_studio[PINNED_ID]
        for k in range(self.sizes.conversations):
            if k < 4:  # enquiries about the demo user's studio, each ending unread
                sid, enquirer = demo_sid, self._random_user(dice, exclude=DEMO_ID)
            elif k < 6:  # the demo user asking VoiceoverGuy
                sid, enquirer = pinned_sid, DEMO_ID
            else:
                sid, enquirer = self._random_listed_studio(dice), self._random_user(dice)
            owner = self.studio_owner[sid]
            low = max(self.user_created[enquirer], self.studio_created[sid], _BASE - 365 * _DAY)
            if enquirer == owner or low + _HOUR >= _BASE:
                continue
            sent = max(low, _BASE - (k + 1) * _DAY) if k < 6 else dice.between(low, _BASE)
            subject = dice.pick(words.MESSAGE_SUBJECTS)
            thread: list[list] = []
            for position in range(MESSAGES_PER_CONVERSATION.draw(dice)):
                if position:
                    sent += dice.between(10 * 60, 2 * _DAY)
                if sent > _BASE:
                    break
                sender, receiver = (enquirer, owner) if position % 2 == 0 else (owner, enquirer)
                thread.append(
                    [
                        sent,
                        sender,
                        receiver,
                        f"Re: {subject}" if position else subject,
                        dice.pick(words.MESSAGE_REPLIES if position else words.MESSAGE_OPENERS),
                        min(_BASE, sent + dice.between(60, 6 * _HOUR)),  # read at; 0 = unread
                        None if position else {"studio_id": sid},
                    ]
                )
            if thread and (k < 4 or dice.chance(0.35)):
                thread[-1][5] = 0
            rows.extend(thread)
        rows.sort(key=lambda message: (message[0], message[1]))
        for row_id, (sent, sender, receiver, subject, content, read_at, context) in enumerate(
            rows, 1
        ):
            if not read_at:
                notes.append(
                    Note(
                        sent,
                        receiver,
                        NotificationType.MESSAGE_RECEIVED,
                        "New message",
                        f"{self.display_name(sender)} sent you a message.",
                        {"message_id": row_id, "sender_id": sender},
                        "/messages",
                    )
                )
            yield (
                row_id,
                sender,
                receiver,
                subject,
                content,
                bool(read_at),
                _at(read_at) if read_at else None,
                context,
                _at(sent),
            )

    def notifications(self, notes: list[Note]) -> Iterator[tuple]:
        """What the events above told people, plus verifications and payments, by time."""
        dice = self.dice("notifications")
        for sid in range(1, self.n_studios + 1):
            state, created = self.studio_state[sid], self.studio_created[sid]
            owner = self.studio_owner[sid]
            verified_at, paid_at = min(_BASE, created + 3 * _DAY), min(_BASE, created + _DAY)
            if state & _VERIFIED and verified_at >= _WINDOW_START:
                notes.append(
                    Note(
                        verified_at,
                        owner,
                        NotificationType.STUDIO_VERIFIED,
                        "Studio verified",
                        "Your studio now shows the verified badge.",
                        {"studio_id": sid},
                        f"/studios/{sid}",
                    )
                )
            if state & _PREMIUM and paid_at >= _WINDOW_START:
                notes.append(
                    Note(
                        paid_at,
                        owner,
                        NotificationType.PAYMENT_SUCCESS,
                        "Payment received",
                        "Your premium listing is active for a year.",
                        {"studio_id": sid},
                        "/dashboard/billing",
                    )
                )
        notes.sort(key=lambda note: (note.at, note.user_id, note.type))
        for row_id, note in enumerate(notes, 1):
            read = note.at < _BASE - 7 * _DAY and dice.chance(0.85)
            read_at = _at(min(_BASE, note.at + dice.between(60, 3 * _DAY))) if read else None
            created = _at(note.at)
            yield (
                row_id,
                note.user_id,
                created,
                read_at or created,
                note.type,
                note.title,
                note.message,
                note.data,
                read,
                read_at,
                note.action_url,
            )

    def saved_searches(self) -> Iterator[tuple]:
        """A few searches, in the legacy site's filter format (see the schema report)."""
        dice = self.dice("saved-searches")
        owners = [DEMO_ID, DEMO_ID]
        owners += [self._random_user(dice) for _ in range(self.sizes.saved_searches - 2)]
        for row_id, uid in enumerate(owners, 1):
            city = self.cities[self.home_city if uid == DEMO_ID else self.picker.pick(dice)]
            created = dice.between(max(self.user_created[uid], _BASE - 365 * _DAY), _BASE)
            alerts = dice.chance(0.5)
            filters = {
                "location": f"{city.name}, {city.region or city.country}",
                "radius": dice.pick((10, 25, 50, 100)),
                "studioTypes": sorted(TYPE_WEIGHTS.distinct(dice, dice.below(3))),
                "services": sorted(SERVICE_WEIGHTS.distinct(dice, dice.below(3))),
                "sortBy": dice.pick(("name", "created_at", "rating")),
            }
            yield (
                row_id,
                uid,
                _at(created),
                _at(created),
                dice.pick(words.SAVED_SEARCH_NAMES),
                filters,
                _at(min(_BASE, created + 7 * _DAY)) if alerts else None,
                alerts,
            )

    def faq(self) -> Iterator[tuple]:
        created = _at(_START)
        for row_id, (question, answer) in enumerate(words.FAQ, 1):
            yield row_id, created, created, question, answer, row_id * 10

    # --- helpers --------------------------------------------------------------------

    def _random_user(self, dice: Dice, exclude: int = ADMIN_ID) -> int:
        """Anybody but the admin (and `exclude`)."""
        while True:
            uid = dice.between(2, self.n_users)
            if uid != exclude:
                return uid

    def _random_listed_studio(self, dice: Dice) -> int:
        while True:
            sid = dice.between(1, self.n_studios)
            if self.studio_state[sid] & _STATUS_MASK == _ACTIVE:
                return sid

    def _pick_users(self, dice: Dice, count: int, *, exclude: set[int], first: int = 0):
        """`count` different users (fewer if there aren't enough), none of `exclude`."""
        chosen = [first] if first and first not in exclude else []
        count = min(count, self.n_users - len(exclude))
        while len(chosen) < count:
            uid = dice.between(1, self.n_users)
            if uid not in exclude and uid not in chosen:
                chosen.append(uid)
        return chosen

    @staticmethod
    def _phone(city: City, dice: Dice) -> str | None:
        if not city.phone_prefix:
            return None
        return f"+{city.phone_prefix} {dice.between(100, 999)} {dice.between(100_000, 999_999)}"


USER_FIELDS = (
    "id", "password", "created_at", "updated_at", "email", "username", "display_name",
    "avatar_url", "role", "email_verified",
)  # fmt: skip
EMAIL_FIELDS = ("id", "user_id", "email", "verified", "primary")
PROFILE_FIELDS = (
    "id", "user_id", "created_at", "updated_at", "last_name", "phone", "about", "short_about",
    "location", "rate_tier_1", "rate_tier_2", "rate_tier_3", "show_rates", "instagram_url",
    "x_url", "linkedin_url", "youtube_url", "soundcloud_url", "is_crb_checked", "is_featured",
    "is_spotlight", "verification_level", "home_studio_description", "equipment_list",
    "services_offered", "show_email", "show_phone", "show_address", "show_directions",
    "use_coordinates_for_map", "studio_name",
)  # fmt: skip
STUDIO_FIELDS = (
    "id", "owner_id", "created_at", "updated_at", "name", "description", "full_address",
    "abbreviated_address", "city", "latitude", "longitude", "website_url", "phone",
    "is_premium", "is_verified", "is_profile_visible", "status",
)  # fmt: skip
IMAGE_FIELDS = ("id", "studio_id", "image_url", "alt_text", "sort_order")
REVIEW_FIELDS = (
    "id", "studio_id", "reviewer_id", "owner_id", "created_at", "updated_at", "rating",
    "content", "is_anonymous", "status",
)  # fmt: skip
RESPONSE_FIELDS = ("id", "review_id", "author_id", "created_at", "updated_at", "content")
CONNECTION_FIELDS = ("id", "user_id", "connected_user_id", "created_at", "accepted", "accepted_at")
MESSAGE_FIELDS = (
    "id", "sender_id", "receiver_id", "subject", "content", "is_read", "read_at", "context",
    "created_at",
)  # fmt: skip
NOTIFICATION_FIELDS = (
    "id", "user_id", "created_at", "updated_at", "type", "title", "message", "data", "read",
    "read_at", "action_url",
)  # fmt: skip
SAVED_SEARCH_FIELDS = (
    "id", "user_id", "created_at", "updated_at", "name", "filters", "last_alerted_at",
    "alerts_enabled",
)  # fmt: skip
FAQ_FIELDS = ("id", "created_at", "updated_at", "question", "answer", "sort_order")

# The tables worth loading without indexes at scale (the rest stay small).
BULK_TABLES = tuple(
    model._meta.db_table
    for model in (
        User, UserProfile, Studio, StudioStudioType, StudioService, StudioImage, Review,
        ReviewResponse, UserConnection, Message, Notification,
    )
)  # fmt: skip
