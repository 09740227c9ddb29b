"""Assurance runs: run now, one run, the latest verdict per combination with the catalog
revision it ran on, and the run every import stores."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from app.assurance.service import Assurance
from app.auth import Principal
from app.cli import app
from app.configurator import ConfigurationRequest, Limits, Solution, configure
from app.kit.database import Database
from app.kit.settings import get_settings
from app.models import AssuranceRun
from app.portfolio import ActiveCatalog
from catalog import CatalogSnapshot, default_catalog_path
from tests.support.api import Auth, etag_of, merge_patch, ok
from tests.support.assured import (
    BACKUP,
    BROKEN_TODAY,
    LINUX,
    retarget_rule,
    runs_stored,
    with_combinations,
)
from tests.support.database import RolledBackDatabase
from tests.support.factories import default_catalog_json


@pytest.fixture
def combinations(database: RolledBackDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    with_combinations(database, LINUX, BACKUP, BROKEN_TODAY)


@pytest.mark.usefixtures("combinations")
def test_a_run_now_judges_every_combination_and_is_stored(client: TestClient, auth: Auth) -> None:
    response = client.post("/v1/assurance/runs", headers=auth("approver"))
    run = ok(response, 201)
    assert response.headers["Location"] == f"/v1/assurance/runs/{run['id']}"
    assert (run["trigger"], run["status"], run["requested_by"]) == ("manual", "broken",
                                                                    "approver")  # fmt: skip
    assert (run["held"], run["broken"]) == (2, 1)
    verdicts = {verdict["combination"]: verdict for verdict in run["verdicts"]}
    assert verdicts["backup-on-a-vm"]["reasons"] == ["CMP-VM-LNX is not in the bundle"]
    assert verdicts["backup-5tb"]["found"]["monthly"] == "673.00"
    assert verdicts["backup-5tb"]["found"]["currency"] == "EUR"
    assert ok(client.get(f"/v1/assurance/runs/{run['id']}", headers=auth("portfolio"))) == run


@pytest.mark.usefixtures("combinations")
def test_the_latest_verdict_per_combination_names_its_run_and_revision(
    client: TestClient, auth: Auth
) -> None:
    headers = auth("portfolio")
    assert ok(client.get("/v1/assurance/runs", headers=headers))["not_run"] == [
        "backup-5tb", "backup-on-a-vm", "linux-pair",
    ]  # fmt: skip
    manual = ok(client.post("/v1/assurance/runs", headers=headers), 201)
    # A change that breaks nothing runs the combinations on the catalog it made...
    path = "/v1/rules/R-SAP-002"
    ok(merge_patch(client, headers, path, {"message": "BW/4HANA needs HANA."},
                   etag_of(client, headers, path)))  # fmt: skip
    # ...a refused attempt leaves the latest verdicts alone.
    assert retarget_rule(client, auth, "portfolio").status_code == 409
    latest = ok(client.get("/v1/assurance/runs", headers=headers))
    assert latest["not_run"] == []
    assert [item["combination"] for item in latest["combinations"]] == [
        "backup-5tb", "backup-on-a-vm", "linux-pair",
    ]  # fmt: skip
    by_id = {item["combination"]: item for item in latest["combinations"]}
    # The change ran only what the rule can reach (linux-pair); the backup bundles keep the
    # verdicts of the manual run.
    assert {by_id[name]["run"] for name in ("backup-5tb", "backup-on-a-vm")} == {manual["id"]}
    assert by_id["linux-pair"]["run"] != manual["id"]
    assert by_id["linux-pair"]["revision"] == latest["revision"] == manual["revision"] + 1
    linux = latest["combinations"][2]
    assert (linux["held"], linux["reasons"]) == (True, [])
    assert linux["ran_at"]


def test_runs_are_read_and_made_by_curators_only(client: TestClient, auth: Auth) -> None:
    for role in ("sales", "delivery"):
        assert client.get("/v1/assurance/runs", headers=auth(role)).status_code == 403
        assert client.post("/v1/assurance/runs", headers=auth(role)).status_code == 403
    assert client.get("/v1/assurance/runs/1", headers=auth("sales")).status_code == 403
    missing = client.get("/v1/assurance/runs/999999", headers=auth("portfolio"))
    assert missing.status_code == 404, missing.text


def test_an_import_runs_the_combinations_and_stores_the_run(
    client: TestClient, auth: Auth, database: RolledBackDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = default_catalog_json()
    catalog["assurances"] = [LINUX, BACKUP, BROKEN_TODAY]
    before = runs_stored(database)
    report = ok(client.post("/v1/catalog/import", json=catalog, headers=auth("admin")))
    assert runs_stored(database) == before + 1
    assured = report["assurance"]
    assert (assured["held"], assured["broken"]) == (2, 1)
    assert assured["broken_combinations"] == [
        {"id": "backup-on-a-vm", "name": "Backup with a Linux VM", "owner": "Storage team",
         "reasons": ["CMP-VM-LNX is not in the bundle"]}
    ]  # fmt: skip
    run = ok(client.get(f"/v1/assurance/runs/{assured['run']}", headers=auth("portfolio")))
    assert (run["trigger"], run["status"], run["requested_by"]) == ("import", "broken", "admin")


def test_the_import_command_runs_the_combinations_and_names_the_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "catalog"
    shutil.copytree(default_catalog_path(), directory)
    shutil.rmtree(directory / "assurance")  # the shipped ones: only these three here
    (directory / "assurance").mkdir()
    combinations = [LINUX, BACKUP, BROKEN_TODAY]
    (directory / "assurance" / "service-tests.yaml").write_text(json.dumps(combinations))
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("OFFERWRIGHT_DATABASE_URL", url)
    runner = CliRunner()
    try:
        for args in (["db", "upgrade"], ["catalog", "import", str(directory)]):
            get_settings.cache_clear()
            result = runner.invoke(app, args)
            assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    finally:
        get_settings.cache_clear()
    assert "assured combinations: 2 held, 1 broken (run 1)" in result.stdout
    assert "broken: backup-on-a-vm (Backup with a Linux VM): CMP-VM-LNX is not in the bundle" in (
        result.stdout
    )
    database = Database(url)
    try:
        with database.transaction(write=False) as session:
            runs = [
                (run.trigger, run.requested_by) for run in session.scalars(select(AssuranceRun))
            ]
    finally:
        database.dispose()
    assert runs == [("import", "system")]


class _CountingSolver:
    """Solves in process, slowly, counting how many solves run at once."""

    def __init__(self) -> None:
        self.running = self.most = 0
        self.lock = threading.Lock()

    def solve(
        self, key: str, snapshot: CatalogSnapshot, request: ConfigurationRequest, limits: Limits
    ) -> Solution:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.05)
            return configure(snapshot, request, limits)
        finally:
            with self.lock:
                self.running -= 1


def test_combinations_run_side_by_side_up_to_the_pools_workers(
    database: RolledBackDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_combinations(database, LINUX, BACKUP, BROKEN_TODAY, {**LINUX, "id": "l2"})
    solver = _CountingSolver()
    assurance = Assurance(database, ActiveCatalog(), solver, Limits(), workers=2)
    run = assurance.run_now(Principal("admin", "admin"))
    assert run is not None and (run["held"], run["broken"]) == (3, 1)
    assert solver.most == 2
