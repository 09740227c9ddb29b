"""Interactive options through the API: option states with reasons, inconsistent clicks
with a conflict and repairs, bad clicks named by field."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.bootstrap import create_app
from app.kit.settings import Settings
from app.quoting.configurations.options import OptionsEngines
from tests.support.api import ok
from tests.support.problems import assert_problem, error_fields

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
    for repair in body["repairs"]:  # one repair takes back all it lists, said with "and"
        assert repair["detail"] == " and ".join(item["detail"] for item in repair["relax"])


def test_bad_clicks_are_named(client: TestClient, auth: Any) -> None:
    clicks = {**REQUEST, "chosen": ["NOPE", "SM-ITSM"], "rejected": ["SM-ITSM"]}
    problem = assert_problem(client.post(PATH, json=clicks, headers=auth("sales")), 422)
    assert {"chosen[0]", "rejected"} <= set(error_fields(problem))


def test_the_engine_is_prepared_once_per_catalog_revision(default_snapshot: Any) -> None:
    from app.quoting.configurations.options import OptionsEngines

    engines = OptionsEngines()
    first = engines.current(1, default_snapshot)
    assert engines.current(1, default_snapshot) is first  # every click of a revision
    assert engines.current(2, default_snapshot) is not first  # a new catalog revision


COMPUTE_AND_STORAGE: dict[str, Any] = {
    **REQUEST,
    "needs": [{"capability": "compute.linux", "quantity": 20},
              {"capability": "storage.block", "quantity": 30}],
}  # fmt: skip


def test_a_chosen_service_level_counts_against_the_availability_target(
    client: TestClient, auth: Any
) -> None:
    reachable = {**COMPUTE_AND_STORAGE, "min_availability": "99.5"}
    body = ok(client.post(PATH, json=reachable, headers=auth("sales")))
    assert body["valid"]
    # At bronze (99.5 %) a Linux VM leaves no room for the storage in the chain.
    levelled = {**reachable, "service_levels": {"CMP-VM-LNX": "bronze"}}
    body = ok(client.post(PATH, json=levelled, headers=auth("sales")))
    assert body["valid"] is False
    (item,) = body["conflict"]
    assert item["kind"] == "availability" and "CMP-VM-LNX at bronze" in item["detail"]
    relaxed = [[part["kind"] for part in repair["relax"]] for repair in body["repairs"]]
    assert relaxed == [["availability"], ["service_levels"]]
    # The level chooses its component: forced in every completion.
    gold = {**reachable, "service_levels": {"CMP-VM-LNX": "gold"}}
    states = {
        c["code"]: c["state"]
        for c in ok(client.post(PATH, json=gold, headers=auth("sales")))["components"]
    }
    assert states["CMP-VM-LNX"] == "forced"


def test_bad_service_levels_are_named(client: TestClient, auth: Any) -> None:
    clicks = {
        **COMPUTE_AND_STORAGE,
        "service_levels": {"CMP-VM-LNX": "platinum", "NOPE": "gold", "STO-BLOCK-STD": "premium"},
        "rejected": ["STO-BLOCK-STD"],
    }
    problem = assert_problem(client.post(PATH, json=clicks, headers=auth("sales")), 422)
    assert {"service_levels.CMP-VM-LNX", "service_levels.NOPE",
            "service_levels.STO-BLOCK-STD"} <= set(error_fields(problem))  # fmt: skip


def test_options_past_the_time_limit_are_a_503(database: Any, auth: Any) -> None:
    from app.bootstrap import create_app
    from app.kit.settings import Settings

    hurried = Settings(auth_failures_per_minute=10_000, solver_time_limit_seconds=1e-9)
    with TestClient(create_app(hurried, database), raise_server_exceptions=False) as client:
        response = client.post(PATH, json=REQUEST, headers=auth("sales"))
    problem = assert_problem(response, 503, "solver-timeout")
    assert response.headers["Retry-After"] == "1" and "time limit" in problem["detail"]


def test_clicks_beyond_the_options_queue_are_told_to_retry(
    database: Any, auth: Any, render_pool: Any
) -> None:
    settings = Settings(auth_failures_per_minute=10_000, options_queue=0)
    app = create_app(settings, database, render_pool=render_pool)
    with TestClient(app, raise_server_exceptions=False) as client:
        with app.state.wiring.get(OptionsEngines).gate.admitted():  # a click being answered
            busy = client.post(PATH, json=REQUEST, headers=auth("sales"))
        problem = assert_problem(busy, 503, "options-busy")
        assert busy.headers["Retry-After"] == "1"
        assert "retry" in problem["detail"]
        ok(client.post(PATH, json=REQUEST, headers=auth("sales")))  # and served once it is free
