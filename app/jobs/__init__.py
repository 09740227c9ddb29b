"""Background jobs: what the domains ask of the job engine.

Other domains use the names below, and only these; each is imported when first read
(app.kit.faces says why).
"""

from typing import TYPE_CHECKING

from app.kit.faces import lazy_face

if TYPE_CHECKING:
    from app.jobs.engine import JobEngine
    from app.jobs.queue import JobArgument, Jobs, JobsOf, defer
    from app.jobs.tasks import RetryLater
else:
    __getattr__ = lazy_face(__name__)

__all__ = [
    "JobArgument",
    "JobEngine",
    "Jobs",
    "JobsOf",
    "RetryLater",
    "defer",
]
