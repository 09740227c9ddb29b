"""Quotes, configurations and options: every answer validates against the schema the
OpenAPI document publishes for its operation and status, for a role that sees cost and
one that does not; request bodies are named schemas that real requests satisfy."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.contract.conformance import Contract

QUOTE = "/v1/quotes/price"
CONFIGURE = "/v1/configurations"
OPTIONS = "/v1/configurations/options"
BUNDLE: dict[str, Any] = {
    "price_book": "EUR",
    "term_months": 36,
    "discount_percent": "5",
    "lines": [
        {"component": "CMP-VM-LNX", "quantity": 60, "service_level": "gold",
         "delivery_centre": "CZ-BRN"},
        {"component": "SD-L1-247", "quantity": 480, "service_level": "standard",
         "delivery_centre": "PL-WRO"},
    ],
}  # fmt: skip
NEEDS: dict[str, Any] = {
    "price_book": "EUR",
    "term_months": 36,
    "needs": [{"capability": "compute.linux", "quantity": 20},
              {"capability": "storage.block", "quantity": 30}],
    "residency": ["EU"],
    "min_availability": "99.5",
}  # fmt: skip
CLICKS: dict[str, Any] = {
    "price_book": "EUR",
    "term_months": 36,
    "needs": [{"capability": "service-desk", "quantity": 200}],
    "residency": ["EU"],
}
ROLES = ["sales", "approver"]  # approvers see cost and margin, sales do not


@pytest.fixture
def contract(client: TestClient) -> Contract:
    return Contract(client)


def post(client: TestClient, auth: Any, contract: Contract, path: str, body: Any, who: str) -> Any:
    response = client.post(path, json=contract.request("POST", path, body), headers=auth(who))
    return response, contract.check(response, "POST", path)


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("discount", ["0", 7.3, "15", 100])  # none, a number, over the limit
def test_a_priced_quote_is_a_quote(
    client: TestClient, auth: Any, contract: Contract, who: str, discount: Any
) -> None:
    response, body = post(
        client, auth, contract, QUOTE, {**BUNDLE, "discount_percent": discount}, who
    )
    assert response.status_code == 200
    assert ("cost" in body) == (who == "approver")
    assert all(("margin" in line) == (who == "approver") for line in body["lines"])
    if discount == 100:
        assert body["guardrails"]["breaches"]


def test_an_invalid_quote_is_a_problem(client: TestClient, auth: Any, contract: Contract) -> None:
    response = client.post(QUOTE, json={**BUNDLE, "term_months": 0}, headers=auth("sales"))
    assert response.status_code == 422
    assert contract.check(response, "POST", QUOTE)["errors"][0]["field"] == "term_months"


def test_a_role_that_may_not_price_gets_a_documented_403(
    client: TestClient, auth: Any, contract: Contract
) -> None:
    response = client.post(QUOTE, json=BUNDLE, headers=auth("delivery"))
    assert response.status_code == 403
    contract.check(response, "POST", QUOTE)


@pytest.mark.parametrize("who", ROLES)
def test_a_configuration_is_a_configuration_result(
    client: TestClient, auth: Any, contract: Contract, who: str
) -> None:
    response, body = post(client, auth, contract, CONFIGURE, {**NEEDS, "alternatives": 2}, who)
    assert response.status_code == 200
    assert body["bundles"] and all(line["reasons"] for line in body["bundles"][0]["lines"])


@pytest.mark.parametrize("who", ROLES)
def test_no_valid_bundle_is_an_infeasible_problem(
    client: TestClient, auth: Any, contract: Contract, who: str
) -> None:
    response, body = post(
        client, auth, contract, CONFIGURE, {**NEEDS, "budget_monthly": "100.00"}, who
    )
    assert response.status_code == 422 and body["type"].endswith(":infeasible")
    assert body["conflicts"] and body["repairs"]
    # The 422 is documented as the problem with an infeasible configuration's members.
    schema = contract.operation("POST", CONFIGURE)["responses"]["422"]
    assert schema["content"]["application/problem+json"]["schema"]["$ref"].endswith(
        "/InfeasibleProblem"
    )


@pytest.mark.parametrize(
    "clicks",
    [{"chosen": ["SD-L1-247"]}, {"chosen": ["SD-L1-BUS"], "rejected": ["SM-ITSM"]}],
    ids=["valid", "conflict"],
)
def test_options_are_configuration_options(
    client: TestClient, auth: Any, contract: Contract, clicks: dict[str, Any]
) -> None:
    response, body = post(client, auth, contract, OPTIONS, {**CLICKS, **clicks}, "sales")
    assert response.status_code == 200 and body["components"]


def test_bodies_and_answers_are_named_schemas(contract: Contract) -> None:
    named = {
        QUOTE: ("QuoteRequest", "Quote"),
        CONFIGURE: ("ConfigurationRequest", "ConfigurationResult"),
        OPTIONS: ("OptionsRequest", "ConfigurationOptions"),
    }
    for path, (request, answer) in named.items():
        operation = contract.operation("POST", path)
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{request}"}
        ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": f"#/components/schemas/{answer}"}


def test_cost_and_margin_are_optional_never_null(contract: Contract) -> None:
    for name in ("Quote", "QuoteLine", "Bundle", "BundleLine"):
        schema = contract.schema_of(name)
        assert not {"cost", "margin"} & set(schema["required"]), name
        for field in ("cost", "margin"):
            assert "anyOf" not in schema["properties"][field], (name, field)


def test_amounts_are_exact_decimal_strings(contract: Contract) -> None:
    totals = contract.schema_of("Totals")["properties"]
    assert totals["monthly"]["type"] == "string"
    assert totals["monthly"]["pattern"] == r"^-?[0-9]+\.[0-9]{2}$"
    discount = contract.schema_of("QuoteRequest")["properties"]["discount_percent"]
    assert {branch["type"] for branch in discount["anyOf"]} == {"number", "string"}
