"""The audit log (admin)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BeforeValidator

from app.audit import service as audit
from app.audit.schemas import AuditPage
from app.auth import AuditReader, Cursor, DbSession, Limit
from app.kit.params import Timestamp

router = APIRouter(prefix="/v1/audit", tags=["audit"])
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")


def _not_a_number(value: object) -> object:
    # Pydantic would read a number as seconds since 1970: not a moment this API documents.
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        raise ValueError("must be a date and time such as 2024-05-01T12:00:00Z, not a number")
    return value


Since = Annotated[
    Timestamp | None,
    BeforeValidator(_not_a_number),
    Query(description="changes from this moment on; without an offset, UTC"),
]


@router.get("", response_model=AuditPage)
def audit_log(
    session: DbSession,
    principal: AuditReader,
    limit: Limit = 50,
    cursor: Cursor = None,
    entity_kind: str | None = None,
    entity_key: str | None = None,
    actor: str | None = None,
    since: Since = None,
) -> Response:
    """Every change, newest first: who, when, what, before and after. (Sent as the service
    builds it: the schema documents it, nothing re-validates or reshapes it.)"""
    page = audit.entries(
        session, principal, limit=limit, cursor=cursor, entity_kind=entity_kind,
        entity_key=entity_key, actor=actor, since=since,
    )  # fmt: skip
    return JSONResponse({"items": page.items, "next_cursor": page.next_cursor})
