"""What the audit log answers, as named schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.kit.schemas import Page


class AuditEntry(BaseModel):
    """One change: who, when, what, before and after (shaped, like any answer, to what the
    reader may see)."""

    model_config = ConfigDict(extra="forbid")

    id: int
    at: datetime
    actor: str
    role: str
    action: str = Field(description="e.g. `create`, `update`, `transition:approved`")
    entity_kind: str
    entity_key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    comment: str | None


class AuditPage(Page[AuditEntry]):
    """A page of the audit log, newest first."""
