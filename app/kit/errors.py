"""The error tree. Every error the shell raises is one of these, each with its HTTP status
and a stable problem type (``urn:offerwright:problem:<type>``); ``app.kit.problems`` is the
one place that turns them into RFC 9457 answers, and nothing else builds an error answer.

    OfferwrightError (500 internal-error)
      BadRequest 400, MalformedJson 400, CredentialsInQuery 400
      Unauthenticated 401 (with WWW-Authenticate), Forbidden 403, NotFound 404
      Conflict 409: IllegalTransition, IdempotencyKeyInUse, AssuranceBroken, RunNotOverridable
      PreconditionFailed 412, PayloadTooLarge 413, UnsupportedMediaType 415
      Invalid 422 (errors[] per field): ReadOnlyFields
      NoValidBundle 422 infeasible, IdempotencyKeyReused 422, DocumentTooLong 422
      PreconditionRequired 428, TooManyRequests 429
      busy or cut off, 503: DatabaseBusy, SolverBusy, SolverKilled, OptionsBusy, RenderBusy,
        RenderLimit, Unhealthy

The pure core raises its own, knowing nothing of HTTP: ``catalog.CatalogInvalid`` (a
catalog file's problems), ``pricing.PricingError``, and the configurator's
``ConfigurationInvalid``, ``Infeasible``, ``SolverTimeout`` and ``OutOfRange``. The services
translate those that need the caller's view (an infeasible request's repairs, priced as the
caller may see them) into ``NoValidBundle`` or ``Invalid``; ``app.kit.problems`` maps the
rest, and the database's own errors (a lost race: 409; locked or unreachable: 503)."""

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


class AssuranceBroken(Conflict):
    """A catalog change would break assured combinations that hold today: ``extra`` names
    them (``broken``) and the stored refused run (``run``) an approver may override."""

    type, title = "assurance-broken", "The change breaks assured combinations"


class StrandsOpenProposals(Conflict):
    """Retiring a version open proposals still sell: ``extra`` names them (``proposals``);
    the request may confirm it (``confirm_stranding``) once they have been seen."""

    type, title = "strands-open-proposals", "The change strands open proposals"


class RunNotOverridable(Conflict):
    """Only a refused run, on the catalog revision it was refused at, can be overridden."""

    type, title = "run-not-overridable", "This assurance run cannot be overridden"


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


# -- busy or cut off: worth retrying (503, with Retry-After where it is known) ------------


class DatabaseBusy(OfferwrightError):
    status, type, title = 503, "database-busy", "Database busy"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"Retry-After": "1"})


class SolverBusy(OfferwrightError):
    status, type, title = 503, "solver-busy", "All solvers are busy"


class SolverKilled(OfferwrightError):
    status, type, title = 503, "solver-timeout", "The solve took too long"


class OptionsBusy(OfferwrightError):
    status, type, title = 503, "options-busy", "The options engine is busy"


class RenderBusy(OfferwrightError):
    status, type, title = 503, "render-busy", "Every renderer is busy"


class RenderLimit(OfferwrightError):
    status, type, title = 503, "render-limit", "The document could not be rendered"


class Unhealthy(OfferwrightError):
    status, type, title = 503, "unavailable", "Service unavailable"


class DocumentTooLong(OfferwrightError):
    """Over the page cap: rendering it again would give the same answer, so not a 503."""

    status, type, title = 422, "document-too-large", "The document is too long to render"
