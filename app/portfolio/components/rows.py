"""Reading one stored component version (its row), for the use cases that start from one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.kit.errors import NotFound
from app.models import ComponentVersion


def version_row(session: Session, code: str, version: int) -> ComponentVersion:
    row = session.scalar(
        select(ComponentVersion).where(
            (ComponentVersion.code == code) & (ComponentVersion.version == version)
        )
    )
    if row is None:
        raise NotFound(f"component {code!r} has no version {version}")
    return row
