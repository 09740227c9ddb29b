"""Webhook endpoints (admins): register, read, change, delete, rotate the secret, ping; and
each endpoint's delivery log. Every change is audited (never with a secret in it)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app import audit
from app.auth import Principal
from app.jobs import Jobs
from app.kit.errors import FieldProblem, Invalid, NotFound
from app.kit.pagination import Page, newest_first
from app.kit.preconditions import check_precondition
from app.kit.representation import Representation, represent
from app.kit.settings import Settings
from app.models import WebhookDelivery, WebhookEndpoint, utcnow
from app.webhooks.addresses import Allowed, Refused, Resolver, check, system_resolver
from app.webhooks.emission import queue
from app.webhooks.events import DELIVER_TASK, PING
from app.webhooks.schemas import DeliveryStatus, WebhookEndpointCreate, WebhookEndpointPatch
from app.webhooks.signing import hint, new_secret

KIND = "webhook"


def check_url(settings: Settings, url: str, resolve: Resolver = system_resolver) -> None:
    """``url`` may be called (as ``deliver`` will check it again): else a 422 naming it.
    Resolves the host: run it before the write transaction, never inside it."""
    try:
        check(url, Allowed.parse(settings.webhook_allowed_list), resolve)
    except Refused as refused:
        raise Invalid("the endpoint URL is refused", [FieldProblem("url", str(refused))]) from None


def view(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """The endpoint as answered (``WebhookEndpoint``): never its secret."""
    until = endpoint.previous_secret_until
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": list(endpoint.events),
        "enabled": endpoint.enabled,
        "secret_hint": hint(endpoint.secret),
        "secret_rotated_at": _instant(endpoint.secret_rotated_at),
        "previous_secret_valid_until": _instant(until) if endpoint.previous_secret else None,
        "created_by": endpoint.created_by,
        "created_at": _instant(endpoint.created_at),
        "updated_at": _instant(endpoint.updated_at),
    }


def with_secret(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {**view(endpoint), "secret": endpoint.secret}


def create(session: Session, principal: Principal, body: WebhookEndpointCreate) -> dict[str, Any]:
    """A new endpoint and its secret (shown in this answer only). The URL was checked."""
    now = utcnow()
    endpoint = WebhookEndpoint(
        url=body.url, description=body.description, events=list(body.events),
        enabled=body.enabled, secret=new_secret(), created_by=principal.name,
        created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(endpoint)
    session.flush()
    audit.record(session, principal, "create", KIND, str(endpoint.id), None, view(endpoint))
    return with_secret(endpoint)


def listing(session: Session, limit: int, cursor: str | None) -> Page[dict[str, Any]]:
    page = newest_first(session, select(WebhookEndpoint), WebhookEndpoint.id, limit, cursor)
    return Page([view(endpoint) for endpoint in page.items], page.next_cursor)


def read(session: Session, endpoint_id: int) -> Representation:
    return represent(view(_endpoint(session, endpoint_id)))


def patch(
    session: Session,
    principal: Principal,
    endpoint_id: int,
    body: WebhookEndpointPatch,
    if_match: str | None,
) -> Representation:
    """Change what the patch names, if the endpoint is still as the caller read it (a new
    URL was checked before)."""
    endpoint = _endpoint(session, endpoint_id, lock=True)
    before = view(endpoint)
    check_precondition(if_match, represent(before).etag, required=True)
    sent = body.model_fields_set
    if body.url is not None:
        endpoint.url = body.url
    if body.events is not None:
        endpoint.events = list(body.events)
    if "description" in sent:
        endpoint.description = body.description or ""
    if body.enabled is not None:
        endpoint.enabled = body.enabled
    after = view(endpoint)
    if after != before:
        endpoint.updated_at = utcnow()
        session.flush()
        after = view(endpoint)
        audit.record(session, principal, "update", KIND, str(endpoint_id), before, after)
    return represent(after)


def remove(session: Session, principal: Principal, endpoint_id: int, if_match: str | None) -> None:
    """The endpoint and its delivery log; deliveries not yet sent are dropped."""
    endpoint = _endpoint(session, endpoint_id, lock=True)
    before = view(endpoint)
    check_precondition(if_match, represent(before).etag, required=False)
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id))
    session.delete(endpoint)
    audit.record(session, principal, "delete", KIND, str(endpoint_id), before, None)


def rotate_secret(
    session: Session, principal: Principal, endpoint_id: int, settings: Settings
) -> dict[str, Any]:
    """A new secret, shown once; the old one still signs (beside it) for the grace period,
    so the receiver can switch without losing a message."""
    endpoint = _endpoint(session, endpoint_id, lock=True)
    before = view(endpoint)
    now = utcnow()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = now + timedelta(hours=settings.webhook_secret_grace_hours)
    endpoint.secret = new_secret()
    endpoint.secret_rotated_at = endpoint.updated_at = now
    session.flush()
    audit.record(
        session, principal, "rotate-secret", KIND, str(endpoint_id), before, view(endpoint)
    )
    return with_secret(endpoint)


def ping(session: Session, jobs: Jobs, endpoint_id: int) -> dict[str, Any]:
    """A test event (``webhook.ping``) queued for this endpoint alone, enabled or not."""
    endpoint = _endpoint(session, endpoint_id)
    data = {"endpoint_id": endpoint.id, "message": "a test delivery from Offerwright"}
    (delivery_id,) = queue(session, jobs, [endpoint], PING, data)
    row = session.get(WebhookDelivery, delivery_id)
    assert row is not None
    return delivery_view(row)


def deliveries(
    session: Session,
    endpoint_id: int,
    limit: int,
    cursor: str | None,
    status: DeliveryStatus | None = None,
    event_type: str | None = None,
) -> Page[dict[str, Any]]:
    """The endpoint's deliveries, newest first."""
    _endpoint(session, endpoint_id)
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    if event_type is not None:
        query = query.where(WebhookDelivery.event_type == event_type)
    page = newest_first(session, query, WebhookDelivery.id, limit, cursor)
    return Page([delivery_view(row) for row in page.items], page.next_cursor)


def delivery(session: Session, endpoint_id: int, delivery_id: int) -> dict[str, Any]:
    return delivery_view(_delivery(session, endpoint_id, delivery_id))


def redeliver(
    session: Session, principal: Principal, jobs: Jobs, endpoint_id: int, delivery_id: int
) -> dict[str, Any]:
    """Send a delivery again (the same message: same id and payload), with a fresh retry
    schedule: a failed one once the endpoint is fixed, or a delivered one the receiver
    lost. One still pending is already on its way: unchanged."""
    row = _delivery(session, endpoint_id, delivery_id)
    if row.status != "pending":
        audit.record(session, principal, "redeliver", "webhook_delivery", str(delivery_id),
                     {"status": row.status}, {"status": "pending"})  # fmt: skip
        row.status = "pending"
        row.attempts = 0
        row.next_attempt_at = row.locked_until = row.delivered_at = None
        row.updated_at = utcnow()
        session.flush()
        jobs.defer(session, DELIVER_TASK, delivery_id=row.id)
    return delivery_view(row)


def delivery_view(row: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": row.id,
        "endpoint_id": row.endpoint_id,
        "event_type": row.event_type,
        "message_id": row.message_id,
        "status": row.status,
        "attempts": row.attempts,
        "last_status_code": row.last_status_code,
        "last_error": row.last_error,
        "next_attempt_at": _instant(row.next_attempt_at),
        "created_at": _instant(row.created_at),
        "updated_at": _instant(row.updated_at),
        "delivered_at": _instant(row.delivered_at),
        "payload": json.loads(row.body),
        "attempt_log": list(row.attempt_log),
    }


def _endpoint(session: Session, endpoint_id: int, *, lock: bool = False) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id, with_for_update=lock)
    if endpoint is None:
        raise NotFound(f"no webhook endpoint {endpoint_id}")
    return endpoint


def _delivery(session: Session, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    row = session.get(WebhookDelivery, delivery_id)
    if row is None or row.endpoint_id != endpoint_id:
        raise NotFound(f"no delivery {delivery_id} of webhook endpoint {endpoint_id}")
    return row


def _instant(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())
