"""Domain errors raised by the services; ``app.kit.problems`` maps each to an RFC 9457
problem. Each class carries its HTTP status and a stable problem type slug."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid field: where (a JSON-path-like string) and what is wrong."""

    field: str
    message: str
    record: str | None = None  # which record of a multi-record input (e.g. an import)
    line: int | None = None


class OfferwrightError(Exception):
    status = 500
    type = "internal-error"
    title = "Internal error"

    def __init__(
        self,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra or {}  # more members of the problem body (RFC 9457 extensions)


class BadRequest(OfferwrightError):
    status, type, title = 400, "bad-request", "Bad request"


class MalformedJson(OfferwrightError):
    status, type, title = 400, "malformed-json", "Malformed JSON"


class CredentialsInQuery(OfferwrightError):
    status, type, title = 400, "credentials-in-query", "Credentials in the query string"


class Unauthenticated(OfferwrightError):
    status, type, title = 401, "unauthenticated", "Authentication required"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="offerwright"'})


class Forbidden(OfferwrightError):
    status, type, title = 403, "forbidden", "Forbidden"


class NotFound(OfferwrightError):
    status, type, title = 404, "not-found", "Not found"


class Conflict(OfferwrightError):
    status, type, title = 409, "conflict", "Conflict"


class IllegalTransition(Conflict):
    type, title = "illegal-transition", "Illegal lifecycle transition"


class IdempotencyKeyInUse(Conflict):
    type, title = "idempotency-key-in-use", "A request with this Idempotency-Key is running"


class PreconditionFailed(OfferwrightError):
    status, type, title = 412, "precondition-failed", "Precondition failed"


class PayloadTooLarge(OfferwrightError):
    status, type, title = 413, "payload-too-large", "Payload too large"


class UnsupportedMediaType(OfferwrightError):
    status, type, title = 415, "unsupported-media-type", "Unsupported media type"


class Invalid(OfferwrightError):
    status, type, title = 422, "validation-error", "Invalid input"

    def __init__(self, detail: str, problems: Sequence[FieldProblem] = ()) -> None:
        super().__init__(detail)
        self.problems = tuple(problems)


class ReadOnlyFields(Invalid):
    type, title = "read-only-field", "Field may not be set"


class NoValidBundle(OfferwrightError):
    """No bundle meets the request: ``extra`` carries the conflict and the repairs."""

    status, type, title = 422, "infeasible", "No valid bundle"


class IdempotencyKeyReused(OfferwrightError):
    status, type, title = 422, "idempotency-key-reused", "Idempotency-Key used for another request"


class PreconditionRequired(OfferwrightError):
    status, type, title = 428, "precondition-required", "Precondition required"


class TooManyRequests(OfferwrightError):
    status, type, title = 429, "too-many-requests", "Too many requests"
