"""Sending one delivery: the job ``deliver_webhook`` runs ``deliver`` with its id.

Safe to run again, and at the same time: a run first claims the delivery in a short
transaction (only a pending one nobody else is sending), sends without holding a database
connection, then records the attempt in another short transaction. A delivered or failed
delivery is never sent again. An answer other than 2xx (or none) raises ``DeliveryFailed``
for the job engine to retry after ``retry_in`` seconds, until the retry schedule
(``OFFERWRIGHT_WEBHOOK_RETRY_DELAYS``) is used up: then the delivery is failed and the run
ends without an error. A crash mid-send leaves the claim to expire, and the next run sends
again: at least once, with the same ``webhook-id`` for the receiver to drop duplicates."""

from __future__ import annotations

import contextlib
import math
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import or_, update

from app.jobs import RetryLater
from app.kit.database import Database
from app.kit.settings import Settings
from app.models import WebhookDelivery, WebhookEndpoint, utcnow
from app.webhooks.addresses import Allowed, Refused, Resolver, Target, check, system_resolver
from app.webhooks.events import PING
from app.webhooks.signing import signed_headers

USER_AGENT = "Offerwright-Webhooks/1.0"
# Attempts remembered per delivery (the count goes on): the log stays a few kilobytes.
KEPT_ATTEMPTS = 50
# A retry run this much before it is due still counts as due (timers are not exact).
EARLY = timedelta(seconds=1)
MAX_ERROR = 200
EXCERPT_BYTES = 256


class DeliveryFailed(RetryLater):
    """This attempt failed and another is due in ``retry_in`` seconds: the job engine runs
    the delivery again then, on the delivery's own schedule."""

    def __init__(self, detail: str, retry_in: int) -> None:
        super().__init__(detail, retry_in)


@dataclass(frozen=True, slots=True)
class _Claim:
    message_id: str
    body: bytes
    url: str
    secrets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Skip:
    status: str | None  # None: no such delivery
    due_in: int | None = None  # pending, but its next attempt is not due for this long


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int
    response: str | None = None  # the start of the answer's body

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def make_client() -> httpx.Client:
    """The client deliveries are sent with: no proxy from the environment (the connection
    must go to the address checked), no redirects followed, certificates verified, and a
    new connection each time (so the deadline can cut it, ``_Deadline``)."""
    return httpx.Client(
        trust_env=False, follow_redirects=False, verify=True,
        limits=httpx.Limits(max_keepalive_connections=0),
    )  # fmt: skip


class _Deadline:
    """The attempt's time limit for the whole exchange. httpx's timeouts are per operation:
    an endpoint that trickles its answer a byte at a time would hold the worker for ever.
    At the deadline the connection's socket is shut, and the read waiting on it ends."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.passed = False
        self._socket: socket.socket | None = None
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's ``trace`` extension: remembers the socket once connected."""
        if event == "connection.connect_tcp.complete" and info.get("return_value") is not None:
            self._socket = info["return_value"].get_extra_info("socket")

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._timer.cancel()

    def _cut(self) -> None:
        self.passed = True
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)


def deliver(
    database: Database,
    settings: Settings,
    delivery_id: int,
    *,
    client: httpx.Client,
    resolve: Resolver = system_resolver,
) -> str | None:
    """Attempt the delivery once; its status afterwards (None: no such delivery).
    ``DeliveryFailed`` when it is to be tried again."""
    claim = _claim(database, settings, delivery_id)
    if isinstance(claim, _Skip):
        if claim.due_in is not None:
            # Run before its retry is due (a duplicate job, an engine retrying at once):
            # the schedule holds, and no attempt is spent.
            raise DeliveryFailed(f"delivery {delivery_id} is not due yet", claim.due_in)
        return claim.status
    outcome = attempt(settings, claim, client, resolve)
    status, retry_in = _record(database, settings, delivery_id, outcome)
    if retry_in is not None:
        raise DeliveryFailed(f"delivery {delivery_id}: {outcome.error}", retry_in)
    return status


def _claim(database: Database, settings: Settings, delivery_id: int) -> _Claim | _Skip:
    """The delivery to send, claimed; or why this run sends nothing."""
    now = utcnow()
    # Long enough for the lookup, the request and recording it; past it, a crashed run's
    # claim lapses and the delivery can be sent again.
    lease = timedelta(seconds=2 * settings.webhook_timeout_seconds + 30)
    due = WebhookDelivery.next_attempt_at
    with database.transaction(write=True) as session:
        claimed = session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == "pending",
                or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
                or_(due.is_(None), due <= now + EARLY),
            )
            .values(locked_until=now + lease)
            .execution_options(synchronize_session=False)
        )
        row = session.get(WebhookDelivery, delivery_id)
        if row is None:
            return _Skip(None)
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return _Skip(row.status, _not_due(row, now))
        endpoint = session.get(WebhookEndpoint, row.endpoint_id)
        if endpoint is None or (not endpoint.enabled and row.event_type != PING):
            _finish(row, "failed", now)
            row.last_error = "the endpoint is disabled" if endpoint else "the endpoint is gone"
            return _Skip(row.status)
        return _Claim(row.message_id, row.body.encode("utf-8"), endpoint.url,
                      _secrets_in_use(endpoint, now))  # fmt: skip


def _not_due(row: WebhookDelivery, now: datetime) -> int | None:
    """Seconds until a pending delivery nobody is sending is due; None otherwise."""
    free = row.locked_until is None or row.locked_until < now
    if row.status != "pending" or not free or row.next_attempt_at is None:
        return None
    return max(1, math.ceil((row.next_attempt_at - now).total_seconds()))


def _secrets_in_use(endpoint: WebhookEndpoint, now: datetime) -> tuple[str, ...]:
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_until
        and (endpoint.previous_secret_until > now)
    ):
        return (endpoint.secret, endpoint.previous_secret)
    return (endpoint.secret,)


def attempt(settings: Settings, claim: _Claim, client: httpx.Client, resolve: Resolver) -> Outcome:
    """One POST of the signed payload to the checked address; nothing of the database."""
    started = time.perf_counter()

    def took() -> int:
        return round((time.perf_counter() - started) * 1000)

    try:
        target = check(claim.url, Allowed.parse(settings.webhook_allowed_list), resolve)
    except Refused as refused:
        return Outcome(None, _short(f"not sent: the URL {refused}"), took())
    late = f"no answer within {settings.webhook_timeout_seconds:g} s"
    with _Deadline(settings.webhook_timeout_seconds) as deadline:
        request = _request(settings, claim, client, target, deadline)
        try:
            response = client.send(request, follow_redirects=False, stream=True)
        except httpx.TimeoutException:
            return Outcome(None, late, took())
        except httpx.HTTPError as error:
            failed = late if deadline.passed else f"{type(error).__name__}: {error}"
            return Outcome(None, _short(failed), took())
        # The status is in: a body still trickling when the deadline cuts it only
        # shortens the excerpt (a 2xx was delivered, whatever follows it).
        excerpt = _excerpt(response)
    code = response.status_code
    if 200 <= code < 300:
        return Outcome(code, None, took(), excerpt)
    if response.is_redirect:
        where = response.headers.get("location", "")
        return Outcome(code, _short(f"redirects are not followed (to {where})"), took(), excerpt)
    return Outcome(code, f"answered {code} {response.reason_phrase}".strip(), took(), excerpt)


def _excerpt(response: httpx.Response) -> str | None:
    """The start of the answer's body, for the delivery log (what a receiver said when it
    refused); never more is read, whatever it sends."""
    taken = b""
    try:
        for chunk in response.iter_bytes(EXCERPT_BYTES):
            taken += chunk
            if len(taken) >= EXCERPT_BYTES:
                break
    except httpx.HTTPError:
        pass  # the status is the answer: a body cut short changes nothing
    finally:
        response.close()
    text = taken[:EXCERPT_BYTES].decode("utf-8", errors="replace").strip()
    return text or None


def _request(
    settings: Settings, claim: _Claim, client: httpx.Client, target: Target, deadline: _Deadline
) -> httpx.Request:
    headers = signed_headers(claim.message_id, utcnow(), claim.body, claim.secrets)
    headers.update({
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    })  # fmt: skip
    extensions: dict[str, Any] = {"trace": deadline.trace}
    if target.server_name is not None:
        extensions["sni_hostname"] = target.server_name
    return client.build_request(
        "POST", target.request_url(), content=claim.body, headers=headers,
        timeout=settings.webhook_timeout_seconds, extensions=extensions,
    )  # fmt: skip


def _record(
    database: Database, settings: Settings, delivery_id: int, outcome: Outcome
) -> tuple[str | None, int | None]:
    """The attempt written down; the status now and, when another attempt is due, in how
    many seconds."""
    schedule = settings.webhook_retry_schedule
    now = utcnow()
    with database.transaction(write=True) as session:
        row = session.get(WebhookDelivery, delivery_id)
        if row is None:  # its endpoint was deleted meanwhile
            return None, None
        row.attempts += 1
        entry = {"at": now.isoformat(), "status_code": outcome.status_code,
                 "error": outcome.error, "duration_ms": outcome.duration_ms,
                 "response": outcome.response}  # fmt: skip
        row.attempt_log = [*row.attempt_log, entry][-KEPT_ATTEMPTS:]
        row.last_status_code = outcome.status_code
        row.last_error = outcome.error
        if outcome.delivered:
            _finish(row, "delivered", now)
            row.delivered_at = now
            return row.status, None
        if row.attempts > len(schedule):
            _finish(row, "failed", now)
            return row.status, None
        retry_in = schedule[row.attempts - 1]
        row.next_attempt_at = now + timedelta(seconds=retry_in)
        row.locked_until = None
        return row.status, retry_in


def _finish(row: WebhookDelivery, status: str, now: datetime) -> None:
    row.status = status
    row.next_attempt_at = None
    row.locked_until = None
    row.updated_at = now


def _short(text: str) -> str:
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"
