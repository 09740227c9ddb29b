"""The audit log (admin)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from app.audit import service as audit
from app.audit.schemas import AuditPage
from app.auth.auth import AuditReader, Cursor, DbSession, Limit
from app.kit.params import Timestamp

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("", response_model=AuditPage)
def audit_log(
    session: DbSession,
    principal: AuditReader,
    limit: Limit = 50,
    cursor: Cursor = None,
    entity_kind: str | None = None,
    entity_key: str | None = None,
    actor: str | None = None,
    since: Timestamp | None = None,
) -> Response:
    """Every change, newest first: who, when, what, before and after. (Sent as the service
    builds it: the schema documents it, nothing re-validates or reshapes it.)"""
    page = audit.entries(
        session, principal, limit=limit, cursor=cursor, entity_kind=entity_kind,
        entity_key=entity_key, actor=actor, since=since,
    )  # fmt: skip
    return JSONResponse({"items": page.items, "next_cursor": page.next_cursor})
