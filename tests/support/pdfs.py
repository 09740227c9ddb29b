"""Fetching a PDF that a background job renders: the route answers 202 (with Retry-After
and Location) until the PDF is stored; this asks again until it is there."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

WAIT_SECONDS = 120.0  # a render on a busy test machine, queued behind others


def fetch_pdf(
    client: TestClient, url: str, *, wait: float = WAIT_SECONDS, **options: Any
) -> Response:
    """The first answer to ``GET url`` that is not a 202, following each 202's Location
    (asking again sooner than its Retry-After: tests need not wait the full advice)."""
    deadline = time.monotonic() + wait
    response = client.get(url, **options)
    while response.status_code == 202:
        assert response.headers["Retry-After"].isdigit(), response.headers
        assert time.monotonic() < deadline, f"{url}: still rendering after {wait:g} s"
        time.sleep(0.1)
        location = response.headers["Location"]
        options.pop("params", None)  # the Location names the copy exactly
        response = client.get(location, **options)
    return response
