"""The events an endpoint can subscribe to, and the test event a ping sends."""

from __future__ import annotations

from typing import Literal, get_args

EventType = Literal[
    "proposal.issued",
    "proposal.viewed",
    "proposal.accepted",
    "proposal.declined",
    "work_package.created",
]
EVENT_TYPES: tuple[EventType, ...] = get_args(EventType)

# Sent by ``POST /v1/webhooks/{id}/ping`` to that endpoint only, whatever it subscribed to.
PING = "webhook.ping"

# The job that sends one delivery (its one argument: ``delivery_id``).
DELIVER_TASK = "deliver_webhook"

# What each event means, for the event catalogue (``GET /v1/webhooks/event-types``).
DESCRIPTIONS: dict[EventType, str] = {
    "proposal.issued": "a proposal revision was sent to the customer (its link is live)",
    "proposal.viewed": "the customer opened the proposal through its link",
    "proposal.accepted": "the customer accepted and signed a proposal revision",
    "proposal.declined": "the customer declined the proposal",
    "work_package.created": "a delivery centre received a work package of an accepted proposal",
}
