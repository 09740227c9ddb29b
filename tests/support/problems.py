"""RFC 9457 problem answers as tests expect them: one check, written once."""

from __future__ import annotations

import re
from typing import Any

from httpx import Response

PROBLEM = "urn:offerwright:problem:"
PROBLEM_JSON = "application/problem+json"
# What must never reach a client: stack traces and source file paths.
INTERNALS = re.compile(r"Traceback|\.py\b|site-packages")


def assert_problem(response: Response, status: int, slug: str | None = None) -> dict[str, Any]:
    """An RFC 9457 problem of this status (and type), with every member a client reads and
    nothing internal in it; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0].strip() == PROBLEM_JSON
    assert not INTERNALS.search(response.text), response.text
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= body.keys(), body
    assert body["status"] == status
    assert body["type"].startswith(PROBLEM)
    if slug is not None:
        assert body["type"] == PROBLEM + slug, body
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["instance"] == response.request.url.path
    return body


def error_fields(problem: dict[str, Any]) -> list[str]:
    """The field paths a validation problem names, in its order."""
    return [error["field"] for error in problem["errors"]]
