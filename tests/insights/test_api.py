"""/v1/insights: JSON, CSV (Accept or the .csv twin), problems for bad filters, 403 for the
roles without insights; the read model written by the proposals and quoting domains, and
the migration's backfill giving the same rows."""

from __future__ import annotations

import csv
import importlib.util
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from app.kit.database import Database
from app.models import InsightLine, InsightRevision
from tests.support.api import ok
from tests.support.factories import CONFIGURATION_REQUEST, create_proposal
from tests.support.insights_fixture import (
    EXPECTED_DELIVERY,
    EXPECTED_GO_TO_MARKET,
    EXPECTED_PORTFOLIO,
    QUERY,
    make_insights_fixture,
)
from tests.support.problems import assert_problem

PATHS = ("go-to-market", "portfolio", "delivery")
EXPECTED = {"go-to-market": EXPECTED_GO_TO_MARKET, "portfolio": EXPECTED_PORTFOLIO,
            "delivery": EXPECTED_DELIVERY}  # fmt: skip


@pytest.mark.parametrize("path", PATHS)
def test_json_and_csv_give_the_fixture_figures(
    client: TestClient, auth: Any, database: Database, path: str
) -> None:
    make_insights_fixture(database)
    body = ok(client.get(f"/v1/insights/{path}", params=QUERY, headers=auth("approver")))
    for name, expected in EXPECTED[path].items():
        assert body[name] == expected, name
    twin = client.get(f"/v1/insights/{path}.csv", params=QUERY, headers=auth("portfolio"))
    asked = client.get(f"/v1/insights/{path}", params=QUERY,
                       headers={**auth("admin"), "Accept": "text/csv"})  # fmt: skip
    assert twin.status_code == asked.status_code == 200
    assert twin.headers["content-type"].startswith("text/csv")
    assert twin.text == asked.text
    rows = list(csv.DictReader(io.StringIO(twin.text)))
    assert list(rows[0]) == ["measure", "month", "dimension", "dimension_2", "value", "unit"]
    if path == "go-to-market":
        assert {"measure": "win_rate", "month": "", "dimension": "", "dimension_2": "",
                "value": "66.67", "unit": "percent"} in rows  # fmt: skip
        assert {"measure": "won.contract_value", "month": "", "dimension": "",
                "dimension_2": "", "value": "6000.00", "unit": "GBP"} in rows  # fmt: skip
    if path == "delivery":
        load = {"measure": "utilisation", "month": "2026-03-01", "dimension": "CZ-BRN",
                "dimension_2": "virtualisation", "value": "1.67", "unit": "percent"}  # fmt: skip
        assert load in rows


@pytest.mark.parametrize("path", PATHS)
def test_bad_filters_are_problems_and_other_roles_are_refused(
    client: TestClient, auth: Any, path: str
) -> None:
    bad = client.get(f"/v1/insights/{path}", params={"since": "2026-13-01"},
                     headers=auth("admin"))  # fmt: skip
    assert_problem(bad, 422, "validation-error")
    assert [e["field"] for e in bad.json()["errors"]] == ["since"]
    for role in ("sales", "delivery"):
        for suffix in ("", ".csv"):
            refused = client.get(f"/v1/insights/{path}{suffix}", headers=auth(role))
            assert_problem(refused, 403, "forbidden")


def _rows(database: Database, proposal_id: int) -> list[tuple[Any, ...]]:
    with database.transaction(write=False) as session:
        revision = [
            tuple(getattr(row, c.key) for c in InsightRevision.__table__.columns if c.key != "id")
            for row in session.scalars(
                select(InsightRevision).where(InsightRevision.proposal_id == proposal_id)
            )
        ]
        lines = [
            tuple(getattr(row, c.key) for c in InsightLine.__table__.columns if c.key != "id")
            for row in session.scalars(
                select(InsightLine).where(InsightLine.proposal_id == proposal_id)
                .order_by(InsightLine.line)
            )
        ]  # fmt: skip
    return revision + lines


def test_a_new_proposal_writes_its_read_model_and_the_backfill_makes_the_same(
    client: TestClient, auth: Any, database: Database
) -> None:
    proposal = create_proposal(client, auth)
    written = _rows(database, proposal["id"])
    assert len(written) == 1 + len(proposal["lines"])
    assert written[0][1] == 1  # revision 1
    path = Path(__file__).parents[2] / "migrations/versions/0009_insights_read_model.py"
    spec = importlib.util.spec_from_file_location("migration_0009", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with database.transaction(write=True) as session:
        for table in (InsightLine, InsightRevision):
            session.execute(delete(table).where(table.proposal_id == proposal["id"]))
        assert migration.backfill(session.connection()) == 1
    assert _rows(database, proposal["id"]) == written


def test_a_configuration_that_ends_in_a_conflict_is_counted(client: TestClient, auth: Any) -> None:
    asked = {**CONFIGURATION_REQUEST, "budget_monthly": "1.00"}
    assert_problem(client.post("/v1/configurations", json=asked, headers=auth("sales")),
                   422, "infeasible")  # fmt: skip
    today = datetime.now(UTC).date().isoformat()
    body = ok(client.get("/v1/insights/portfolio", params={"since": today, "until": today},
                         headers=auth("admin")))  # fmt: skip
    kinds = {c["kind"]: c["misses"] for c in body["conflicts"]}
    assert kinds["budget"] == 1 and body["repairs"]
