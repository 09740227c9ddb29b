"""Request bodies are read whole before any handler runs: within a size limit (413 past it,
before anything buffers it whole) and a time limit (408 for a client that trickles). So no
handler ever waits for a client while it holds a database connection, the write lock, a
thread or a solver."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


class BufferedBody:
    """ASGI middleware: ``limit_for(path)`` bytes at most, by Content-Length or as counted,
    all in within ``timeout`` seconds; the app then receives the body as one message."""

    def __init__(
        self,
        app: Any,
        limit_for: Callable[[str], int],
        timeout: float = 30.0,
        eager_limit: int | None = None,
    ) -> None:
        self.app = app
        self.limit_for = limit_for
        self.timeout = timeout
        # A path allowed more than this (a catalog import: 64 MiB) is not read up front: its
        # route reads it after authentication, holding no connection and no thread while it
        # waits, so an anonymous client cannot make a process hold 64 MiB per connection.
        self.eager_limit = eager_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _refuse(scope, send, 413, "payload-too-large", "Payload too large",
                              f"the request body is over the limit of {limit} bytes")  # fmt: skip
                return
        if self.eager_limit is not None and limit > self.eager_limit:
            await self._streamed(scope, receive, send, limit)
            return
        try:
            with anyio.fail_after(self.timeout):
                body = await _read(receive, limit)
        except _TooLarge:
            await _refuse(scope, send, 413, "payload-too-large", "Payload too large",
                          f"the request body is over the limit of {limit} bytes")  # fmt: skip
            return
        except TimeoutError:
            await _refuse(scope, send, 408, "request-timeout", "Request timeout",
                          f"the request body did not arrive within {self.timeout:g} s")  # fmt: skip
            return
        except _Disconnected:
            return  # nobody is left to answer
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # only http.disconnect is left to come

        await self.app(scope, replay, send)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """The body passed on as it comes, counted: 413 once it passes ``limit``."""
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started:
                await _refuse(scope, send, 413, "payload-too-large", "Payload too large",
                              f"the request body is over the limit of {limit} bytes")  # fmt: skip


async def _read(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _refuse(
    scope: Scope, send: Send, status: int, slug: str, title: str, detail: str
) -> None:
    body = json.dumps(
        {
            "type": f"urn:offerwright:problem:{slug}",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope["path"],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
