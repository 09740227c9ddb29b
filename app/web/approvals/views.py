"""What the approval inbox shows of each waiting proposal. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.web.workspace.views import GuardrailRow, guardrail_rows

DECISIONS = {"approved": "Approved", "declined": "Declined (back to draft)"}


@dataclass(frozen=True, slots=True)
class Waiting:
    """A proposal in the inbox: its view, the ETag a decision must carry, its broken
    guardrails, and whether this approver may decide it (four eyes: not their own)."""

    view: Mapping[str, Any]
    etag: str
    guardrails: list[GuardrailRow]
    own: bool


def waiting(view: Mapping[str, Any], etag: str, *, name: str) -> Waiting:
    return Waiting(view, etag, guardrail_rows(view), own=view["author"] == name)


def notice(done: str | None, number: str | None) -> str | None:
    if done not in DECISIONS or not number:
        return None
    return f"{number}: {DECISIONS[done].lower()}."
