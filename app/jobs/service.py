"""Jobs as an operator sees them: the engine's own record, filtered and paginated."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.jobs.engine import JobEngine
from app.kit.pagination import Page


def listing(
    engine: JobEngine, session: Session, *, status: str | None, task: str | None, limit: int,
    cursor: str | None,
) -> Page[dict[str, Any]]:  # fmt: skip
    """Newest first."""
    return engine.listing(session, status, task, limit, cursor)
