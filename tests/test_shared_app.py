"""The application shared by a module's tests (tests/support/shared_app.py): each test
finds the catalog as every test does, though the application, and what it keeps per catalog
revision, lives on from the test before. These tests run in order: the second makes the
same number of catalog changes as the first, so without moving the revision on it would
be answered from what the first left in the caches."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.api import ok
from tests.support.factories import activate, latest_etag, patch_component

pytestmark = pytest.mark.shared_app

MPLS = {
    "price_book": "EUR",
    "term_months": 36,
    "lines": [{"component": "NET-MPLS", "quantity": 3, "service_level": "silver",
               "delivery_centre": "DE-FRA"}],
}  # fmt: skip
SEEN: dict[str, Any] = {}


def _list_price(client: TestClient, auth: Any) -> str:
    line = ok(client.post("/v1/quotes/price", json=MPLS, headers=auth("sales")))["lines"][0]
    price: str = line["derivation"]["list_bands"][0]["list_price"]
    return price


def _reprice(client: TestClient, auth: Any, monthly: str) -> None:
    """NET-MPLS at a new list price: a new version, activated (four catalog changes)."""
    headers = auth("portfolio")
    changed = patch_component(
        client, headers, "NET-MPLS", {"prices": {"EUR": {"monthly": monthly}}},
        latest_etag(client, headers, "NET-MPLS"),
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    activate(client, auth, code="NET-MPLS", version=2)


@pytest.mark.usefixtures("without_assured_combinations")  # repricing breaks shipped bands
def test_a_test_changes_the_catalog_and_is_answered_from_it(client: TestClient, auth: Any) -> None:
    SEEN["app"], SEEN["price"] = client.app, _list_price(client, auth)
    _reprice(client, auth, "1200.00")
    assert _list_price(client, auth) == "1200.00"


@pytest.mark.usefixtures("without_assured_combinations")  # repricing breaks shipped bands
def test_the_next_test_finds_the_catalog_as_it_was(client: TestClient, auth: Any) -> None:
    if "app" not in SEEN:
        pytest.skip("runs after the test before it")
    assert client.app is SEEN["app"]  # the same application, caches and all
    assert _list_price(client, auth) == SEEN["price"]
    _reprice(client, auth, "1300.00")
    assert _list_price(client, auth) == "1300.00"
