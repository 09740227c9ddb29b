"""Shapes every part of the API shares: the problem (RFC 9457) and the page of a list."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Item = TypeVar("Item")


class FieldError(BaseModel):
    """One invalid field: where, and what is wrong with it."""

    field: str = Field(description="JSON-path-like location, e.g. `needs[0].quantity`")
    message: str
    location: str | None = Field(
        None, alias="in", description="`body`, `query`, `path` or `header`, when not the body"
    )
    record: str | None = Field(None, description="the record of a multi-record input")
    line: int | None = Field(None, description="the line of the file it came from")


class Problem(BaseModel):
    """An RFC 9457 problem: every error answer. Some carry more members (``conflicts`` and
    ``repairs`` of an infeasible configuration, ``retry_after``...)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="stable: `urn:offerwright:problem:<slug>`")
    title: str
    status: int
    detail: str = Field(description="what went wrong, for a person")
    instance: str = Field(description="the request path")
    errors: list[FieldError] | None = Field(None, description="one entry per invalid field")


class Page(BaseModel, Generic[Item]):
    """Every list: a page of items and the cursor of the next page (null on the last)."""

    items: list[Item]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page")


class ListPage(Page[dict[str, Any]]):
    """A page of items whose shape the route describes."""


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
