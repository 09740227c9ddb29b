"""Security headers on every answer, a Content-Security-Policy on HTML that allows what
each page loads and nothing more, and Cache-Control by route family: what names customers,
prices, cost or margin is never stored by any cache."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from app.bootstrap import create_app
from app.kit.settings import Settings
from tests.support.api import Auth
from tests.support.assured import with_combinations
from tests.support.database import BrokenDatabase, RolledBackDatabase
from tests.support.problems import assert_problem
from tests.support.routes import CASES, Case

# One application and one set of keys for the whole module (it calls every route of the
# role matrix): see tests/support/shared_app.py.
pytestmark = pytest.mark.shared_app

ALWAYS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def assert_secured(response: Response) -> None:
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, (response.request.url, name)


def policy(response: Response) -> dict[str, list[str]]:
    """The Content-Security-Policy as directive -> sources."""
    directives: dict[str, list[str]] = {}
    for part in response.headers["content-security-policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.parametrize(
    ("path", "who", "status"),
    [
        ("/healthz", None, 200),
        ("/openapi.json", None, 200),
        ("/v1/components", "sales", 200),
        ("/v1/components/CMP-VM-LNX/specification", "sales", 200),
        ("/v1/components", None, 401),
        ("/v1/nothing-here", "sales", 404),
    ],
)
def test_every_answer_carries_the_security_headers(
    client: TestClient, auth: Auth, path: str, who: str | None, status: int
) -> None:
    response = client.get(path, headers=auth(who) if who else {})
    assert response.status_code == status
    assert_secured(response)
    assert "content-security-policy" not in response.headers  # not HTML


def test_refused_bodies_and_unexpected_errors_carry_them_too(
    client: TestClient, auth: Auth
) -> None:
    big = client.patch(
        "/v1/components/CMP-VM-LNX",
        content=b"{" + b" " * 2_000_000 + b"}",
        headers={**auth("portfolio"), "If-Match": "*", "Content-Type": "application/json"},
    )
    assert_problem(big, 413, "payload-too-large")
    assert_secured(big)
    app = create_app(Settings(), BrokenDatabase())  # type: ignore[arg-type]
    with TestClient(app, raise_server_exceptions=False) as broken:
        failed = broken.get("/v1/components", headers={"Authorization": "Bearer ow_x"})
    assert_problem(failed, 500, "internal-error")
    assert_secured(failed)


@pytest.mark.parametrize("document", ["specification", "statement-of-work", "delivery-description"])
def test_a_document_page_may_load_nothing_and_run_nothing(
    client: TestClient, auth: Auth, document: str
) -> None:
    response = client.get(
        f"/v1/components/CMP-VM-LNX/{document}", headers={**auth("admin"), "Accept": "text/html"}
    )
    assert response.headers["content-type"].startswith("text/html")
    assert_secured(response)
    directives = policy(response)
    assert directives["default-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "script-src" not in directives  # so none, by default-src
    assert directives["style-src"] == ["'unsafe-inline'"]
    # ... which is all the page needs: its own stylesheet and the template's style
    # attributes (a hash would not cover those), nothing fetched, no script.
    assert re.findall(r"<(script|link|img|iframe|object)\b", response.text) == []
    assert " src=" not in response.text
    assert response.text.count("<style>") == 1


def _inline_scripts(html: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", html, re.DOTALL)


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_docs_pages_may_load_from_their_own_origin_only(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert_secured(response)
    directives = policy(response)
    assert directives["default-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["connect-src"] == ["'self'"]  # the OpenAPI document, "try it out"
    assert directives["img-src"] == ["'self'", "data:"]
    # Every script and stylesheet a page names is one of ours (a relative URL).
    urls = re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"([^\"]+)\"", response.text)
    assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls)
    assert not any("://" in source for sources in directives.values() for source in sources)
    # Inline scripts run only by their hash: exactly the page's own (Swagger UI's bootstrap).
    inline = _inline_scripts(response.text)
    hashes = [
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in inline
    ]
    assert directives["script-src"] == ["'self'", *hashes]
    assert "'unsafe-inline'" not in directives["script-src"]


def test_only_redoc_may_use_inline_styles_and_a_worker(client: TestClient) -> None:
    # ReDoc writes its stylesheet into <style> elements and searches in a blob: worker.
    redoc = policy(client.get("/redoc"))
    assert redoc["style-src"] == ["'self'", "'unsafe-inline'"]
    assert redoc["worker-src"] == ["blob:"]
    swagger = policy(client.get("/docs"))
    assert swagger["style-src"] == ["'self'"]
    assert "worker-src" not in swagger


# Route templates whose answers no cache may keep: customers, prices, cost and margin.
CONFIDENTIAL = (
    "/v1/proposals",
    "/v1/work-packages",
    "/v1/delivery-centres/{code}/work-packages",
    "/v1/quotes",
    "/v1/configurations",
    "/v1/audit",
    "/v1/webhooks",
    "/v1/insights",
)


def _expected_caching(route: str) -> str:
    confidential = any(route == root or route.startswith(root + "/") for root in CONFIDENTIAL)
    return "no-store" if confidential else "private, no-cache"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_route_says_how_it_may_be_cached(
    client: TestClient, auth: Auth, database: RolledBackDatabase, case: Case
) -> None:
    if case.changes_the_catalog:
        with_combinations(database)  # as in the role matrix
    if case.setup is not None:
        case.setup(client, auth)
    response = case.call(client, auth(sorted(case.allowed)[0]))
    assert response.status_code == case.ok, response.text
    assert response.headers["cache-control"] == _expected_caching(case.route)
    assert_secured(response)


def test_refusals_of_confidential_routes_are_not_stored_either(
    client: TestClient, auth: Auth
) -> None:

    for path in ("/v1/proposals/999999", "/v1/proposals/999999/pdf", "/v1/work-packages/1"):
        response = client.get(path, headers=auth("admin"))
        assert_problem(response, 404, "not-found")
        assert response.headers["cache-control"] == "no-store"
    unauthenticated = client.get("/v1/proposals")
    assert_problem(unauthenticated, 401, "unauthenticated")
    assert unauthenticated.headers["cache-control"] == "no-store"
    assert client.get("/healthz").headers["cache-control"] == "no-store"
