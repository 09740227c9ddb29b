"""Emitting an event: in the caller's own transaction, one delivery per enabled endpoint
that subscribed to it, its payload frozen as the bytes that will be signed and sent, and a
job deferred for each (run once that transaction commits, never if it rolls back)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.jobs import Jobs
from app.models import WebhookDelivery, WebhookEndpoint, utcnow
from app.webhooks.events import DELIVER_TASK, EVENT_TYPES
from app.webhooks.signing import new_message_id


def emit(session: Session, jobs: Jobs, event_type: str, data: Mapping[str, Any]) -> list[int]:
    """Queue ``event_type`` with ``data`` for every enabled endpoint subscribed to it; the
    ids of the deliveries made (none when nobody listens)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"{event_type!r} is not a webhook event ({', '.join(EVENT_TYPES)})")
    enabled = session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.enabled.is_(True))
        .order_by(WebhookEndpoint.id)
    )
    listening = [endpoint for endpoint in enabled if event_type in endpoint.events]
    return queue(session, jobs, listening, event_type, data)


def queue(
    session: Session,
    jobs: Jobs,
    endpoints: list[WebhookEndpoint],
    event_type: str,
    data: Mapping[str, Any],
) -> list[int]:
    """One delivery of one message (one ``webhook-id``) to each of ``endpoints``."""
    if not endpoints:
        return []
    body = payload(event_type, utcnow(), data)
    message_id = new_message_id()
    rows = [
        WebhookDelivery(
            endpoint_id=endpoint.id, event_type=event_type, message_id=message_id, body=body,
            status="pending", attempts=0, attempt_log=[],
        )
        for endpoint in endpoints
    ]  # fmt: skip
    session.add_all(rows)
    session.flush()  # their ids, for the jobs
    for row in rows:
        jobs.defer(session, DELIVER_TASK, delivery_id=row.id)
    return [row.id for row in rows]


def payload(event_type: str, at: datetime, data: Mapping[str, Any]) -> str:
    """The Standard Webhooks payload, ``{"type", "timestamp", "data"}``, as compact JSON:
    the exact text every attempt sends (amounts as exact decimal strings, never floats)."""
    document = {"type": event_type, "timestamp": _instant(at), "data": dict(data)}
    _refuse_floats(document)
    return json.dumps(
        document, default=_jsonable, ensure_ascii=False, allow_nan=False, separators=(",", ":")
    )


def _refuse_floats(value: object) -> None:
    # A float would send an amount rounded to binary: amounts go as Decimal (sent as text).
    if isinstance(value, float):
        raise TypeError("a float cannot be sent in a webhook payload: use Decimal")
    if isinstance(value, Mapping):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


def _instant(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _jsonable(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return _instant(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be sent in a webhook payload")
