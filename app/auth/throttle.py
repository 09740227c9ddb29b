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
import threading
import time
from collections import deque
from collections.abc import Callable
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
    """Failed sign-ins, counted per account (from one address) and per address, in moving
    windows. Past either limit a sign-in from that address is refused until the window
    moves on: guessing is slowed, and nobody can lock an account's owner out. The account's
    count is kept per address because an account-wide count would let anyone keep its
    owner out for as long as they cared to send five wrong passwords every few minutes;
    with it, a guesser slows only themselves, and the owner signs in from their own
    address. Guessing spread over many addresses is held back by the length of passwords
    (12 characters or more) and by each address's own limit.

    In memory, per process (as the API's throttle): only failures are counted, so a
    restart forgets nothing a legitimate user needs. ``clock`` is for tests."""

    def __init__(
        self, per_account: int, per_address: int, *, window_seconds: float = 300,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self._limits = {"account": per_account, "address": per_address}
        self._window = window_seconds
        self.clock = clock
        self._failures: dict[tuple[str, ...], deque[float]] = {}
        self._lock = threading.Lock()

    def _keys(self, account: str, address: str) -> list[tuple[tuple[str, ...], int]]:
        return [(("account", account, address), self._limits["account"]),
                (("address", address), self._limits["address"])]  # fmt: skip

    def _recent(self, key: tuple[str, ...], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self._window:
            times.popleft()
        return times

    def wait(self, account: str, address: str) -> int:
        """Seconds to wait before another try from ``address`` is heard (0: go ahead)."""
        now = self.clock()
        waits = [0.0]
        with self._lock:
            for key, limit in self._keys(account, address):
                times = self._recent(key, now)
                if len(times) >= limit:  # heard again when enough failures leave the window
                    waits.append(times[len(times) - limit] + self._window - now)
        longest = max(waits)
        return max(1, math.ceil(longest)) if longest > 0 else 0

    def failed(self, account: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) > 100_000:  # many guessers: forget what has left the window
                for key in list(self._failures):
                    if not self._recent(key, now):
                        del self._failures[key]
            for key, _ in self._keys(account, address):
                self._failures[key] = self._recent(key, now)
                self._failures[key].append(now)
