"""HTTP endpoints of the realtime app: parse, authorise, call a service or selector, serialise.

Responses reuse realtime/serialization.py, so a REST answer carries exactly the objects
that events carry (the Zulip-style tests compare them).
"""

# Bounds on numbers from clients, so no value reaches PostgreSQL out of its range.
MAX_ID = 2**63 - 1  # bigint: message and event ids
MAX_OFFSET = 1_000_000
