"""Component versions made for tests through the components service, as the API would."""

from __future__ import annotations

from typing import Any

from app.auth.principal import Principal
from app.kit.database import Database
from app.portfolio.components.service import get_component, patch_component

CURATOR = Principal("curator@example.com", "portfolio")


def new_draft(
    database: Database, code: str, patch: dict[str, Any], principal: Principal = CURATOR
) -> dict[str, Any]:
    """``patch`` (a JSON merge patch) applied to ``code``'s latest version: a new draft
    version when that one is past draft. Answers the draft's representation."""
    with database.transaction(write=True) as session:
        latest = get_component(session, principal, code, None)
        head = latest.body["latest_version"]
        etag = get_component(session, principal, code, head).etag
        return patch_component(session, principal, code, patch, etag).body
