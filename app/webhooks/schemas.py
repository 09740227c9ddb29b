"""What the webhook routes read and answer, as named schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.config import JsonDict

from app.kit.schemas import Page
from app.webhooks.events import EventType

DeliveryStatus = Literal["pending", "delivered", "failed"]

_URL = ("where deliveries are POSTed: https, on a public address (plain http and private "
        "addresses only for hosts on the allow-list)")  # fmt: skip
_EVENTS = "the events to receive: a non-empty set of the event types"
# What the schema can say of a URL the service takes (whether its host is public, only a
# lookup can), and of a set of events.
_URL_SCHEMA: JsonDict = {"pattern": r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+\S*$"}
_SET: JsonDict = {"uniqueItems": True}


def _distinct(events: list[EventType] | None) -> list[EventType] | None:
    if events is None:
        return None
    if len(set(events)) != len(events):
        raise ValueError("names an event more than once")
    return sorted(events)


class WebhookEndpointCreate(BaseModel):
    """A new endpoint."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2000, description=_URL, json_schema_extra=_URL_SCHEMA)
    events: list[EventType] = Field(
        min_length=1, max_length=5, description=_EVENTS, json_schema_extra=_SET
    )
    description: str = Field("", max_length=500)
    enabled: bool = True

    _events = field_validator("events")(_distinct)


class WebhookEndpointPatch(BaseModel):
    """A JSON merge patch of an endpoint: the members sent change, the others stay
    (`description: null` empties it)."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(
        None, min_length=1, max_length=2000, description=_URL, json_schema_extra=_URL_SCHEMA
    )
    events: list[EventType] | None = Field(
        None, min_length=1, max_length=5, description=_EVENTS, json_schema_extra=_SET
    )
    description: str | None = Field(None, max_length=500)
    enabled: bool | None = None

    _events = field_validator("events")(_distinct)


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WebhookEndpoint(_Answer):
    """An endpoint as registered. Its secret is never shown again after it was made or
    rotated: `secret_hint` tells which one a receiver holds."""

    id: int
    url: str
    description: str
    events: list[EventType]
    enabled: bool
    secret_hint: str = Field(description="the secret's first characters: `whsec_abcd…`")
    secret_rotated_at: datetime | None
    previous_secret_valid_until: datetime | None = Field(
        description="after a rotation, deliveries are signed with the old secret too until then"
    )
    created_by: str
    created_at: datetime
    updated_at: datetime


class WebhookEndpointWithSecret(WebhookEndpoint):
    """An endpoint just made, or its secret just rotated: the one time the secret is shown."""

    secret: str = Field(
        description="the signing secret (`whsec_` and base64), for the receiver's Standard "
        "Webhooks library: `Webhook(secret).verify(body, headers)`"
    )


class WebhookEndpointPage(Page[WebhookEndpoint]):
    """A page of endpoints, newest first."""


class DeliveryAttempt(_Answer):
    """One attempt to deliver."""

    at: datetime
    status_code: int | None = Field(description="the endpoint's answer; null: none came")
    error: str | None = Field(description="what went wrong; null when delivered")
    duration_ms: int
    response: str | None = Field(description="the start of the answer's body (256 bytes)")


class WebhookDelivery(_Answer):
    """One event for one endpoint, and where its delivery stands."""

    id: int
    endpoint_id: int
    event_type: str = Field(description="one of the event types, or `webhook.ping`")
    message_id: str = Field(description="the `webhook-id` header: the same on every attempt")
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None = Field(description="when the next retry is due")
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any] = Field(description="the body sent: `{type, timestamp, data}`")
    attempt_log: list[DeliveryAttempt] = Field(description="the latest attempts, oldest first")


class WebhookDeliveryPage(Page[WebhookDelivery]):
    """A page of an endpoint's deliveries, newest first."""


class EventTypeInfo(_Answer):
    """An event an endpoint can subscribe to."""

    name: EventType
    description: str
    example: dict[str, Any] = Field(description="an example of the event's `data`")


class EventTypeList(_Answer):
    """Every event type."""

    items: list[EventTypeInfo]
