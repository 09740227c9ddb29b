"""The sweep defers again the pending deliveries whose job was lost, and nothing else."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.kit.settings import Settings
from app.models import WebhookDelivery, utcnow
from app.webhooks import DELIVER_TASK, emit, requeue_stalled, sweep_deliveries
from tests.support.database import RolledBackDatabase
from tests.support.jobs import RecordingJobs
from tests.webhooks.conftest import PUBLIC_URL, endpoint_row


def test_only_overdue_pending_deliveries_nobody_sends_are_deferred_again(
    database: RolledBackDatabase,
) -> None:
    now = utcnow()
    long_ago, lately = now - timedelta(hours=1), now - timedelta(minutes=1)
    later = now + timedelta(hours=1)
    states = {
        "lost before its first attempt": ("pending", None, None, long_ago),
        "new": ("pending", None, None, lately),
        "retry lost": ("pending", long_ago, None, long_ago),
        "retry due a moment ago": ("pending", lately, None, long_ago),
        "retry not due": ("pending", later, None, long_ago),
        "being sent": ("pending", long_ago, later, long_ago),
        "claim lapsed": ("pending", long_ago, lately, long_ago),
        "delivered": ("delivered", None, None, long_ago),
        "failed": ("failed", None, None, long_ago),
    }
    ids: dict[str, int] = {}
    with database.transaction(write=True) as session:
        endpoint_row(session, PUBLIC_URL, ["proposal.viewed"])
        for name, (status, due, locked, updated) in states.items():
            (ids[name],) = emit(session, RecordingJobs(), "proposal.viewed", {"name": name})
            row = session.get(WebhookDelivery, ids[name])
            assert row is not None
            row.status, row.next_attempt_at, row.locked_until = status, due, locked
            session.flush()
            row.updated_at = updated  # after the flush: onupdate would set it to now
    jobs = RecordingJobs()
    with database.transaction(write=True) as session:
        requeued = requeue_stalled(session, jobs, now)
    expected = [ids["lost before its first attempt"], ids["retry lost"], ids["claim lapsed"]]
    assert requeued == expected
    assert jobs.deferred == [(DELIVER_TASK, {"delivery_id": id_}) for id_ in expected]


def test_the_log_keeps_finished_deliveries_for_the_retention_period(
    database: RolledBackDatabase,
) -> None:
    settings = Settings(webhook_log_retention_days=30)
    now = utcnow()
    ages = {"delivered": 31, "failed": 31, "pending": 31}
    with database.transaction(write=True) as session:
        endpoint_row(session, PUBLIC_URL, ["proposal.viewed"])
        ids = {}
        for status, days in [*ages.items(), ("delivered-recent", 29)]:
            (ids[status],) = emit(session, RecordingJobs(), "proposal.viewed", {"s": status})
            row = session.get(WebhookDelivery, ids[status])
            assert row is not None
            row.status = status.split("-")[0]
            row.next_attempt_at = now if row.status == "pending" else None
            session.flush()
            row.updated_at = now - timedelta(days=days)
    with database.transaction(write=True) as session:
        sweep_deliveries(session, RecordingJobs(), settings, now)
    with database.transaction(write=False) as session:
        kept = set(session.scalars(select(WebhookDelivery.id)))
    assert kept == {ids["pending"], ids["delivered-recent"]}  # a pending one is never purged
