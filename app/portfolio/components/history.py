"""A component's versions and the comparison of two of them, as one caller may see them:
without catalog.read_unreleased only released versions (active, retired) exist for it, and
every version is read through ``get_component``, so a diff shows no field its
representation hides (cost, another centre's delivery description)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import Principal
from app.kit.errors import NotFound
from app.models import ComponentVersion
from app.portfolio.components.diff import ComponentDiff, component_diff
from app.portfolio.components.service import RELEASED, _head, get_component


def component_versions(session: Session, principal: Principal, code: str) -> dict[str, Any]:
    """Every version of ``code`` the caller may read, oldest first: status, author, dates."""
    head = _head(session, code)
    query = (
        select(ComponentVersion)
        .where(ComponentVersion.code == code)
        .order_by(ComponentVersion.version)
    )
    if not principal.can("catalog.read_unreleased"):
        query = query.where(ComponentVersion.status.in_(RELEASED))
    rows = session.scalars(query).all()
    if not rows:
        raise NotFound(f"component {code!r} has no released version")
    return {
        "code": code,
        "active_version": head.active_version,
        "latest_version": rows[-1].version,  # the latest this caller may read
        "versions": [
            {
                "version": row.version,
                "status": row.status,
                "name": row.name,
                "author": row.author,
                "created_at": row.created_at.isoformat(),
                "updated_at": row.updated_at.isoformat(),
            }
            for row in rows
        ],
    }


def compare_versions(
    session: Session, principal: Principal, code: str, before: int, after: int
) -> ComponentDiff:
    """What changed from version ``before`` to version ``after`` (either may be the later)."""
    old = get_component(session, principal, code, before).body
    new = get_component(session, principal, code, after).body
    return component_diff(old, new)
