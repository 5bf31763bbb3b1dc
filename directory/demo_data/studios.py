"""The demo studios with their types, services, images, reviews; saved searches; FAQ."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from realtime.models import NotificationType

from ..models import (
    ReviewStatus,
)
from . import vocabulary as words
from .gazetteer import scatter
from .plan import (
    _ACTIVE,
    _BASE,
    _DAY,
    _HOUR,
    _INACTIVE,
    _PREMIUM,
    _START,
    _STATUS,
    _STATUS_MASK,
    _VERIFIED,
    _WINDOW_START,
    ADMIN_ID,
    DEMO_ID,
    IMAGE_CAPTIONS,
    IMAGES_PER_STUDIO,
    PINNED_ID,
    RATINGS,
    REVIEW_STATUS,
    REVIEWS_PER_STUDIO,
    SERVICE_WEIGHTS,
    SERVICES_PER_STUDIO,
    TYPE_WEIGHTS,
    TYPES_PER_STUDIO,
    Note,
    _at,
)


class StudioRows:
    """Rows of the directory's tables (a mixin of DemoBuilder)."""

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
