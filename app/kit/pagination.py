"""Keyset pagination with opaque cursors: ``{"items": [...], "next_cursor": ...}`` everywhere."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.kit.errors import BadRequest
from app.models import MAX_INTEGER
from catalog import NUL

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_KEY_LENGTH = 100  # the code and key columns
MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(after: Any) -> str:
    raw = json.dumps({"after": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    """The key the previous page ended with, or None for the first page."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return data["after"]
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise BadRequest("the cursor is not one this API issued") from error


def after_id(cursor: str | None) -> int | None:
    """The id the previous page of an id-ordered list ended with, or None for the first."""
    after = decode_cursor(cursor)
    if after is None:
        return None
    # Within the id column's range, or the driver fails binding it: not a cursor we issued.
    if not isinstance(after, int) or isinstance(after, bool) or not 0 < after <= MAX_INTEGER:
        raise BadRequest("the cursor belongs to another list")
    return after


def after_key(cursor: str | None) -> str | None:
    """The key (a code) the previous page of a key-ordered list ended with, or None."""
    after = decode_cursor(cursor)
    if after is None:
        return None
    # Keys are codes of at most 100 characters, never with NUL (which PostgreSQL refuses).
    if not isinstance(after, str) or len(after) > MAX_KEY_LENGTH or NUL in after:
        raise BadRequest("the cursor belongs to another list")
    return after


def page_of(rows: list[T], limit: int, key: Any) -> Page[T]:
    """``rows`` were fetched with ``limit + 1``: one extra row says there is a next page."""
    if len(rows) > limit:
        rows = rows[:limit]
        return Page(rows, encode_cursor(key(rows[-1])))
    return Page(rows, None)


def newest_first(
    session: Session, statement: Select[T], key: InstrumentedAttribute[int], limit: int,
    cursor: str | None,
) -> Page[T]:  # fmt: skip
    """One page of ``statement``'s rows by their integer ``key``, newest first."""
    after = after_id(cursor)
    if after is not None:
        statement = statement.where(key < after)
    rows = list(session.scalars(statement.order_by(key.desc()).limit(limit + 1)))
    return page_of(rows, limit, lambda row: getattr(row, key.key))
