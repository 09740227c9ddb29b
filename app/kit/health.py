"""Liveness and readiness. ``/healthz`` stays fast however busy the handlers are: it runs
on the event loop, checks the database on a connection and a thread of its own (never
behind busy handler threads or an exhausted pool), at most once a second, the answer shared
by every caller in between. Unhealthy is a 503 problem, as every error is."""

from __future__ import annotations

import time
from typing import Annotated, Literal

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from app.kit.contract import problems
from app.kit.database import Database
from app.kit.errors import Unhealthy
from app.kit.wiring import wired

router = APIRouter(tags=["health"])


class Health:
    def __init__(self, database: Database, *, every_seconds: float = 1.0) -> None:
        self.database = database
        self.every_seconds = every_seconds
        self._limiter = anyio.CapacityLimiter(1)
        self._lock: anyio.Lock | None = None
        self._checked_at = float("-inf")
        self._ok = False

    async def database_ok(self) -> bool:
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            if time.monotonic() - self._checked_at >= self.every_seconds:
                self._ok = await anyio.to_thread.run_sync(self.database.ping, limiter=self._limiter)
                self._checked_at = time.monotonic()
            return self._ok


class Healthy(BaseModel):
    """The API and its database answer."""

    status: Literal["ok"]
    database: Literal["ok"]


@router.get("/healthz", response_model=Healthy, responses=problems(503))
async def health(health: Annotated[Health, Depends(wired(Health))]) -> Response:
    """200 when the API and its database answer; otherwise a 503 problem (type
    `unavailable`, `"database": "unreachable"`) with `Retry-After`."""
    if not await health.database_ok():
        raise Unhealthy(
            "the database does not answer",
            headers={"Retry-After": "1"},
            extra={"database": "unreachable"},
        )
    return JSONResponse({"status": "ok", "database": "ok"})
