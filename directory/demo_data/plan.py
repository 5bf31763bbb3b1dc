"""The demo data set's constants, weights and small records (directory/demo_data/builder.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from accounts.models import Role

from ..models import ReviewStatus, ServiceType, StudioStatus, StudioType
from .dice import Weighted

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
