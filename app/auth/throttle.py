"""Throttling of failed authentications (moving window, per client address).

Only failures are counted and only failures are refused: a valid key is always served, so
a neighbour behind the same address (or an attacker guessing from it) can never lock a
legitimate caller out. Keys carry 256 random bits, so throttling per key as well would
slow no realistic guess; what is throttled is the address that keeps guessing.

The address is the TCP peer's, or, only when the peer is one of the configured trusted
proxies (``OFFERWRIGHT_TRUSTED_PROXIES``), the client named in ``X-Forwarded-For``: Uvicorn
resolves it before the application sees the request (see ``server_options``)."""

from __future__ import annotations

import math
import time
from typing import Any

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from app.kit.errors import TooManyRequests
from app.kit.settings import Settings


class FailedLogins:
    """Throttles clients that keep presenting wrong keys (moving window, per address)."""

    def __init__(self, per_minute: int) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._item = RateLimitItemPerMinute(per_minute)

    def failed(self, client: str) -> None:
        """Count a failed authentication from ``client``; over the limit, 429."""
        # A refused hit is not recorded: waiting out the window is enough to be heard again.
        if not self._limiter.hit(self._item, client):
            reset_at, _ = self._limiter.get_window_stats(self._item, client)
            wait = max(1, math.ceil(reset_at - time.time()))
            raise TooManyRequests(
                "too many failed authentications from this client; wait and retry",
                headers={"Retry-After": str(wait)},
            )


def server_options(settings: Settings) -> dict[str, Any]:
    """Uvicorn's proxy options: proxy headers are read only from the trusted proxies, and
    not at all without any (Uvicorn's own default would trust 127.0.0.1, so any local
    process, or a proxy that passes the header through, could pick its address)."""
    if not settings.trusted_proxy_list:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": settings.trusted_proxy_list}


class SignInThrottle:
    """Failed sign-ins, counted per account and per address (moving windows of five
    minutes). Past either limit, a sign-in is refused until the window moves on — slower
    guessing, never a lock-out an attacker could make permanent: the wait is minutes, and
    the account's owner can always sign in from elsewhere once the address limit trips."""

    def __init__(self, per_account: int, per_address: int) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._account = RateLimitItemPerMinute(per_account, 5)
        self._address = RateLimitItemPerMinute(per_address, 5)

    def wait(self, account: str, address: str) -> int:
        """Seconds to wait before another try is heard (0: go ahead)."""
        waits = [
            math.ceil(self._limiter.get_window_stats(item, key)[0] - time.time())
            for item, key in ((self._account, f"account:{account}"), (self._address, address))
            if not self._limiter.test(item, key)
        ]
        return max([1, *waits]) if waits else 0

    def failed(self, account: str, address: str) -> None:
        self._limiter.hit(self._account, f"account:{account}")
        self._limiter.hit(self._address, address)
