"""Throttling of failed authentications (moving window, per client address)."""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from app.errors import TooManyRequests


class FailedLogins:
    """Throttles clients that keep presenting wrong keys (moving window, per address)."""

    def __init__(self, per_minute: int) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._item = RateLimitItemPerMinute(per_minute)

    def check(self, client: str) -> None:
        if not self._limiter.test(self._item, client):
            reset_at, _ = self._limiter.get_window_stats(self._item, client)
            wait = max(1, math.ceil(reset_at - time.time()))
            raise TooManyRequests(
                "too many failed authentications from this client; wait and retry",
                headers={"Retry-After": str(wait)},
            )

    def failed(self, client: str) -> None:
        self._limiter.hit(self._item, client)
