"""Path and query parameters shared by the routers.

``Id`` is every integer that names a stored row (a proposal or work package id, a component
version, a proposal revision): at least 1 and at most what the database's integer columns
hold, so a number past that is a 422 naming the parameter instead of a driver error.
``Timestamp`` is a moment in UTC, the zone every stored timestamp is in.

``TEXT_CHECKS`` are the application's dependencies: every query parameter and path segment
is refused with a 422 naming it when it holds a NUL character (JSON bodies are checked where
they are parsed, ``app.auth.auth``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from annotated_types import Interval
from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator

from app.models import MAX_INTEGER
from catalog import NUL, NUL_MESSAGE

Id = Annotated[int, Interval(ge=1, le=MAX_INTEGER)]


def _in_utc(value: datetime) -> datetime:
    # Without an offset it is read as UTC, as every stored timestamp is. With one, its UTC
    # time may fall past the calendar (9999-12-31T23:00-05:00), which no stored one can.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("falls outside the calendar once converted to UTC") from None


Timestamp = Annotated[datetime, AfterValidator(_in_utc)]


async def refuse_nul(request: Request) -> None:
    """PostgreSQL cannot compare or store text holding NUL: refuse it in the query and the
    path before any route reads them, as a validation error of that parameter. (``async``:
    it does no I/O, so it costs no hop to a worker thread.)"""
    where = [("query", name, value) for name, value in request.query_params.multi_items()]
    where += [("path", name, value) for name, value in request.path_params.items()]
    errors = [
        {"type": "value_error", "loc": (place, name), "msg": NUL_MESSAGE}
        for place, name, value in where
        if NUL in name or (isinstance(value, str) and NUL in value)
    ]
    if errors:
        raise RequestValidationError(errors)


TEXT_CHECKS = [Depends(refuse_nul)]
