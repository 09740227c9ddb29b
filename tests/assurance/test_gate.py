"""The gate: a change to the active catalog that breaks an assured combination holding
today is refused (409, every broken one named, the refused run stored); an approver who is
not the requester may override it, audited; already broken combinations never block."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.assurance.service import Assurance, Judged
from app.auth import Principal
from app.configurator import ConfigurationRequest, Limits, Solution, SolverTimeout, configure
from app.kit.errors import SolverKilled
from app.portfolio import ActiveCatalog, CatalogChange
from app.portfolio.catalog.store import bump_revision
from catalog import CatalogSnapshot
from tests.support.api import Auth, etag_of, merge_patch, ok
from tests.support.assured import (
    BACKUP,
    BROKEN_TODAY,
    LINUX,
    assured_dearer_backup_v2,
    retarget_rule,
    runs_stored,
    with_combinations,
)
from tests.support.database import RolledBackDatabase
from tests.support.factories import default_catalog_json

BROKEN = "urn:offerwright:problem:assurance-broken"
NOT_OVERRIDABLE = "urn:offerwright:problem:run-not-overridable"


@pytest.fixture
def combinations(database: RolledBackDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    with_combinations(database, LINUX, BACKUP, BROKEN_TODAY)


def _rule_if(client: TestClient, auth: Auth) -> str:
    return str(ok(client.get("/v1/rules/R-SAP-001", headers=auth("portfolio")))["if"])


def _refused_rule_change(client: TestClient, auth: Auth, who: str = "portfolio") -> Any:
    response = retarget_rule(client, auth, who)
    assert response.status_code == 409, response.text
    return response.json()


@pytest.mark.usefixtures("combinations")
def test_a_rule_change_breaking_a_combination_is_refused_naming_it(
    client: TestClient, auth: Auth
) -> None:
    problem = _refused_rule_change(client, auth)
    assert problem["type"] == BROKEN
    assert [(item["id"], item["name"]) for item in problem["broken"]] == [
        ("linux-pair", "Two managed Linux servers")
    ]
    assert problem["broken"][0]["reasons"] == ["DB-HANA is in the bundle"]
    assert "linux-pair" in problem["detail"]
    assert _rule_if(client, auth) == "SAP-BASIS-S4"  # the change rolled back
    run = ok(client.get(f"/v1/assurance/runs/{problem['run']}", headers=auth("approver")))
    assert (run["status"], run["trigger"], run["requested_by"]) == ("refused", "change",
                                                                    "portfolio")  # fmt: skip
    assert run["subject"] == "edit rule R-SAP-001"
    assert run["change"]["action"] == "record.update"
    assert run["change"]["arguments"]["patch"] == {"if": "CMP-PHY-LNX"}
    blocking = [verdict["combination"] for verdict in run["verdicts"] if verdict["blocking"]]
    assert blocking == ["linux-pair"]


@pytest.mark.usefixtures("combinations")
def test_an_activation_breaking_a_combination_is_refused_naming_it(
    client: TestClient, auth: Auth
) -> None:
    assured_dearer_backup_v2(client, auth)
    response = client.post(
        "/v1/components/BKP-MANAGED/versions/2/transition",
        json={"to": "active"},
        headers=auth("portfolio"),
    )
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["type"] == BROKEN
    assert [item["id"] for item in problem["broken"]] == ["backup-5tb"]
    assert "above the band's 1,000.00 EUR a month" in problem["broken"][0]["reasons"][0]
    component = ok(client.get("/v1/components/BKP-MANAGED", headers=auth("portfolio")))
    assert (component["active_version"], component["version"]) == (1, 1)


@pytest.mark.usefixtures("combinations")
def test_a_change_breaking_nothing_passes_and_its_run_is_stored(
    client: TestClient, auth: Auth
) -> None:
    path = "/v1/rules/R-SAP-001"
    headers = auth("portfolio")
    response = merge_patch(client, headers, path, {"message": "S/4HANA needs HANA."},
                           etag_of(client, headers, path))  # fmt: skip
    assert ok(response)["message"] == "S/4HANA needs HANA."
    latest = ok(client.get("/v1/assurance/runs", headers=headers))
    by_id = {item["combination"]: item for item in latest["combinations"]}
    # Only what the rule can reach ran: the backup bundles never come near S/4HANA.
    assert {name: item["held"] for name, item in by_id.items()} == {"linux-pair": True}
    assert sorted(latest["not_run"]) == ["backup-5tb", "backup-on-a-vm"]
    assert {item["revision"] for item in by_id.values()} == {latest["revision"]}
    run = ok(client.get(f"/v1/assurance/runs/{by_id['linux-pair']['run']}", headers=headers))
    assert (run["trigger"], run["status"], run["subject"]) == ("change", "held",
                                                               "edit rule R-SAP-001")  # fmt: skip


@pytest.mark.usefixtures("combinations")
def test_a_combination_broken_today_does_not_block(client: TestClient, auth: Auth) -> None:
    """backup-on-a-vm is broken before and after a price rise of managed backup; it alone
    would not refuse the activation: only backup-5tb, which holds today, does."""
    assured_dearer_backup_v2(client, auth)
    response = client.post(
        "/v1/components/BKP-MANAGED/versions/2/transition",
        json={"to": "active"},
        headers=auth("portfolio"),
    )
    problem = response.json()
    assert [item["id"] for item in problem["broken"]] == ["backup-5tb"]
    run = ok(client.get(f"/v1/assurance/runs/{problem['run']}", headers=auth("portfolio")))
    verdicts = {verdict["combination"]: verdict for verdict in run["verdicts"]}
    assert (verdicts["backup-on-a-vm"]["held"], verdicts["backup-on-a-vm"]["blocking"]) == (
        False, False,
    )  # fmt: skip


def test_only_already_broken_combinations_never_refuse(
    client: TestClient, auth: Auth, database: RolledBackDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_combinations(database, BROKEN_TODAY)
    assured_dearer_backup_v2(client, auth)
    response = client.post(
        "/v1/components/BKP-MANAGED/versions/2/transition",
        json={"to": "active"},
        headers=auth("portfolio"),
    )
    assert ok(response)["status"] == "active"


@pytest.mark.usefixtures("combinations")
def test_an_approver_overrides_a_refusal_applying_the_change_audited(
    client: TestClient, auth: Auth
) -> None:
    problem = _refused_rule_change(client, auth)
    run_id = problem["run"]
    blank = client.post(f"/v1/assurance/runs/{run_id}/override", json={"comment": " \n\t "},
                        headers=auth("approver"))  # fmt: skip
    assert blank.status_code == 422, blank.text  # a blank comment is no reason
    overridden = ok(
        client.post(
            f"/v1/assurance/runs/{run_id}/override",
            json={"comment": "HANA on every physical Linux server is intended."},
            headers=auth("approver"),
        )
    )
    assert (overridden["status"], overridden["overridden_by"]) == ("overridden", "approver")
    assert overridden["comment"] == "HANA on every physical Linux server is intended."
    assert _rule_if(client, auth) == "CMP-PHY-LNX"
    log = ok(client.get("/v1/audit?limit=10", headers=auth("admin")))["items"]
    override = next(entry for entry in log if entry["action"] == "assurance.override")
    assert (override["actor"], override["entity_key"]) == ("approver", str(run_id))
    assert override["comment"] == "HANA on every physical Linux server is intended."
    assert [item["id"] for item in override["before"]["broken"]] == ["linux-pair"]
    change = next(entry for entry in log if entry["action"] == "record.update")
    assert (change["entity_key"], change["actor"]) == ("R-SAP-001", "portfolio")
    assert change["after"]["if"] == "CMP-PHY-LNX"
    # The catalog as it became: linux-pair's latest verdict is broken, on the new revision.
    latest = ok(client.get("/v1/assurance/runs", headers=auth("portfolio")))
    linux = next(item for item in latest["combinations"] if item["combination"] == "linux-pair")
    assert (linux["held"], linux["revision"]) == (False, latest["revision"])
    again = client.post(f"/v1/assurance/runs/{run_id}/override", json={"comment": "again"},
                        headers=auth("approver-2"))  # fmt: skip
    assert (again.status_code, again.json()["type"]) == (409, NOT_OVERRIDABLE)


@pytest.mark.usefixtures("combinations")
def test_the_requester_cannot_override_their_own_refusal(client: TestClient, auth: Auth) -> None:
    problem = _refused_rule_change(client, auth, "admin")
    path = f"/v1/assurance/runs/{problem['run']}/override"
    own = client.post(path, json={"comment": "mine"}, headers=auth("admin"))
    assert own.status_code == 403, own.text
    assert "four eyes" in own.json()["detail"]
    curator = client.post(path, json={"comment": "not mine to"}, headers=auth("portfolio"))
    assert curator.status_code == 403, curator.text
    missing = client.post(path, json={}, headers=auth("approver"))
    assert missing.status_code == 422, missing.text
    assert _rule_if(client, auth) == "SAP-BASIS-S4"


@pytest.mark.usefixtures("combinations")
def test_a_stale_refusal_cannot_be_overridden(client: TestClient, auth: Auth) -> None:
    problem = _refused_rule_change(client, auth)
    path = "/v1/rules/R-SAP-002"
    headers = auth("portfolio")
    moved = merge_patch(client, headers, path, {"message": "BW/4HANA needs HANA."},
                        etag_of(client, headers, path))  # fmt: skip
    ok(moved)
    response = client.post(f"/v1/assurance/runs/{problem['run']}/override",
                           json={"comment": "too late"}, headers=auth("approver"))  # fmt: skip
    assert response.status_code == 409, response.text
    assert response.json()["type"] == NOT_OVERRIDABLE
    assert "moved" in response.json()["detail"]
    assert _rule_if(client, auth) == "SAP-BASIS-S4"


def test_changes_to_the_catalog_without_combinations_store_no_run(
    client: TestClient, auth: Auth, database: RolledBackDatabase
) -> None:
    with_combinations(database)  # none
    response = retarget_rule(client, auth, "portfolio")
    assert ok(response)["if"] == "CMP-PHY-LNX"
    latest = ok(client.get("/v1/assurance/runs", headers=auth("portfolio")))
    assert latest["combinations"] == [] and latest["not_run"] == []


class _MovingSolver:
    """Solves in process, checking no transaction is open while it does; on its first
    solve another catalog change lands (the revision moves), as from another request."""

    def __init__(self, database: RolledBackDatabase) -> None:
        self.database = database
        self.solves = 0

    def solve(
        self, key: str, snapshot: CatalogSnapshot, request: ConfigurationRequest, limits: Limits
    ) -> Solution:
        assert not self.database.connection.in_nested_transaction(), "solved in a transaction"
        self.solves += 1
        if self.solves == 1:
            with self.database.transaction(write=True) as session:
                bump_revision(session)
        return configure(snapshot, request, limits)


@pytest.mark.usefixtures("combinations")
def test_solves_hold_no_transaction_and_a_moved_catalog_is_judged_again(
    database: RolledBackDatabase,
) -> None:
    solver = _MovingSolver(database)
    assurance = _Counting(database, ActiveCatalog(), solver, Limits(), workers=1)
    change = CatalogChange.update("rules", "R-SAP-001", {"message": "Judged twice."}, "*")
    view = assurance.apply(Principal("portfolio", "portfolio"), change)
    assert view is not None and view.body["message"] == "Judged twice."
    # Judged twice; each judgement asks for the one combination the rule can reach
    # (linux-pair, which holds on the changed catalog: nothing to compare with today's), and
    # the second finds its part of the catalog as the first left it: its verdict is reused.
    assert (assurance.judged, solver.solves) == (2, 1)


class _Counting(Assurance):
    judged = 0

    def judge(self, revision: int, before: CatalogSnapshot, after: CatalogSnapshot) -> Judged:
        self.judged += 1
        return super().judge(revision, before, after)


class _SlowToday:
    """Answers on the catalog a change would make; runs out of time on today's."""

    def solve(
        self, key: str, snapshot: CatalogSnapshot, request: ConfigurationRequest, limits: Limits
    ) -> Solution:
        if ":trial:" not in key:
            raise SolverTimeout("no bundle found within the 5 s time limit")
        return configure(snapshot, request, limits)


@pytest.mark.usefixtures("combinations")
def test_a_change_whose_breakage_cannot_be_compared_with_today_is_neither_made_nor_refused(
    database: RolledBackDatabase,
) -> None:
    """linux-pair breaks on the changed catalog; whether it holds today is not known in time
    (found by an independent review: it used to count as broken today, and not block)."""
    assurance = Assurance(database, ActiveCatalog(), _SlowToday(), Limits(), workers=1)
    change = CatalogChange.update("rules", "R-SAP-001", {"if": "CMP-PHY-LNX"}, "*")
    before = runs_stored(database)
    with pytest.raises(SolverKilled, match="linux-pair on today's catalog"):
        assurance.apply(Principal("portfolio", "portfolio"), change)
    with database.transaction(write=False) as session:
        assert ActiveCatalog().snapshot(session).assurances  # still judged against
        rule = next(r for r in ActiveCatalog().snapshot(session).rules if r.id == "R-SAP-001")
    assert rule.components()[0] == "SAP-BASIS-S4"
    assert runs_stored(database) == before


def _retargeted_catalog(*, with_combinations: bool) -> dict[str, Any]:
    """The default catalog as JSON with R-SAP-001 retargeted (CMP-PHY-LNX requires HANA),
    carrying linux-pair, or no assured combination at all."""
    catalog = default_catalog_json()
    for rule in catalog["rules"]:
        if rule["id"] == "R-SAP-001":
            rule["if"] = "CMP-PHY-LNX"
    catalog["assurances"] = [LINUX] if with_combinations else []
    return catalog


@pytest.mark.parametrize("carried", [True, False], ids=["carrying-it", "dropping-it"])
@pytest.mark.usefixtures("combinations")
def test_a_portfolio_import_breaking_a_combination_is_refused_naming_it(
    client: TestClient, auth: Auth, carried: bool
) -> None:
    """Its rules go live at once, as a PATCH's would (found by an independent review: the
    import let through what the gate refuses on PATCH); an import dropping the combination
    does not escape it either."""
    catalog = _retargeted_catalog(with_combinations=carried)
    response = client.post("/v1/catalog/import", json=catalog, headers=auth("portfolio"))
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["type"] == BROKEN
    assert [item["id"] for item in problem["broken"]] == ["linux-pair"]
    assert _rule_if(client, auth) == "SAP-BASIS-S4"  # nothing imported
    listed = ok(client.get("/v1/assurance/combinations", headers=auth("portfolio")))
    assert [item["id"] for item in listed["items"]] == ["backup-5tb", "backup-on-a-vm",
                                                        "linux-pair"]  # fmt: skip
    # An approver who did not ask for it imports it anyway, as its requester asked.
    run = ok(client.post(f"/v1/assurance/runs/{problem['run']}/override",
                         json={"comment": "The new SAP rule is intended."},
                         headers=auth("approver")))  # fmt: skip
    assert (run["status"], run["overridden_by"]) == ("overridden", "approver")
    assert run["subject"].startswith("import of a catalog of 83 component(s) and ")
    assert _rule_if(client, auth) == "CMP-PHY-LNX"


@pytest.mark.usefixtures("combinations")
def test_an_admin_import_is_reported_not_refused(client: TestClient, auth: Auth) -> None:
    """An admin's import is trusted (catalog-as-code runs `catalog assure` in its own CI):
    made, and what it breaks reported."""
    catalog = _retargeted_catalog(with_combinations=True)
    report = ok(client.post("/v1/catalog/import", json=catalog, headers=auth("admin")))
    assert _rule_if(client, auth) == "CMP-PHY-LNX"
    assert [item["id"] for item in report["assurance"]["broken_combinations"]] == ["linux-pair"]


def test_the_contract_says_an_override_comment_cannot_be_blank(client: TestClient) -> None:
    # The server refuses a blank comment (stripped: a tab is empty); a client generated from
    # the schema must know it, or it sends what the schema allows and gets a 422.
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["Override"]["properties"]["comment"]["pattern"] == r"\S"
