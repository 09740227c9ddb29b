"""Share links and the customer's page in tests: an issued proposal, its link, the page's
form token, and the customer's posts."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from tests.support.api import Auth, ok
from tests.support.factories import PROPOSALS, create_proposal, move_proposal

ACCEPTANCE: dict[str, str] = {
    "full_name": "Jana Novak",
    "job_title": "Head of IT Operations",
    "email": "jana.novak@acme.example",
    "signature": "Jana Novak",
    "consent": "yes",
    "option": "1",
}


def issued_proposal(client: TestClient, auth: Auth, who: str = "sales") -> dict[str, Any]:
    """A proposal of ``who``, submitted and so approved (no guardrail broken)."""
    proposal = create_proposal(client, auth, who=who)
    moved = ok(move_proposal(client, auth, proposal, "submitted", who=who))
    assert moved["status"] == "approved", moved["status"]
    return proposal


def share(client: TestClient, auth: Auth, proposal: dict[str, Any], who: str = "sales") -> Any:
    """POST the share link; the 201 answer (with its one-time URL)."""
    response = client.post(f"{PROPOSALS}/{proposal['id']}/share-link", headers=auth(who))
    return ok(response, 201)


def shared_proposal(client: TestClient, auth: Auth) -> tuple[dict[str, Any], str]:
    """An issued proposal of sales, shared: the proposal and the page's path."""
    proposal = issued_proposal(client, auth)
    return proposal, page_path(share(client, auth, proposal)["url"])


def page_path(url: str) -> str:
    found = re.search(r"/p/[A-Za-z0-9_-]+$", url)
    assert found, url
    return found.group(0)


def form_token(page: Response, form: str = "accept") -> str:
    """The signed hidden token of one of the page's forms."""
    found = re.search(
        rf'<form[^>]*id="{form}-form".*?name="form_token" value="([^"]+)"', page.text, re.S
    )
    assert found, f"no {form} form on the page"
    return found.group(1)


def accept(
    client: TestClient, path: str, fields: dict[str, Any] | None = None, **headers: str
) -> Response:
    """Load the page and post its acceptance form (with ``fields`` over the defaults)."""
    page = client.get(path)
    body = {**ACCEPTANCE, "form_token": form_token(page), **(fields or {})}
    body = {key: value for key, value in body.items() if value is not None}
    return client.post(f"{path}/accept", data=body, headers=headers, follow_redirects=False)


def decline(client: TestClient, path: str, reason: str = "") -> Response:
    page = client.get(path)
    body = {"form_token": form_token(page, "decline"), "reason": reason}
    return client.post(f"{path}/decline", data=body, follow_redirects=False)


def customer_app(
    database: Any, settings: Any, render_pool: Any, jobs: Any, address: str = "203.0.113.77"
) -> Any:
    """A client of an application whose jobs are recorded (not run), calling from
    ``address``, as a customer's browser would."""
    from app.bootstrap import create_app

    app = create_app(settings, database, render_pool=render_pool, jobs=jobs)
    return TestClient(app, raise_server_exceptions=False, client=(address, 50123))
