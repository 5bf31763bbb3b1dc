"""Signals other layers subscribe to. Sent only after the transaction commits.

user_access_revoked(sender, user_id: int, reason: str)
    The user's existing sessions and sockets must stop now. `reason` is "suspended"
    (close sockets with realtime.close_codes.SUSPENDED, 4403) or "deleted" (4401).
    Sent by accounts.services.accounts (user_suspend, user_account_delete) and by the
    Django admin when an admin suspends someone there. The realtime layer connects a
    receiver that tells every process's sockets of that user to close.
"""

from __future__ import annotations

from django.dispatch import Signal

user_access_revoked = Signal()
