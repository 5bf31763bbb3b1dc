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

from allauth.account.models import EmailAddress

from accounts.models import User, UserProfile
from realtime.models import EventStream, Message, Notification, UserConnection

from ..models import (
    Faq,
    Review,
    ReviewResponse,
    SavedSearch,
    Studio,
    StudioImage,
    StudioService,
    StudioStudioType,
)
from . import vocabulary as words
from .activity import ActivityRows
from .dice import Dice
from .gazetteer import City, CityPicker, cities, find_city
from .loader import BulkLoader
from .people import PeopleRows
from .plan import (
    _ACTIVE,
    _ADMIN,
    _BASE,
    _DAY,
    _HOUR,
    _MEMBER,
    _OWNER,
    _PREMIUM,
    _SPECIAL_NAMES,
    _SPECIAL_USERNAMES,
    _START,
    _STATUS_MASK,
    _VERIFIED,
    ADMIN_ID,
    DEMO_ID,
    HOME_CITY,
    PINNED_ID,
    STATUS_WEIGHTS,
    Note,
    Sizes,
    _mix,
)
from .studios import StudioRows


class DemoBuilder(PeopleRows, StudioRows, ActivityRows):
    """The plan (users, studios) and the streams of rows drawn from it, one table each."""

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
        # What an account gets when it is made (realtime/signals.py); COPY sends no signal.
        loader.load(
            EventStream,
            ("user_id",),
            ((uid,) for uid in range(1, self.n_users + 1)),
            total=self.n_users,
        )
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
