"""The demo activity: connections, messages and notifications."""

from __future__ import annotations

from collections.abc import Iterator

from realtime.models import NotificationType

from . import vocabulary as words
from .plan import (
    _BASE,
    _DAY,
    _HOUR,
    _PREMIUM,
    _VERIFIED,
    _WINDOW_START,
    DEMO_ID,
    MESSAGES_PER_CONVERSATION,
    PINNED_ID,
    Note,
    _at,
)


class ActivityRows:
    """Rows of the realtime tables (a mixin of DemoBuilder)."""

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
