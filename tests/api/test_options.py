"""Interactive options through the API: option states with reasons, inconsistent clicks
with a conflict and repairs, bad clicks named by field."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.test_components import assert_problem, error_fields, ok

PATH = "/v1/configurations/options"
REQUEST: dict[str, Any] = {
    "price_book": "EUR",
    "term_months": 36,
    "needs": [{"capability": "service-desk", "quantity": 200}],
    "residency": ["EU"],
}


def test_every_component_in_scope_gets_a_state_and_a_reason(client: TestClient, auth: Any) -> None:
    body = ok(client.post(PATH, json={**REQUEST, "chosen": ["SD-L1-247"]}, headers=auth("sales")))
    assert body["valid"] and body["conflict"] == [] and body["repairs"] == []
    states = {item["code"]: item for item in body["components"]}
    assert states["SD-L1-247"]["state"] == "forced"
    assert states["SM-ITSM"]["state"] == "forced"  # every desk works in the ITSM platform
    assert states["SD-L1-BUS"]["state"] == "impossible"
    assert states["SD-L1-BUS"]["reason"].endswith("SD-L1-247 is chosen")
    assert all(
        (item["reason"] is None) == (item["state"] == "possible") for item in body["components"]
    )


def test_inconsistent_clicks_get_a_conflict_and_repairs(client: TestClient, auth: Any) -> None:
    clicks = {**REQUEST, "chosen": ["SD-L1-BUS"], "rejected": ["SM-ITSM"]}
    body = ok(client.post(PATH, json=clicks, headers=auth("sales")))
    assert body["valid"] is False
    assert {"kind": "rejected", "ref": "SM-ITSM", "detail": "SM-ITSM is rejected"} in body[
        "conflict"
    ]
    assert body["repairs"] and all(repair["relax"] for repair in body["repairs"])


def test_bad_clicks_are_named(client: TestClient, auth: Any) -> None:
    clicks = {**REQUEST, "chosen": ["NOPE", "SM-ITSM"], "rejected": ["SM-ITSM"]}
    problem = assert_problem(client.post(PATH, json=clicks, headers=auth("sales")), 422)
    assert {"chosen[0]", "rejected"} <= set(error_fields(problem))


def test_the_engine_is_prepared_once_per_catalog_revision(default_snapshot: Any) -> None:
    from app.services.options import OptionsEngines

    engines = OptionsEngines()
    first = engines.current(1, default_snapshot)
    assert engines.current(1, default_snapshot) is first  # every click of a revision
    assert engines.current(2, default_snapshot) is not first  # a new catalog revision
