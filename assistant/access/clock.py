"""Seconds on a monotonic clock, for login waits and idle sessions (tests replace `now` to step time)."""
import time


def now() -> float:
    return time.monotonic()
