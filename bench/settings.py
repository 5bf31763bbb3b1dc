"""The application's settings as the benchmarks run it.

Benchmarks select what they measure here, never through a switch in production code:
the per-user message-send budget (realtime/services/budget.py, 120/minute by default)
is lifted, since a load test sends from few users at person-like rates far above it.
"""

from project.settings import *  # noqa: F403

MESSAGE_SEND_RATE = "1000000/minute"
