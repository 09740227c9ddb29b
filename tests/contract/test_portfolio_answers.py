"""Portfolio answers (components, registry records, the catalog) validate against the
schemas `/openapi.json` publishes, for a role that sees cost and for one that does not."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.contract.conformance import Contract
from tests.support.routes import ASSURED

REGISTRIES = {
    "capabilities": "code",
    "competencies": "code",
    "delivery-centres": "code",
    "price-books": "code",
    "rules": "id",
    "offerings": "code",
    "assurance/combinations": "id",
}


@pytest.fixture
def spec(client: TestClient) -> Contract:
    return Contract(client)


@pytest.mark.parametrize("role", ["sales", "portfolio", "delivery"])
def test_component_answers_match_their_schemas(
    client: TestClient, auth: Any, spec: Contract, role: str
) -> None:
    headers = auth(role)
    listed = client.get("/v1/components", params={"limit": 200}, headers=headers)
    spec.check(listed, "GET", "/v1/components")
    code = listed.json()["items"][0]["code"]
    one = client.get(f"/v1/components/{code}", headers=headers)
    spec.check(one, "GET", "/v1/components/{code}")
    document = client.get(f"/v1/components/{code}/specification", headers=headers)
    spec.check(document, "GET", "/v1/components/{code}/specification")
    summary = client.get("/v1/catalog/summary", headers=headers)
    spec.check(summary, "GET", "/v1/catalog/summary")


def test_a_component_with_cost_matches_the_same_schema(
    client: TestClient, auth: Any, spec: Contract
) -> None:
    # Cost fields are optional in the schema: present for portfolio, absent for sales.
    code = client.get("/v1/components", headers=auth("sales")).json()["items"][0]["code"]
    seen = client.get(f"/v1/components/{code}", headers=auth("portfolio")).json()
    hidden = client.get(f"/v1/components/{code}", headers=auth("sales")).json()
    assert "cost_factor" in seen["service_levels"][0]
    assert "cost_factor" not in hidden["service_levels"][0]


@pytest.mark.parametrize("registry", sorted(REGISTRIES))
@pytest.mark.parametrize("role", ["sales", "portfolio"])
def test_registry_answers_match_their_schemas(
    client: TestClient, auth: Any, spec: Contract, registry: str, role: str
) -> None:
    headers = auth(role)
    listed = client.get(f"/v1/{registry}", params={"limit": 200}, headers=headers)
    spec.check(listed, "GET", f"/v1/{registry}")
    for item in listed.json()["items"]:
        key = item[REGISTRIES[registry]]
        one = client.get(f"/v1/{registry}/{key}", headers=headers)
        spec.check(one, "GET", f"/v1/{registry}/{{key}}")


def test_problems_match_the_problem_schema(client: TestClient, auth: Any, spec: Contract) -> None:
    missing = client.get("/v1/components/NO-SUCH", headers=auth("sales"))
    spec.check(missing, "GET", "/v1/components/{code}")
    invalid = client.post("/v1/capabilities", json={"code": ""}, headers=auth("portfolio"))
    spec.check(invalid, "POST", "/v1/capabilities")
    anonymous = client.get("/v1/rules")
    spec.check(anonymous, "GET", "/v1/rules")


def test_assured_combination_bodies_and_answers_match_their_schemas(
    client: TestClient, auth: Any, spec: Contract
) -> None:
    """The default catalog may hold no combination to read: one is written, then read."""
    path = "/v1/assurance/combinations"
    body = spec.request("POST", path, ASSURED)
    created = client.post(path, json=body, headers=auth("portfolio"))
    spec.check(created, "POST", path)
    one = f"{path}/{ASSURED['id']}"
    for role in ("sales", "portfolio"):
        spec.check(client.get(one, headers=auth(role)), "GET", f"{path}/{{key}}")
        listed = client.get(path, params={"limit": 200}, headers=auth(role))
        spec.check(listed, "GET", path)
        assert ASSURED["id"] in [item["id"] for item in listed.json()["items"]]
    patch = spec.request("PATCH", f"{path}/{{key}}", {"expect": {"monthly": {"max": "900"}}})
    patched = client.patch(
        one,
        json=patch,
        headers={**auth("portfolio"), "If-Match": created.headers["ETag"]},
    )
    spec.check(patched, "PATCH", f"{path}/{{key}}")
    assert patched.json()["expect"]["monthly"]["max"] == "900"
