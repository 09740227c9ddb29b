"""Path and query parameters shared by the routers.

``Id`` is every integer that names a stored row (a proposal or work package id, a component
version, a proposal revision): at least 1 and at most what the database's integer columns
hold, so a number past that is a 422 naming the parameter instead of a driver error.
``Timestamp`` is a moment in UTC, the zone every stored timestamp is in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from annotated_types import Interval
from pydantic import AfterValidator

from app.db.models import MAX_INTEGER

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
