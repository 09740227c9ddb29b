"""Conditional writes (RFC 9110 If-Match): lost updates become 412s, blind writes 428s."""

from __future__ import annotations

from app.kit.errors import PreconditionFailed, PreconditionRequired


def matches(if_match: str, etag: str) -> bool:
    tags = [tag.strip() for tag in if_match.split(",")]
    return "*" in tags or etag in tags


def check_precondition(
    if_match: str | None, etag: str, *, required: bool, any_allowed: bool = True
) -> None:
    """``any_allowed=False`` refuses ``If-Match: *`` too: where a decision must apply to
    exactly what its maker read (an approval), "whatever it is now" is no precondition."""
    if if_match is None or (not any_allowed and if_match.strip() == "*"):
        if required:
            raise PreconditionRequired("send If-Match with the ETag you last read")
        return
    if not matches(if_match, etag):
        raise PreconditionFailed(
            f"it changed since you read it (its ETag is now {etag}); read it again and retry"
        )
