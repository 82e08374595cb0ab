"""Wrong passwords: after `max_failures` within `window` seconds from one session or one client,
further attempts wait, and the wait doubles with each further failure. An attempt made during the
wait is refused without the password being compared.

Kept in memory per server process (each app instance throttles on its own); every failure is also
written to the audit log by the caller.
"""
from __future__ import annotations

import threading
from collections import defaultdict, deque

from . import clock


class LoginThrottle:
    def __init__(self, max_failures: int = 5, window: float = 900.0, backoff: float = 30.0):
        if max_failures < 1 or window <= 0 or backoff <= 0:
            raise ValueError("max_failures ≥ 1, window > 0 and backoff > 0 are required")
        self.max_failures, self.window, self.backoff = max_failures, window, backoff
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, s) -> "LoginThrottle":
        return cls(s.login_max_failures, s.login_window_minutes * 60, s.login_backoff_seconds)

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures[key]
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def wait(self, keys: list[str], now: float | None = None) -> float:
        """Seconds before any of `keys` may try again (0: an attempt may be checked now)."""
        now = clock.now() if now is None else now
        longest = 0.0
        with self._lock:
            for key in keys:
                q = self._recent(key, now)
                if len(q) >= self.max_failures:
                    pause = min(self.backoff * 2 ** (len(q) - self.max_failures), self.window)
                    longest = max(longest, q[-1] + pause - now)
        return max(longest, 0.0)

    def failed(self, keys: list[str], now: float | None = None) -> int:
        """Record a wrong password; returns the most failures any key now has within the window."""
        now = clock.now() if now is None else now
        with self._lock:
            counts = []
            for key in keys:
                q = self._recent(key, now)
                q.append(now)
                counts.append(len(q))
        return max(counts, default=0)

    def succeeded(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
