"""Path and query parameters shared by the routers.

``Id`` is every integer that names a stored row (a proposal or work package id, a component
version, a proposal revision): at least 1 and at most what the database's integer columns
hold, so a number past that is a 422 naming the parameter instead of a driver error.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

from app.db.models import MAX_INTEGER

Id = Annotated[int, Interval(ge=1, le=MAX_INTEGER)]
