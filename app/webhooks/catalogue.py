"""The event catalogue (``GET /v1/webhooks/event-types``): what each event means and an
example of its ``data``, the shape emitters send. Prices may appear; cost and margin never
do (a webhook leaves the provider's hands). Every event names its proposal the same way,
so a receiver can file any of them."""

from __future__ import annotations

from typing import Any

from app.webhooks.events import EventType

# How every event refers to its proposal.
_PROPOSAL: dict[str, Any] = {
    "id": 7,
    "number": "P-2026-000007",
    "revision": 2,
    "customer": {"name": "Acme Logistics GmbH", "country": "DE"},
    "links": {"self": "/v1/proposals/7", "pdf": "/v1/proposals/7/pdf?revision=2"},
}
_TOTALS = {
    "currency": "EUR",
    "monthly": "12450.00",
    "one_time": "3200.00",
    "contract_value": "451400.00",
}

DESCRIPTIONS: dict[EventType, str] = {
    "proposal.issued": "a proposal revision was issued to the customer (its link is live)",
    "proposal.viewed": "the customer opened the proposal through its link",
    "proposal.accepted": "the customer accepted and signed a proposal revision",
    "proposal.declined": "the customer declined the proposal",
    "work_package.created": "a delivery centre received a work package of an accepted proposal",
}

EXAMPLES: dict[EventType, dict[str, Any]] = {
    "proposal.issued": {
        "proposal": {**_PROPOSAL, "status": "sent", "valid_until": "2027-01-05", "totals": _TOTALS},
        "issued_at": "2026-12-06T10:15:00.000Z",
        "link_expires_at": "2027-01-05T23:59:59.000Z",
    },
    "proposal.viewed": {
        "proposal": {**_PROPOSAL, "status": "sent"},
        "viewed_at": "2026-12-06T11:02:41.000Z",
        "first_view": True,
    },
    "proposal.accepted": {
        "proposal": {**_PROPOSAL, "status": "accepted", "totals": _TOTALS},
        "accepted_at": "2026-12-07T09:30:12.000Z",
        "accepted_by": {"name": "Jana Novak", "title": "Head of IT"},
        "option": "better",
    },
    "proposal.declined": {
        "proposal": {**_PROPOSAL, "status": "rejected"},
        "declined_at": "2026-12-07T09:30:12.000Z",
        "reason": "went with the incumbent",
    },
    "work_package.created": {
        "work_package": {
            "id": 31,
            "centre": "CZ-BRN",
            "line": 1,
            "component": "os-linux-managed",
            "version": 3,
            "quantity": 20,
            "service_level": "gold",
            "links": {"self": "/v1/work-packages/31", "pdf": "/v1/work-packages/31/pdf"},
        },
        "proposal": {key: _PROPOSAL[key] for key in ("id", "number", "revision", "links")},
    },
}
