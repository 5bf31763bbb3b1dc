"""The /api/network reads: connections, pending requests, suggestions, stats."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from ..models import UserConnection
from ..serialization import iso, user_json

SUGGESTIONS = 10


def network_get(*, user: Any) -> dict[str, Any]:
    """Everything the network page shows, in three queries whatever the network's size."""
    mine = list(
        UserConnection.objects.filter(Q(user=user) | Q(connected_user=user)).select_related(
            "user", "connected_user"
        )
    )
    connections, incoming, outgoing = [], [], []
    friend_ids, related_ids = set(), {user.pk}
    for conn in mine:
        other = conn.connected_user if conn.user_id == user.pk else conn.user
        related_ids.add(other.pk)
        if conn.accepted:
            friend_ids.add(other.pk)
            connections.append({"user": user_json(other), "since": iso(conn.accepted_at)})
        elif conn.connected_user_id == user.pk:
            incoming.append({"user": user_json(other), "created_at": iso(conn.created_at)})
        else:
            outgoing.append({"user": user_json(other), "created_at": iso(conn.created_at)})
    return {
        "connections": connections,
        "incoming": incoming,
        "outgoing": outgoing,
        "suggestions": _suggestions(friend_ids=friend_ids, exclude=related_ids),
    }


def _suggestions(*, friend_ids: set[int], exclude: set[int]) -> list[dict[str, Any]]:
    """People my connections are connected with, most mutual connections first."""
    if not friend_ids:
        return []
    mutual: Counter[int] = Counter()
    for a, b in (
        UserConnection.objects.filter(accepted=True)
        .filter(Q(user_id__in=friend_ids) | Q(connected_user_id__in=friend_ids))
        .values_list("user_id", "connected_user_id")
    ):
        if a in friend_ids and b not in exclude:
            mutual[b] += 1
        if b in friend_ids and a not in exclude:
            mutual[a] += 1
    ranked = sorted(mutual.items(), key=lambda kv: (-kv[1], kv[0]))[:SUGGESTIONS]
    users = get_user_model().objects.in_bulk([uid for uid, _ in ranked])
    return [
        {"user": user_json(users[uid]), "mutual_connections": n}
        for uid, n in ranked
        if uid in users and users[uid].is_active
    ]


def network_stats(*, user: Any) -> dict[str, int]:
    """Counts for the dashboard. One query."""
    counts = UserConnection.objects.filter(Q(user=user) | Q(connected_user=user)).aggregate(
        connections=Count("id", filter=Q(accepted=True)),
        pending_incoming=Count("id", filter=Q(accepted=False, connected_user=user)),
        pending_outgoing=Count("id", filter=Q(accepted=False, user=user)),
    )
    return counts
