"""Emitting an event: in the caller's transaction, one delivery per enabled endpoint that
subscribed to it, with one message id and the payload frozen as the bytes to send; a job
deferred per delivery once the transaction commits, and nothing when it rolls back."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.models import WebhookDelivery
from app.webhooks import DELIVER_TASK, EVENT_TYPES, emit
from tests.support.database import RolledBackDatabase
from tests.support.jobs import RecordingJobs
from tests.webhooks.conftest import PUBLIC_URL, endpoint_row

ACCEPTED = {
    "proposal": {"id": 7, "number": "P-2026-000007", "revision": 2, "status": "accepted",
                 "links": {"self": "/v1/proposals/7"}},
    "accepted_on": date(2026, 12, 6),
    "contract_value": {"amount": Decimal("123456.70"), "currency": "EUR"},
}  # fmt: skip


def test_one_delivery_per_enabled_subscribed_endpoint(database: RolledBackDatabase) -> None:
    jobs = RecordingJobs()
    with database.transaction(write=True) as session:
        wanted = [
            endpoint_row(session, PUBLIC_URL, ["proposal.accepted"]).id,
            endpoint_row(session, PUBLIC_URL, ["proposal.issued", "proposal.accepted"]).id,
        ]
        endpoint_row(session, PUBLIC_URL, ["proposal.issued"])  # another event
        endpoint_row(session, PUBLIC_URL, ["proposal.accepted"], enabled=False)
        made = emit(session, jobs, "proposal.accepted", ACCEPTED)
        assert jobs.deferred == []  # not before the commit
    assert jobs.deferred == [(DELIVER_TASK, {"delivery_id": id_}) for id_ in made]
    with database.transaction(write=False) as session:
        rows = list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))
    assert [row.endpoint_id for row in rows] == wanted
    assert [row.id for row in rows] == made
    assert {row.message_id for row in rows} == {rows[0].message_id}  # one message
    assert rows[0].message_id.startswith("msg_")
    assert all((row.status, row.attempts, row.attempt_log) == ("pending", 0, []) for row in rows)
    payload = json.loads(rows[0].body)
    assert payload["type"] == "proposal.accepted"
    assert payload["timestamp"].endswith("Z")
    assert payload["data"] == {
        "proposal": ACCEPTED["proposal"], "accepted_on": "2026-12-06",
        "contract_value": {"amount": "123456.70", "currency": "EUR"},  # exact, never a float
    }  # fmt: skip


def test_nothing_is_queued_when_the_transaction_rolls_back(database: RolledBackDatabase) -> None:
    jobs = RecordingJobs()

    def failing_change() -> None:
        with database.transaction(write=True) as session:
            endpoint_row(session, PUBLIC_URL, ["proposal.declined"])
            assert len(emit(session, jobs, "proposal.declined", {"proposal": {"id": 1}})) == 1
            raise RuntimeError("the proposal's own change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert jobs.deferred == []
    with database.transaction(write=False) as session:
        assert session.scalars(select(WebhookDelivery)).all() == []


def test_nobody_listening_makes_nothing(database: RolledBackDatabase) -> None:
    jobs = RecordingJobs()
    with database.transaction(write=True) as session:
        assert emit(session, jobs, "proposal.viewed", {"proposal": {"id": 1}}) == []
    assert jobs.deferred == []


def test_the_payload_is_frozen_when_emitted(database: RolledBackDatabase) -> None:
    jobs = RecordingJobs()
    data = {"proposal": {"id": 1, "status": "issued"}}
    with database.transaction(write=True) as session:
        endpoint_row(session, PUBLIC_URL, list(EVENT_TYPES))
        (made,) = emit(session, jobs, "proposal.issued", data)
    data["proposal"]["status"] = "withdrawn"  # the caller's object changes later
    with database.transaction(write=False) as session:
        row = session.get(WebhookDelivery, made)
        assert row is not None
        assert json.loads(row.body)["data"]["proposal"]["status"] == "issued"


def test_only_the_documented_events_can_be_emitted(database: RolledBackDatabase) -> None:
    with database.transaction(write=True) as session, pytest.raises(ValueError, match="not a"):
        emit(session, RecordingJobs(), "proposal.created", {})
    with database.transaction(write=True) as session:
        endpoint_row(session, PUBLIC_URL, ["proposal.issued"])
        with pytest.raises(TypeError, match="float"):
            emit(session, RecordingJobs(), "proposal.issued", {"price": 1.5})
