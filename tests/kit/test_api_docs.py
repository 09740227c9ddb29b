"""/docs and /redoc work offline: their assets ship in the package and nothing is loaded from
another host; the OpenAPI document declares the bearer scheme, so Swagger UI's Authorize
takes a pasted key and "Try it out" calls /v1 with it. The browser tests drive a real
Chromium against the app served over a socket."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from app.bootstrap import create_app
from app.kit.api_docs import ASSETS, ASSETS_PATH, IMMUTABLE
from app.kit.database import Database
from app.kit.settings import Settings
from tests.support.browser import Watched
from tests.support.live_server import LiveServer, live_server

SCREENSHOT = Path(__file__).parents[2] / "docs" / "api-docs.png"
# An operation with a request body and answers of their own schemas.
EXPANDED = ("POST", "/v1/components/{code}/versions/{version}/transition")
Document = dict[str, Any]


def _operations(document: Document) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


def _properties(document: Document, content: dict[str, Any]) -> set[str]:
    """The top-level property names of a body's schema ($refs followed), in its first JSON
    media type: the one Swagger UI shows."""
    json = [media for media in content if media.split(";")[0].endswith("json")]
    schema = content[json[0]].get("schema", {}) if json else {}
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return set(schema.get("properties", {}))


# -- without a browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """The app on a database it never opens: none of these pages reads one."""
    with TestClient(create_app(Settings(), Database("sqlite://"))) as client:
        yield client


def test_the_pages_load_only_assets_of_the_package(client: TestClient) -> None:
    loaded = set()
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        urls = re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"([^\"]+)\"", html)
        assert urls and all(url.startswith(f"{ASSETS_PATH}/") for url in urls), urls
        loaded |= {url.removeprefix(f"{ASSETS_PATH}/") for url in urls}
        assert "fonts.googleapis" not in html
    assert loaded == set(ASSETS)


@pytest.mark.parametrize("asset", ASSETS)
def test_an_asset_is_cached_for_a_year_under_its_versioned_url(
    client: TestClient, asset: str
) -> None:
    response = client.get(f"{ASSETS_PATH}/{asset}")
    assert response.status_code == 200
    assert re.search(r"-\d+\.\d+\.\d+/", asset)  # the folder names the version
    assert response.headers["cache-control"] == IMMUTABLE
    again = client.get(
        f"{ASSETS_PATH}/{asset}", headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["cache-control"] == IMMUTABLE


def test_nothing_but_the_assets_is_served_from_there(client: TestClient) -> None:
    for path in ("/docs/assets/../../settings.py", "/docs/assets/nothing.js", "/docs/assets/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"


def test_the_bearer_scheme_is_declared_on_every_authenticated_operation(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()
    (name,) = document["components"]["securitySchemes"]
    assert document["components"]["securitySchemes"][name] | {"description": ""} == {
        "type": "http",
        "scheme": "bearer",
        "description": "",
    }
    for (method, path), operation in _operations(document).items():
        expected = [{name: []}] if path.startswith("/v1/") else None
        assert operation.get("security") == expected, (method, path)
    assert not {"/docs", "/redoc"} & set(document["paths"])


# -- in a browser --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("docs")) as server:
        yield server


def test_swagger_ui_shows_every_operation_and_tries_one_with_a_pasted_key(
    server: LiveServer, page: Watched
) -> None:
    document = httpx.get(f"{server.url}/openapi.json").json()
    operations = _operations(document)
    key = server.key("sales")
    ui = page.page
    ui.goto(f"{server.url}/docs")

    blocks = ui.locator(".opblock")
    expect(blocks).to_have_count(len(operations))
    shown = blocks.evaluate_all(
        "blocks => blocks.map(b => [b.querySelector('.opblock-summary-method').textContent,"
        " b.querySelector('.opblock-summary-path').dataset.path])"
    )
    assert {(method, path) for method, path in shown} == set(operations)

    # One operation expanded: its request body's schema, and each answer's.
    method, path = EXPANDED
    operation = operations[EXPANDED]
    block = ui.locator(f".opblock-{method.lower()}").filter(
        has=ui.locator(f'.opblock-summary-path[data-path="{path}"]')
    )
    block.locator(".opblock-summary-control").click()
    body = block.locator(".opblock-section-request-body")
    body.get_by_role("tab", name="Schema").click()
    fields = '[data-json-schema-level="1"] > .json-schema-2020-12-head .json-schema-2020-12__title'
    expected = _properties(document, operation["requestBody"]["content"])
    assert expected
    expect(body.locator(fields)).to_have_count(len(expected))
    assert set(body.locator(fields).all_inner_texts()) == expected
    rows = block.locator(".responses-table:not(.live-responses-table) tr.response")
    expect(rows).to_have_count(len(operation["responses"]))
    assert {row.get_attribute("data-code") for row in rows.all()} == set(operation["responses"])
    with_schemas = 0
    for code, answer in operation["responses"].items():
        expected = _properties(document, answer.get("content", {}))
        if expected:
            row = block.locator(f'tr.response[data-code="{code}"]')
            row.get_by_role("tab", name="Schema").click()
            expect(row.locator(fields)).to_have_count(len(expected))
            assert set(row.locator(fields).all_inner_texts()) == expected, code
            with_schemas += 1
    assert with_schemas

    # Authorize with a pasted key, then "Try it out" on the component list.
    ui.locator(".auth-wrapper .authorize").click()
    ui.locator("#auth-bearer-value").fill(key)
    ui.get_by_role("button", name="Apply credentials").click()
    expect(ui.get_by_role("heading", name="Authorized")).to_be_visible()
    ui.get_by_role("button", name="Close").click()
    components = ui.locator(".opblock-get").filter(
        has=ui.locator('.opblock-summary-path[data-path="/v1/components"]')
    )
    components.locator(".opblock-summary-control").click()
    components.get_by_role("button", name="Try it out").click()
    with ui.expect_response(re.compile(r"/v1/components(\?|$)")) as answer:
        components.get_by_role("button", name="Execute").click()
    assert answer.value.request.headers["authorization"] == f"Bearer {key}"
    assert answer.value.status == 200
    expect(
        components.locator(".live-responses-table tr.response .response-col_status")
    ).to_have_text("200")

    if os.environ.get("OFFERWRIGHT_SCREENSHOTS") == "1":
        # The top of the page, authorized, with the expanded operation's schemas in view.
        components.locator(".opblock-summary-control").click()
        ui.set_viewport_size({"width": 1280, "height": 2000})
        ui.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
        ui.screenshot(path=SCREENSHOT)

    assert page.foreign_requests(server.url) == []
    assert page.errors == []  # a script or style the policy refused would be reported here


def test_redoc_shows_every_operation_offline(server: LiveServer, page: Watched) -> None:
    document = httpx.get(f"{server.url}/openapi.json").json()
    page.page.goto(f"{server.url}/redoc")

    expect(page.page.locator("h1")).to_contain_text(document["info"]["title"])
    sections = page.page.locator('[data-section-id^="tag/"][data-section-id*="/operation/"]')
    expect(sections).to_have_count(len(_operations(document)))
    shown = {
        str(section.get_attribute("data-section-id")).rsplit("/", 1)[-1]
        for section in sections.all()
    }
    assert shown == {operation["operationId"] for operation in _operations(document).values()}
    assert page.foreign_requests(server.url) == []
    assert page.errors == []
