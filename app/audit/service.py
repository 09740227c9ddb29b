"""The audit log: who changed what, when, from what to what."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import KIND_OF_COLLECTION, Audience, Principal, audience, visible
from app.kit.pagination import Page, newest_first
from app.models import AuditEntry


def record(
    session: Session,
    actor: Principal,
    action: str,
    entity_kind: str,
    entity_key: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    comment: str | None = None,
) -> None:
    session.add(
        AuditEntry(
            actor=actor.name,
            role=actor.role,
            action=action,
            entity_kind=entity_kind,
            entity_key=entity_key,
            before=before,
            after=after,
            comment=comment,
        )
    )


def entries(
    session: Session,
    principal: Principal,
    *,
    limit: int,
    cursor: str | None,
    entity_kind: str | None = None,
    entity_key: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
) -> Page[dict[str, Any]]:
    """Newest first."""
    query = select(AuditEntry)
    if entity_kind:
        query = query.where(AuditEntry.entity_kind == entity_kind)
    if entity_key:
        query = query.where(AuditEntry.entity_key == entity_key)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if since:
        # A timestamp without an offset is read as UTC, as every stored one is.
        query = query.where(AuditEntry.at >= (since if since.tzinfo else since.replace(tzinfo=UTC)))
    page = newest_first(session, query, AuditEntry.id, limit, cursor)
    seen_by = audience(session, principal)
    return Page([_as_dict(row, seen_by) for row in page.items], page.next_cursor)


def _as_dict(row: AuditEntry, seen_by: Audience) -> dict[str, Any]:
    # Before and after are records too: shaped for the reader like any other answer.
    kind = KIND_OF_COLLECTION.get(row.entity_kind, row.entity_kind)
    return {
        "id": row.id,
        "at": row.at.isoformat(),
        "actor": row.actor,
        "role": row.role,
        "action": row.action,
        "entity_kind": row.entity_kind,
        "entity_key": row.entity_key,
        "before": None if row.before is None else visible(kind, row.before, seen_by),
        "after": None if row.after is None else visible(kind, row.after, seen_by),
        "comment": row.comment,
    }
