"""The impact preview: what activating a draft would break, read-only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.portfolio.catalog.store import catalog_revision
from tests.support.api import Auth, ok
from tests.support.assured import (
    BACKUP,
    BROKEN_TODAY,
    LINUX,
    dearer_backup_v2,
    runs_stored,
    with_combinations,
)
from tests.support.database import RolledBackDatabase


@pytest.fixture
def combinations(database: RolledBackDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    with_combinations(database, LINUX, BACKUP, BROKEN_TODAY)


def _revision(database: RolledBackDatabase) -> int:
    with database.transaction(write=False) as session:
        return catalog_revision(session)


@pytest.mark.usefixtures("combinations")
def test_a_drafts_preview_lists_what_would_break_and_writes_nothing(
    client: TestClient, auth: Auth, database: RolledBackDatabase
) -> None:
    dearer_backup_v2(client, auth)
    runs, revision = runs_stored(database), _revision(database)
    preview = ok(
        client.get("/v1/components/BKP-MANAGED/versions/2/impact", headers=auth("approver"))
    )
    assert (preview["code"], preview["version"], preview["revision"]) == ("BKP-MANAGED", 2,
                                                                          revision)  # fmt: skip
    assert [item["id"] for item in preview["would_break"]] == ["backup-5tb"]
    assert "above the band's" in preview["would_break"][0]["reasons"][0]
    assert [item["id"] for item in preview["stay_broken"]] == ["backup-on-a-vm"]
    assert (preview["held"], preview["combinations"]) == (1, 3)
    assert preview["unaffected"] == 3 - 1 - 2
    assert (runs_stored(database), _revision(database)) == (runs, revision)
    component = ok(client.get("/v1/components/BKP-MANAGED?version=2", headers=auth("portfolio")))
    assert component["status"] == "draft"


@pytest.mark.usefixtures("combinations")
def test_the_active_versions_preview_breaks_nothing(client: TestClient, auth: Auth) -> None:
    """Activating the version that is active changes nothing: no combination is affected."""
    preview = ok(client.get("/v1/components/BKP-MANAGED/versions/1/impact",
                            headers=auth("portfolio")))  # fmt: skip
    assert (preview["would_break"], preview["stay_broken"]) == ([], [])
    assert (preview["held"], preview["unaffected"], preview["combinations"]) == (0, 3, 3)


def test_the_preview_is_for_curators_of_versions_that_exist(client: TestClient, auth: Auth) -> None:
    path = "/v1/components/BKP-MANAGED/versions/1/impact"
    assert client.get(path, headers=auth("sales")).status_code == 403
    missing = client.get("/v1/components/BKP-MANAGED/versions/9/impact", headers=auth("admin"))
    assert missing.status_code == 404, missing.text
    unknown = client.get("/v1/components/NOPE/versions/1/impact", headers=auth("admin"))
    assert unknown.status_code == 404, unknown.text
