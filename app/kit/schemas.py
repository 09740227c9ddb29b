"""Shared response shapes and OpenAPI request-body descriptions."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ListPage(BaseModel):
    """Every list: a page of items and the cursor of the next page (null on the last)."""

    items: list[dict[str, Any]]
    next_cursor: str | None


OBJECT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}
MERGE_PATCH_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/merge-patch+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}
