"""Request bodies: ordinary ones read whole before the app runs; a large upload (a catalog
import) left to its route, which reads it only after authentication."""

from __future__ import annotations

import asyncio
from typing import Any

from app.kit.request_body import BufferedBody

CHUNKS = 4


def _pulled(path: str) -> tuple[int, int]:
    """How many body messages were pulled before the app answered, and its status."""
    pulled = 0
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * 10, "more_body": pulled < CHUNKS}

    async def refuse_unread(scope: Any, receive: Any, send: Any) -> None:  # a 401, body unread
        await send({"type": "http.response.start", "status": 401, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    limits = {"/v1/catalog/import": 1_000}
    middleware = BufferedBody(refuse_unread, lambda p: limits.get(p, 100), eager_limit=100)
    scope = {"type": "http", "path": path, "headers": []}
    asyncio.run(middleware(scope, receive, send))
    return pulled, statuses[0]


def test_an_ordinary_body_is_read_whole_before_the_app_runs() -> None:
    assert _pulled("/v1/components") == (CHUNKS, 401)


def test_a_large_upload_is_not_read_before_its_route_asks() -> None:
    assert _pulled("/v1/catalog/import") == (0, 401)
