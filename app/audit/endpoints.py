"""The audit log (admin)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.audit import service as audit
from app.auth import AuditReader, Cursor, DbSession, Limit
from app.kit.params import Timestamp
from app.kit.schemas import ListPage

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("", response_model=ListPage)
def audit_log(
    session: DbSession,
    principal: AuditReader,
    limit: Limit = 50,
    cursor: Cursor = None,
    entity_kind: str | None = None,
    entity_key: str | None = None,
    actor: str | None = None,
    since: Timestamp | None = None,
) -> Any:
    """Every change, newest first: who, when, what, before and after."""
    page = audit.entries(
        session, principal, limit=limit, cursor=cursor, entity_kind=entity_kind,
        entity_key=entity_key, actor=actor, since=since,
    )  # fmt: skip
    return {"items": page.items, "next_cursor": page.next_cursor}
