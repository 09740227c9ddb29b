"""The audit log and the health check answer as the OpenAPI document says."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.bootstrap import create_app
from app.kit.health import Health
from app.kit.settings import Settings
from tests.contract.conformance import Contract

AUDIT = "/v1/audit"


@pytest.fixture
def contract(client: TestClient) -> Contract:
    return Contract(client)


def test_audit_entries_answer_as_documented(
    client: TestClient, auth: Any, contract: Contract
) -> None:
    # A change to audit: a proposal created (the import of the catalog is audited too).
    body = {
        "customer": {"name": "Acme", "country": "DE"},
        "request": {"price_book": "EUR", "term_months": 12,
                    "needs": [{"capability": "compute.linux", "quantity": 2}]},
    }  # fmt: skip
    assert client.post("/v1/proposals", json=body, headers=auth("sales")).status_code == 201
    page = client.get(AUDIT, params={"limit": 5}, headers=auth("admin"))
    assert page.status_code == 200
    answer = contract.check(page, "GET", AUDIT)
    assert answer["items"] and answer["next_cursor"]
    following = client.get(AUDIT, params={"cursor": answer["next_cursor"]}, headers=auth("admin"))
    contract.check(following, "GET", AUDIT)
    for number in ("0.5", "1700000000"):  # not read as seconds since 1970
        response = client.get(AUDIT, params={"since": number}, headers=auth("admin"))
        assert response.status_code == 422
        assert contract.check(response, "GET", AUDIT)["errors"][0]["field"] == "since"
    refused = client.get(AUDIT, headers=auth("sales"))
    assert refused.status_code == 403
    contract.check(refused, "GET", AUDIT)
    assert contract.operation("GET", AUDIT)["responses"]["200"]["content"]["application/json"][
        "schema"
    ] == {"$ref": "#/components/schemas/AuditPage"}


def test_health_answers_as_documented(client: TestClient, contract: Contract) -> None:
    healthy = client.get("/healthz")
    assert contract.check(healthy, "GET", "/healthz") == {"status": "ok", "database": "ok"}


class _Unreachable:
    def ping(self) -> bool:
        return False


def test_an_unhealthy_service_is_a_documented_503_problem() -> None:
    app = create_app(Settings(database_url="sqlite:///:memory:"))
    app.state.wiring.get(Health).database = _Unreachable()
    with TestClient(app) as client:
        response = client.get("/healthz")
        problem = Contract(client).check(response, "GET", "/healthz")
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert problem["type"] == "urn:offerwright:problem:unavailable"
    assert problem["database"] == "unreachable"
