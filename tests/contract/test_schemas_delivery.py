"""Work packages: a centre's list, one package and its delivery pack validate against the
schemas the OpenAPI document publishes, for the centre's delivery key and an admin; the
problems a delivery route gives are documented."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.contract.conformance import Contract

CENTRE = "/v1/delivery-centres/{code}/work-packages"
ONE = "/v1/work-packages/{package_id}"
PDF = "/v1/work-packages/{package_id}/pdf"
LOAD = "/v1/delivery-centres/{code}/load"
PROPOSAL: dict[str, Any] = {
    "customer": {"name": "Acme Logistics GmbH", "country": "DE", "contact": "Jana Novak"},
    "request": {
        "price_book": "EUR",
        "term_months": 36,
        "needs": [{"capability": "compute.linux", "quantity": 20}],
        "residency": ["EU"],
    },
}


@pytest.fixture
def contract(client: TestClient) -> Contract:
    return Contract(client)


def accepted(client: TestClient, auth: Any) -> dict[str, Any]:
    proposal: dict[str, Any] = client.post(
        "/v1/proposals", json=PROPOSAL, headers=auth("sales")
    ).json()
    path = f"/v1/proposals/{proposal['id']}"
    for to in ("submitted", "sent", "accepted"):
        etag = client.get(path, headers=auth("sales")).headers["ETag"]
        moved = client.post(
            f"{path}/transition", json={"to": to}, headers={**auth("sales"), "If-Match": etag}
        )
        assert moved.status_code == 200, moved.text
    return proposal


@pytest.mark.parametrize("who", ["delivery", "admin"])
def test_work_packages_answer_as_documented(
    client: TestClient, auth: Any, contract: Contract, who: str
) -> None:
    accepted(client, auth)
    listed = client.get(CENTRE.format(code="CZ-BRN"), headers=auth(who))
    page = contract.check(listed, "GET", CENTRE)
    assert listed.status_code == 200 and page["items"]
    package = page["items"][0]
    one = client.get(ONE.format(package_id=package["id"]), headers=auth(who))
    assert contract.check(one, "GET", ONE) == package
    document = client.get(PDF.format(package_id=package["id"]), headers=auth(who))
    assert document.status_code == 200
    assert contract.check(document, "GET", PDF).startswith(b"%PDF")
    load = contract.check(client.get(LOAD.format(code="CZ-BRN"), headers=auth(who)), "GET", LOAD)
    assert load["months"][0]["competencies"]


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("sales", CENTRE.format(code="CZ-BRN"), 403),
        ("delivery", CENTRE.format(code="DE-FRA"), 404),
        ("sales", ONE.format(package_id=1), 403),
        ("admin", ONE.format(package_id=999_999), 404),
        ("admin", PDF.format(package_id=999_999), 404),
        ("sales", LOAD.format(code="CZ-BRN"), 403),
        ("delivery", LOAD.format(code="DE-FRA"), 404),
        ("admin", LOAD.format(code="XX-NONE"), 404),
        ("admin", LOAD.format(code="CZ-BRN") + "?months=99", 422),
    ],
)
def test_delivery_problems_are_documented(
    client: TestClient, auth: Any, contract: Contract, who: str, path: str, status: int
) -> None:
    response = client.get(path, headers=auth(who))
    assert response.status_code == status
    template = (
        LOAD if "/load" in path
        else CENTRE if "delivery-centres" in path
        else PDF if path.endswith("pdf")
        else ONE
    )  # fmt: skip
    contract.check(response, "GET", template)


def test_answers_are_named_schemas(contract: Contract) -> None:
    for path, name in ((CENTRE, "WorkPackagePage"), (ONE, "WorkPackage"), (LOAD, "CentreLoad")):
        answer = contract.operation("GET", path)["responses"]["200"]["content"]
        assert answer["application/json"]["schema"] == {"$ref": f"#/components/schemas/{name}"}
