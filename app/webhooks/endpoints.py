"""Webhook endpoints and their delivery logs (admins only).

Answers are sent as the service builds them: the schemas of ``app.webhooks.schemas``
document them, nothing re-validates or reshapes them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse, Response

from app.auth import Cursor, DbSession, Limit, Principal, Writing, json_model, requires
from app.jobs import Jobs
from app.kit.contract import problems
from app.kit.params import Id
from app.kit.representation import represent
from app.kit.responses import tagged
from app.kit.settings import Settings
from app.kit.wiring import wired
from app.webhooks import service as webhooks
from app.webhooks.catalogue import DESCRIPTIONS, EXAMPLES
from app.webhooks.events import EventType
from app.webhooks.schemas import (
    DeliveryStatus,
    EventTypeList,
    WebhookDelivery,
    WebhookDeliveryPage,
    WebhookEndpoint,
    WebhookEndpointCreate,
    WebhookEndpointPage,
    WebhookEndpointPatch,
    WebhookEndpointWithSecret,
)

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

Admin = Annotated[Principal, Depends(requires("webhooks.manage"))]
JobQueue = Annotated[Jobs, Depends(wired(Jobs))]
Configured = Annotated[Settings, Depends(wired(Settings))]
CreateBody = Annotated[
    WebhookEndpointCreate, Depends(json_model(WebhookEndpointCreate, "webhook endpoint"))
]
PatchBody = Annotated[
    WebhookEndpointPatch,
    Depends(json_model(WebhookEndpointPatch, "webhook endpoint patch", merge_patch=True)),
]
IfMatch = Annotated[str | None, Header(description="the ETag of the endpoint as you read it")]

_ETAG = {"ETag": {"description": "the endpoint's version: `If-Match` of a change",
                  "schema": {"type": "string"}}}  # fmt: skip
_LOCATION = {"Location": {"description": "where to read it", "schema": {"type": "string"}}}


def _with_secret(
    body: dict[str, Any], status_code: int, headers: dict[str, str] | None = None
) -> Response:
    """The answer with the secret, tagged as the endpoint reads without it (the ETag a
    later change's If-Match carries)."""
    tag = represent({key: value for key, value in body.items() if key != "secret"}).etag
    return tagged(represent(body), status_code, {**(headers or {}), "ETag": tag})


def _page(page: Any) -> Response:
    return JSONResponse({"items": page.items, "next_cursor": page.next_cursor})


@router.get("/event-types", response_model=EventTypeList)
def list_webhook_event_types(_: Admin) -> Response:
    """The events an endpoint can subscribe to. Every delivery's body is
    `{"type", "timestamp", "data"}`, signed per Standard Webhooks (`webhook-id`,
    `webhook-timestamp`, `webhook-signature`)."""
    items = [
        {"name": name, "description": text, "example": EXAMPLES[name]}
        for name, text in DESCRIPTIONS.items()
    ]
    return JSONResponse({"items": items})


@router.post(
    "",
    status_code=201,
    response_model=WebhookEndpointWithSecret,
    responses={201: {"description": "The endpoint, with its secret (shown this once)",
                     "headers": {**_ETAG, **_LOCATION}}},
)  # fmt: skip
def create_webhook(
    writing: Writing, principal: Admin, settings: Configured, body: CreateBody
) -> Response:
    """Register an endpoint for some events. The URL must be https on a public address
    (private, loopback, link-local and metadata addresses are refused with a 422 on `url`,
    unless `OFFERWRIGHT_WEBHOOK_ALLOWED_HOSTS` admits the host). The answer carries the
    signing secret: store it, it is not shown again (rotate it if lost)."""
    webhooks.check_url(settings, body.url)  # resolves the host: before the transaction
    with writing() as session:
        created = webhooks.create(session, principal, body)
    return _with_secret(created, 201, {"Location": f"/v1/webhooks/{created['id']}"})


@router.get("", response_model=WebhookEndpointPage)
def list_webhooks(
    session: DbSession, _: Admin, limit: Limit = 50, cursor: Cursor = None
) -> Response:
    """Every endpoint, newest first (never a secret)."""
    return _page(webhooks.listing(session, limit, cursor))


# ``:int``: /event-types is not an endpoint id, so PATCH or DELETE on it is a 405, not a
# body or id problem.
@router.get(
    "/{endpoint_id:int}",
    response_model=WebhookEndpoint,
    responses={200: {"headers": _ETAG}, **problems(404)},
)
def read_webhook(session: DbSession, _: Admin, endpoint_id: Id) -> Response:
    """One endpoint, with its `ETag` (what a change's `If-Match` carries)."""
    return tagged(webhooks.read(session, endpoint_id))


@router.patch(
    "/{endpoint_id:int}",
    response_model=WebhookEndpoint,
    responses={200: {"headers": _ETAG}, **problems(404, 412, 428)},
)
def update_webhook(
    writing: Writing,
    principal: Admin,
    settings: Configured,
    endpoint_id: Id,
    body: PatchBody,
    if_match: IfMatch = None,
) -> Response:
    """Change the URL (checked as when registered), the events, the description, or
    enable/disable it (a disabled endpoint gets no new deliveries, and the pending ones
    fail). `If-Match` is required (428 without, 412 when it changed since it was read)."""
    if body.url is not None:
        webhooks.check_url(settings, body.url)
    with writing() as session:
        return tagged(webhooks.patch(session, principal, endpoint_id, body, if_match))


@router.delete("/{endpoint_id:int}", status_code=204, responses=problems(404, 412))
def delete_webhook(
    writing: Writing, principal: Admin, endpoint_id: Id, if_match: IfMatch = None
) -> Response:
    """Delete the endpoint and its delivery log; nothing more is sent to it. With
    `If-Match`, only if it is still as read (412 otherwise)."""
    with writing() as session:
        webhooks.remove(session, principal, endpoint_id, if_match)
    return Response(status_code=204)


@router.post(
    "/{endpoint_id}/rotate-secret",
    response_model=WebhookEndpointWithSecret,
    responses={200: {"headers": _ETAG}, **problems(404)},
)
def rotate_webhook_secret(
    writing: Writing, principal: Admin, settings: Configured, endpoint_id: Id
) -> Response:
    """A new signing secret, shown in this answer only. For the grace period
    (`previous_secret_valid_until`) deliveries carry a signature by each secret, so the
    receiver verifies with the old one until it has switched."""
    with writing() as session:
        rotated = webhooks.rotate_secret(session, principal, endpoint_id, settings)
    return _with_secret(rotated, 200)


@router.post(
    "/{endpoint_id}/ping",
    status_code=202,
    response_model=WebhookDelivery,
    responses={202: {"description": "The test delivery, queued", "headers": _LOCATION},
               **problems(404)},
)  # fmt: skip
def ping_webhook(writing: Writing, _: Admin, jobs: JobQueue, endpoint_id: Id) -> Response:
    """Queue a test event (`webhook.ping`) for this endpoint, enabled or not; follow it in
    the delivery log."""
    with writing() as session:
        queued = webhooks.ping(session, jobs, endpoint_id)
    where = f"/v1/webhooks/{endpoint_id}/deliveries/{queued['id']}"
    return JSONResponse(queued, 202, {"Location": where})


@router.get(
    "/{endpoint_id}/deliveries", response_model=WebhookDeliveryPage, responses=problems(404)
)
def list_webhook_deliveries(
    session: DbSession,
    _: Admin,
    endpoint_id: Id,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: DeliveryStatus | None = None,
    event_type: EventType | None = None,
) -> Response:
    """The delivery log, newest first: each event sent (or being sent) to the endpoint,
    its message id, status, attempts, last answer or error, and when it is next tried."""
    return _page(webhooks.deliveries(session, endpoint_id, limit, cursor, status, event_type))


@router.get(
    "/{endpoint_id}/deliveries/{delivery_id}",
    response_model=WebhookDelivery,
    responses=problems(404),
)
def read_webhook_delivery(
    session: DbSession, _: Admin, endpoint_id: Id, delivery_id: Id
) -> Response:
    """One delivery, with its payload and its attempts."""
    return JSONResponse(webhooks.delivery(session, endpoint_id, delivery_id))


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=WebhookDelivery,
    responses=problems(404),
)
def redeliver_webhook(
    writing: Writing, principal: Admin, jobs: JobQueue, endpoint_id: Id, delivery_id: Id
) -> Response:
    """Send a delivery again: the same message (same `webhook-id` and payload) with a
    fresh retry schedule. A pending one is already on its way and is left as it is."""
    with writing() as session:
        queued = webhooks.redeliver(session, principal, jobs, endpoint_id, delivery_id)
    return JSONResponse(queued, 202)
