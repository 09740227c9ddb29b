"""Clients that trickle their request bodies hold nothing while they do: not the write lock,
not a database connection, not a thread. Past the body deadline they get 408."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.served import PROPOSAL, Served

pytestmark = pytest.mark.slow

QUOTE = b'{"price_book": "EUR", "term_months": 12, "lines": []}'


@contextmanager
def trickling(server: Served, path: str, role: str) -> Iterator[socket.socket]:
    """A POST whose headers promise a body of which only the first byte ever arrives."""
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\n"
            f"Authorization: Bearer {server.keys[role]}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(QUOTE)}\r\n\r\n"
        )
        sock.sendall(head.encode() + QUOTE[:1])
        yield sock


def _answer(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def test_a_trickling_writer_holds_no_write_lock_and_is_cut_off(server: Served) -> None:
    with trickling(server, "/v1/proposals/1/transition", "delivery") as slow:
        other = httpx.post(
            f"{server.url}/v1/proposals", json=PROPOSAL, headers=server.headers("sales"),
            timeout=30,
        )  # fmt: skip
        assert other.status_code == 201, other.text  # not 503 database-busy
        answer = _answer(slow)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"request-timeout" in answer


def test_many_slow_bodies_leave_the_pool_and_the_threads_free(server: Served) -> None:
    with ExitStack() as slow:
        for _ in range(40):  # more than the threads and the pool together
            slow.enter_context(trickling(server, "/v1/quotes/price", "sales"))
        listing = httpx.get(
            f"{server.url}/v1/components?limit=5", headers=server.headers("sales"), timeout=30
        )
        health = httpx.get(f"{server.url}/healthz", timeout=30)
    assert listing.status_code == 200, listing.text
    assert health.json() == {"status": "ok", "database": "ok"}
