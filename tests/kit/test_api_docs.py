"""/docs and /redoc work offline: their assets ship in the package and nothing is loaded from
another host; the OpenAPI document declares the bearer scheme, so Swagger UI has an
Authorize button."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.bootstrap import create_app
from app.kit.api_docs import ASSETS, ASSETS_PATH, IMMUTABLE
from app.kit.database import Database
from app.kit.settings import Settings

Document = dict[str, Any]


def _operations(document: Document) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


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
