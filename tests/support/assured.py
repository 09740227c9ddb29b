"""Assured combinations for the service's assurance tests, made here (never the shipped
ones), and the calls that bring a component version to where a test needs it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from app.models import AssuranceRun, CatalogRecord
from app.portfolio.catalog.store import bump_revision
from catalog import AssuredCombination
from tests.support.api import Auth, etag_of, merge_patch, ok
from tests.support.database import RolledBackDatabase

# Two Linux servers: physical ones, never with SAP HANA (a rule sending CMP-PHY-LNX to
# DB-HANA breaks it).
LINUX = {
    "id": "linux-pair",
    "name": "Two managed Linux servers",
    "owner": "Platform team",
    "request": {"price_book": "EUR", "term_months": 12,
                "needs": [{"capability": "compute.linux", "quantity": 2}]},
    "expect": {"includes": ["CMP-PHY-LNX"], "excludes": ["DB-HANA"]},
}  # fmt: skip
# 5 TB of managed backup at 673 EUR a month today: under 1,000 (ten times the price breaks it).
BACKUP = {
    "id": "backup-5tb",
    "name": "Managed backup of 5 TB",
    "owner": "Storage team",
    "request": {"price_book": "EUR", "term_months": 12,
                "needs": [{"capability": "backup.protected-data", "quantity": 5}]},
    "expect": {"includes": ["BKP-MANAGED"], "monthly": {"max": "1000"}},
}  # fmt: skip
# Broken today already: a backup bundle never holds a Linux VM.
BROKEN_TODAY = {
    "id": "backup-on-a-vm",
    "name": "Backup with a Linux VM",
    "owner": "Storage team",
    "request": BACKUP["request"],
    "expect": {"includes": ["CMP-VM-LNX"]},
}


def with_combinations(database: RolledBackDatabase, *combinations: dict[str, Any]) -> None:
    """Make ``combinations`` the test catalog's only assured combinations (the shipped ones
    are taken out, in the test's rolled-back transaction), so a test knows what can break."""
    with database.transaction(write=True) as session:
        session.execute(delete(CatalogRecord).where(CatalogRecord.kind == "assurances"))
        for combination in combinations:
            model = AssuredCombination.model_validate(combination)
            session.add(
                CatalogRecord(
                    kind="assurances",
                    key=model.id,
                    content=model.model_dump(mode="json", by_alias=True),
                    updated_by="tests",
                )
            )
        session.flush()
        bump_revision(session)


def runs_stored(database: RolledBackDatabase) -> int:
    with database.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(AssuranceRun)) or 0


def retarget_rule(client: TestClient, auth: Auth, who: str, then_if: str = "CMP-PHY-LNX") -> Any:
    """PATCH R-SAP-001 (S/4HANA requires HANA) to make ``then_if`` require HANA instead."""
    path = "/v1/rules/R-SAP-001"
    headers = auth(who)
    return merge_patch(client, headers, path, {"if": then_if}, etag_of(client, headers, path))


def dearer_backup_v2(client: TestClient, auth: Auth) -> None:
    """BKP-MANAGED version 2, ten times the EUR price, as a draft written by portfolio."""
    path = "/v1/components/BKP-MANAGED"
    headers = auth("portfolio")
    current = ok(client.get(path, headers=headers))
    prices = current["prices"]
    for band in prices["EUR"]["tiers"]["bands"]:
        band["monthly"] = str(float(band["monthly"]) * 10)
    response = merge_patch(
        client, headers, path, {"prices": prices}, etag_of(client, headers, path)
    )
    assert ok(response)["version"] == 2


def assured_dearer_backup_v2(client: TestClient, auth: Auth) -> None:
    dearer_backup_v2(client, auth)
    for to, who in (("in_review", "portfolio"), ("assured", "approver")):
        moved = client.post(
            "/v1/components/BKP-MANAGED/versions/2/transition", json={"to": to}, headers=auth(who)
        )
        ok(moved)
