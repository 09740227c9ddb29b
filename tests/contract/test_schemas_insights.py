"""The insights validate against the schemas the OpenAPI document publishes: JSON, the CSV
twins (declared text/csv), a bad filter's problem and a refused role's."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.kit.database import Database
from tests.contract.conformance import Contract
from tests.support.insights_fixture import QUERY, make_insights_fixture


@pytest.mark.parametrize("name", ["go-to-market", "portfolio", "delivery"])
def test_insights_answer_as_documented(
    client: TestClient, auth: Any, database: Database, name: str
) -> None:
    make_insights_fixture(database)
    contract = Contract(client)
    path, twin = f"/v1/insights/{name}", f"/v1/insights/{name}.csv"
    body = contract.check(client.get(path, params=QUERY, headers=auth("approver")), "GET", path)
    assert body["filters"]["since"] == QUERY["since"]
    asked = client.get(path, params=QUERY, headers={**auth("admin"), "Accept": "text/csv"})
    assert contract.check(asked, "GET", path).startswith(b"measure,month,")
    csv = client.get(twin, params=QUERY, headers=auth("portfolio"))
    assert contract.check(csv, "GET", twin) == asked.content
    for refused in (
        client.get(path, params={"until": "someday"}, headers=auth("admin")),
        client.get(twin, params={"since": "2026-02-01", "until": "2026-01-01"},
                   headers=auth("admin")),
        client.get(path, headers=auth("sales")),
        client.get(twin, headers=auth("delivery")),
    ):  # fmt: skip
        assert refused.status_code in (403, 422)
        contract.check(refused, "GET", path if refused.url.path == path else twin)
