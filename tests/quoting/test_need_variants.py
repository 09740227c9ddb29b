"""A need names the variant it wants (``attributes``) through the API: configurations,
interactive options and proposals, and the field a bad one is refused at."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.api import ok
from tests.support.problems import assert_problem, error_fields

BW = {"capability": "sap.basis", "quantity": 2, "attributes": {"sap_release": "bw4hana"}}
REQUEST: dict[str, Any] = {"price_book": "EUR", "term_months": 36, "residency": ["EU"]}


def codes(bundle: dict[str, Any]) -> set[str]:
    return {line["component"] for line in bundle["lines"]}


@pytest.mark.parametrize(
    ("need", "wanted", "unwanted"),
    [
        ({"capability": "sap.basis", "quantity": 2}, "SAP-BASIS-S4", "SAP-BASIS-BW"),
        (BW, "SAP-BASIS-BW", "SAP-BASIS-S4"),
    ],
)
def test_a_configuration_gets_the_variant_asked_for_or_the_general_purpose_one(
    client: TestClient, auth: Any, need: dict[str, Any], wanted: str, unwanted: str
) -> None:
    body = ok(client.post("/v1/configurations", json={**REQUEST, "needs": [need]},
                          headers=auth("sales")))  # fmt: skip
    (bundle,) = body["bundles"]
    assert wanted in codes(bundle) and unwanted not in codes(bundle)


def test_the_options_force_the_variant_asked_for(client: TestClient, auth: Any) -> None:
    body = ok(client.post("/v1/configurations/options", json={**REQUEST, "needs": [BW]},
                          headers=auth("sales")))  # fmt: skip
    states = {option["code"]: option["state"] for option in body["components"]}
    assert states["SAP-BASIS-BW"] == "forced"


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ({"sap_release": "r3"}, "needs[0].attributes.sap_release"),
        ({"colour": "red"}, "needs[0].attributes.colour"),
        ({"sap_release": 4}, "needs[0].attributes.sap_release"),
    ],
)
def test_a_variant_no_provider_has_is_a_422_at_its_field(
    client: TestClient, auth: Any, attributes: dict[str, Any], field: str
) -> None:
    need = {"capability": "sap.basis", "quantity": 1, "attributes": attributes}
    response = client.post("/v1/configurations", json={**REQUEST, "needs": [need]},
                           headers=auth("sales"))  # fmt: skip
    assert error_fields(assert_problem(response, 422)) == [field]


def test_a_proposal_keeps_the_variant_in_its_request(client: TestClient, auth: Any) -> None:
    body = {"customer": {"name": "Acme", "country": "DE"}, "request": {**REQUEST, "needs": [BW]}}
    proposal = ok(client.post("/v1/proposals", json=body, headers=auth("sales")), 201)
    assert proposal["request"]["needs"] == [BW]
    assert "SAP-BASIS-BW" in {line["component"] for line in proposal["lines"]}
