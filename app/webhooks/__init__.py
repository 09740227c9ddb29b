"""Webhooks: endpoints PSAs and CRMs register, and the signed deliveries of the events they
chose (Standard Webhooks), sent by the job queue with retries and a delivery log.

Other domains use the names below, and only these; each is imported when first read
(app.kit.faces says why). ``emit`` queues an event in the caller's transaction; the
composition root binds ``deliver`` (with ``make_client()``) as the job ``DELIVER_TASK``,
retried after ``DeliveryFailed.retry_in`` seconds, and runs ``sweep_deliveries`` (requeue
stalled deliveries, trim the log) as ``SWEEP_TASK`` every few minutes.
"""

from typing import TYPE_CHECKING

from app.kit.faces import lazy_face

if TYPE_CHECKING:
    from app.webhooks.delivery import DeliveryFailed, deliver, make_client
    from app.webhooks.emission import emit
    from app.webhooks.events import DELIVER_TASK, EVENT_TYPES, SWEEP_TASK, EventType
    from app.webhooks.sweep import requeue_stalled, sweep_deliveries
else:
    __getattr__ = lazy_face(__name__)

__all__ = [
    "DELIVER_TASK",
    "EVENT_TYPES",
    "SWEEP_TASK",
    "DeliveryFailed",
    "EventType",
    "deliver",
    "emit",
    "make_client",
    "requeue_stalled",
    "sweep_deliveries",
]
