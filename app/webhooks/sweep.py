"""The webhooks' housekeeping, meant to run every few minutes (a periodic job, ``SWEEP_TASK``):
the safety net under the job queue (deliveries still pending long after they were due, their
job lost with an in-process engine's restart say, are deferred again; running a delivery
twice is harmless, ``deliver``) and the delivery log's retention."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from app.jobs import Jobs
from app.kit.settings import Settings
from app.models import WebhookDelivery, utcnow
from app.webhooks.events import DELIVER_TASK

# How late a delivery must be before it counts as lost: well past any engine's own delay.
GRACE = timedelta(minutes=10)
BATCH = 500


def requeue_stalled(session: Session, jobs: Jobs, now: datetime | None = None) -> list[int]:
    """Defer again each pending delivery nobody is sending whose attempt is overdue by
    more than ``GRACE``; their ids (at most ``BATCH``, oldest first)."""
    now = now or utcnow()
    late = now - GRACE
    row = WebhookDelivery
    stalled = list(
        session.scalars(
            select(row.id)
            .where(
                row.status == "pending",
                or_(row.locked_until.is_(None), row.locked_until < now),
                or_(
                    row.next_attempt_at < late,
                    and_(row.next_attempt_at.is_(None), row.updated_at < late),
                ),
            )
            .order_by(row.id)
            .limit(BATCH)
        )
    )
    for delivery_id in stalled:
        jobs.defer(session, DELIVER_TASK, delivery_id=delivery_id)
    return stalled


def purge_finished(session: Session, before: datetime) -> int:
    """Delete the delivered and failed deliveries last changed before ``before``; how many."""
    done = session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.status.in_(("delivered", "failed")),
            WebhookDelivery.updated_at < before,
        )
    )
    return int(done.rowcount)  # type: ignore[attr-defined]


def sweep_deliveries(
    session: Session, jobs: Jobs, settings: Settings, now: datetime | None = None
) -> None:
    """Both chores, in the caller's transaction."""
    now = now or utcnow()
    requeue_stalled(session, jobs, now)
    purge_finished(session, now - timedelta(days=settings.webhook_log_retention_days))
