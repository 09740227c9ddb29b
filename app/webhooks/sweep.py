"""The safety net under the job queue: deliveries still pending long after they were due
(their job lost with an in-process engine's restart, say) are deferred again. Meant to run
every few minutes (a periodic job); running a delivery twice is harmless (``deliver``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.jobs import Jobs
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
