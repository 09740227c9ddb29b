"""Migration 0009 on a database that already holds proposals: going down to 0008 and up
again rebuilds the read model exactly as the proposals domain wrote it, custom lines (with
and without a cost estimate) included; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import inspect, select

from app.bootstrap import create_app
from app.kit.database import Database
from app.kit.migrate import downgrade, upgrade
from app.kit.settings import Settings
from app.models import InsightLine, InsightRevision
from tests.support.api import Keys, ok
from tests.support.factories import PROPOSAL_BODY

CUSTOM = {**PROPOSAL_BODY, "discount_percent": "4", "custom_lines": [
    {"description": "Data migration", "quantity": 2, "unit_price": "1500.00",
     "charge": "one_time", "estimated_unit_cost": "900.00"},
    {"description": "Extended hypercare", "quantity": 1, "unit_price": "120.00",
     "charge": "monthly"},
]}  # fmt: skip


def _rows(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    with database.transaction(write=False) as session:
        found = {}
        for table, order in ((InsightRevision, InsightRevision.proposal_id),
                             (InsightLine, InsightLine.line)):  # fmt: skip
            columns = [c for c in table.__table__.columns if c.key != "id"]
            found[table.__tablename__] = [tuple(row) for row in session.execute(
                select(*columns).order_by(table.proposal_id, table.revision, order))]  # fmt: skip
    return found


def test_the_backfill_rebuilds_what_the_proposals_wrote(committed_database: Database) -> None:
    keys = Keys(committed_database)
    with TestClient(create_app(Settings(), committed_database)) as client:
        first = ok(client.post("/v1/proposals", json=CUSTOM, headers=keys("sales")), 201)
        ok(client.post(f"/v1/proposals/{first['id']}/revisions", json={},
                       headers=keys("sales")), 201)  # fmt: skip
        ok(client.post("/v1/proposals", json=PROPOSAL_BODY, headers=keys("admin")), 201)
    written = _rows(committed_database)
    assert len(written["insight_revisions"]) == 3
    custom = [row for row in written["insight_lines"] if not row[3]]  # standard: False
    assert len(custom) == 4  # two custom lines in each of the two revisions
    # The estimate's cost over the contract (2 x 900.00 once); none given: 0.
    assert sorted(row[15] for row in custom) == [0, 0, 180_000, 180_000]
    committed_database.engine.dispose()
    downgrade(committed_database.engine, "0008")
    assert "insight_revisions" not in inspect(committed_database.engine).get_table_names()
    upgrade(committed_database.engine)
    assert _rows(committed_database) == written
