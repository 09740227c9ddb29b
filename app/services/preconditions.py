"""Conditional writes (RFC 9110 If-Match): lost updates become 412s, blind writes 428s."""

from __future__ import annotations

from app.errors import PreconditionFailed, PreconditionRequired


def matches(if_match: str, etag: str) -> bool:
    tags = [tag.strip() for tag in if_match.split(",")]
    return "*" in tags or etag in tags


def check_precondition(if_match: str | None, etag: str, *, required: bool) -> None:
    if if_match is None:
        if required:
            raise PreconditionRequired("send If-Match with the ETag you last read")
        return
    if not matches(if_match, etag):
        raise PreconditionFailed(
            f"it changed since you read it (its ETag is now {etag}); read it again and retry"
        )
