"""Proposal events for PSAs and CRMs: issuing (sharing), a view, an acceptance (with a
work package per line delivered) and a decline each queue a webhook delivery in the
transaction of their change, named the same way and never carrying cost or margin."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import WebhookDelivery, WebhookEndpoint, WorkPackage
from app.webhooks import EVENT_TYPES
from tests.support.share import accept, decline, issued_proposal, page_path, share


def _listening(database: Any) -> None:
    """An endpoint for every event, written as registration would (its address checked
    there; here no delivery is attempted)."""
    with database.transaction(write=True) as session:
        session.add(
            WebhookEndpoint(
                url="https://psa.example.com/hooks", description="PSA", events=list(EVENT_TYPES),
                enabled=True, secret="whsec_" + "A" * 43, created_by="admin",
            )
        )  # fmt: skip


def _events(database: Any) -> list[tuple[str, dict[str, Any]]]:
    with database.transaction(write=False) as session:
        rows = session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))
        return [(row.event_type, json.loads(row.body)["data"]) for row in rows]


def test_sharing_viewing_and_accepting_are_announced(
    client: TestClient, auth: Any, database: Any
) -> None:
    _listening(database)
    proposal = issued_proposal(client, auth)
    path = page_path(share(client, auth, proposal)["url"])
    assert accept(client, path).status_code == 303  # loads the page (a view), then accepts
    found = _events(database)
    kinds = [kind for kind, _ in found]
    assert kinds[:3] == ["proposal.issued", "proposal.viewed", "proposal.accepted"]
    issued, viewed, accepted = (data for _, data in found[:3])
    for data in (issued, viewed, accepted):
        assert data["proposal"]["id"] == proposal["id"]
        assert data["proposal"]["number"] == proposal["number"]
        assert data["proposal"]["links"]["self"] == f"/v1/proposals/{proposal['id']}"
    assert issued["proposal"]["status"] == "sent"
    assert issued["proposal"]["totals"]["monthly"] == proposal["totals"]["monthly"]
    assert viewed["first_view"] is True
    assert accepted["accepted_by"] == {"name": "Jana Novak", "title": "Head of IT Operations"}
    assert accepted["option"] == "The proposal"
    with database.transaction(write=False) as session:
        packages = session.scalars(
            select(WorkPackage.id).where(WorkPackage.proposal_id == proposal["id"])
        ).all()
    announced = [data["work_package"]["id"] for kind, data in found
                 if kind == "work_package.created"]  # fmt: skip
    assert sorted(announced) == sorted(packages) and len(packages) == len(proposal["lines"])
    text = json.dumps([data for _, data in found])
    assert '"cost"' not in text and '"margin"' not in text


def test_a_decline_is_announced_with_its_reason(
    client: TestClient, auth: Any, database: Any
) -> None:
    _listening(database)
    proposal = issued_proposal(client, auth)
    path = page_path(share(client, auth, proposal)["url"])
    assert decline(client, path, "went with the incumbent").status_code == 303
    (declined,) = [data for kind, data in _events(database) if kind == "proposal.declined"]
    assert declined["reason"] == "went with the incumbent"
    assert declined["proposal"]["status"] == "rejected"


def test_nobody_listening_queues_nothing(client: TestClient, auth: Any, database: Any) -> None:
    proposal = issued_proposal(client, auth)
    accept(client, page_path(share(client, auth, proposal)["url"]))
    assert _events(database) == []
