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
# The periodic housekeeping job (no arguments), every few minutes.
SWEEP_TASK = "sweep_webhooks"
