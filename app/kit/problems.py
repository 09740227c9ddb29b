"""The one error path: domain errors, request validation and anything unexpected become RFC
9457 problem details (``application/problem+json``). No stack trace ever reaches a client."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException

from app.configurator import OutOfRange
from app.kit.errors import FieldProblem, Invalid, OfferwrightError
from app.kit.routes import allowed_methods
from app.kit.security_headers import security_headers
from pricing import PricingError

log = logging.getLogger("offerwright.api")

PROBLEM_TYPE = "urn:offerwright:problem:"
PROBLEM_MEDIA_TYPE = "application/problem+json"
_HTTP_TYPES = {404: "not-found", 405: "method-not-allowed", 406: "not-acceptable"}


def problem_response(
    request: Request,
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _field_problem(problem: FieldProblem) -> dict[str, Any]:
    entry: dict[str, Any] = {"field": problem.field, "message": problem.message}
    if problem.record is not None:
        entry["record"] = problem.record
    if problem.line is not None:
        entry["line"] = problem.line
    return entry


async def _domain(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, OfferwrightError)
    errors = (
        [_field_problem(item) for item in error.problems] if isinstance(error, Invalid) else None
    )
    return problem_response(
        request,
        status=error.status,
        slug=error.type,
        title=error.title,
        detail=error.detail,
        errors=errors,
        headers=error.headers,
        extra=error.extra,
    )


async def _pricing(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, PricingError)
    problems = [FieldProblem(item.field, item.message) for item in error.problems]
    return problem_response(
        request, status=422, slug="validation-error", title="Invalid input",
        detail=f"the bundle cannot be priced ({len(problems)} problem(s))",
        errors=[_field_problem(item) for item in problems],
    )  # fmt: skip


async def _out_of_range(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, OutOfRange)
    log.warning("model out of the solver's range on %s: %s", request.url.path, error)
    return problem_response(
        request, status=422, slug="out-of-range", title="Numbers out of the solver's range",
        detail=str(error),
    )  # fmt: skip


async def _request_validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    details = list(error.errors())
    if any(detail.get("type") == "json_invalid" for detail in details):
        return problem_response(
            request, status=400, slug="malformed-json", title="Malformed JSON",
            detail="the request body is not valid JSON",
        )  # fmt: skip
    errors = []
    for detail in details:
        location = [str(part) for part in detail.get("loc", ())]
        where = location[0] if location else "body"
        path = ".".join(location[1:]) or where
        errors.append({"field": path, "in": where, "message": detail.get("msg", "invalid")})
    return problem_response(
        request, status=422, slug="validation-error", title="Invalid input",
        detail=f"{len(errors)} invalid field(s)", errors=errors,
    )  # fmt: skip


async def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    slug = _HTTP_TYPES.get(error.status_code, f"http-{error.status_code}")
    detail = error.detail if isinstance(error.detail, str) else "request failed"
    headers = dict(error.headers or {})
    if error.status_code == 404 and detail == "Not Found":
        detail = f"no such resource: {request.url.path}"
    if error.status_code == 405:
        allowed = allowed_methods(request.app.routes, request.url.path)
        headers["Allow"] = ", ".join(allowed)
        detail = f"{request.method} is not allowed here; allowed: {headers['Allow']}"
    return problem_response(
        request, status=error.status_code, slug=slug, title=slug.replace("-", " ").capitalize(),
        detail=detail, headers=headers,
    )  # fmt: skip


async def _concurrent(request: Request, error: Exception) -> JSONResponse:
    # A unique key or a row version lost a race with another request: nothing was written.
    log.info("concurrent write refused on %s: %s", request.url.path, error)
    return problem_response(
        request, status=409, slug="conflict", title="Conflict",
        detail="another request changed the same data at the same time; read it again and retry",
    )  # fmt: skip


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    # The database is locked past the busy timeout, unreachable, or every pooled connection
    # stayed busy past the pool wait: worth retrying shortly.
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, error)
    return problem_response(
        request, status=503, slug="database-busy", title="Database busy",
        detail="the database could not serve this request in time; retry shortly",
        headers={"Retry-After": "1"},
    )  # fmt: skip


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    # Answered outside every middleware of ours (Starlette's outermost error handler), so
    # the security headers are added here.
    return problem_response(
        request, status=500, slug="internal-error", title="Internal error",
        detail="something went wrong on our side; it has been logged",
        headers=security_headers(request.url.path, PROBLEM_MEDIA_TYPE),
    )  # fmt: skip


def install(app: FastAPI) -> None:
    app.add_exception_handler(OfferwrightError, _domain)
    app.add_exception_handler(PricingError, _pricing)
    app.add_exception_handler(OutOfRange, _out_of_range)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(IntegrityError, _concurrent)
    app.add_exception_handler(StaleDataError, _concurrent)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(PoolTimeout, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)
