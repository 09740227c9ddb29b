"""Migration 0010 fills the load columns of work packages made before it, from their
component version's effort, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from app.kit.database import make_engine
from app.kit.migrate import alembic_config, downgrade, upgrade

NOW = datetime(2026, 3, 1, tzinfo=UTC)
EFFORT = '{"monthly": {"linux-admin": "0.8", "dba": "0.45"}, "one_time": {"linux-admin": "8"}}'


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = make_engine(f"sqlite:///{tmp_path / 'load.db'}")
        yield made
        made.dispose()
        return
    url = request.getfixturevalue("postgres_url")
    schema = f"ow_load_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    made = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield made
    finally:
        made.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _package(
    line: int, version: int, quantity: int, term: int, accepted_on: str
) -> dict[str, object]:
    return {"number": "P-2026-000001", "revision": 1, "line": line, "component": "CMP-X",
            "version": version, "quantity": quantity, "term_months": term,
            "accepted_on": accepted_on}  # fmt: skip


def test_the_migration_fills_existing_packages_from_the_version_sold(engine: Engine) -> None:
    before = ScriptDirectory.from_config(alembic_config()).get_revision("0010").down_revision
    upgrade(engine, str(before))
    with engine.begin() as connection:
        run = connection.execute
        run(text("INSERT INTO components (code, latest_version) VALUES ('CMP-X', 2)"))
        for version, effort in ((1, EFFORT), (2, '{"monthly": {"dba": "5"}}')):
            run(
                text(
                    "INSERT INTO component_versions (code, version, status, name, family, "
                    "layer, author, search_text, content, revision, created_at, updated_at) "
                    "VALUES ('CMP-X', :version, 'active', 'X', 'f', 'platform', 'a', 'x', "
                    ":content, 1, :now, :now)"
                ),
                {"version": version, "now": NOW,
                 "content": f'{{"competency": "db-ops", "effort": {effort}}}'},
            )  # fmt: skip
        run(
            text(
                "INSERT INTO proposals (id, number, author, author_role, customer, "
                "customer_name, status, revision, valid_until, created_at, updated_at, "
                "row_version) VALUES (1, 'P-2026-000001', 's', 'sales', '{}', 'c', "
                "'accepted', 1, '2026-06-30', :now, :now, 1)"
            ),
            {"now": NOW},
        )
        for line, package in enumerate(
            (_package(1, 1, 10, 36, "2026-02-27"), _package(2, 2, 3, 12, "2026-12-01")),
            start=1,
        ):
            run(
                text(
                    "INSERT INTO work_packages (proposal_id, revision, line, centre, content, "
                    "created_at) VALUES (1, 1, :line, 'CZ-BRN', :content, :now)"
                ),
                {"line": line, "content": json.dumps(package), "now": NOW},
            )
    upgrade(engine, "0010")
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT competency, monthly_hours, one_time_hours, starts_on, ends_on "
                "FROM work_packages ORDER BY line"
            )
        ).all()
    first, second = rows
    # 10 x (0.8 + 0.45) = 12.5 a month, 10 x 8 = 80 once; February 2026 for 36 months.
    assert first.competency == "db-ops"
    assert (Decimal(str(first.monthly_hours)), Decimal(str(first.one_time_hours))) == (
        Decimal("12.5"), Decimal(80))  # fmt: skip
    assert (str(first.starts_on), str(first.ends_on)) == ("2026-02-01", "2029-02-01")
    assert Decimal(str(second.monthly_hours)) == 15 and Decimal(str(second.one_time_hours)) == 0
    assert (str(second.starts_on), str(second.ends_on)) == ("2026-12-01", "2027-12-01")
    downgrade(engine, str(before))  # and back down: the columns go
    upgrade(engine, "0010")
