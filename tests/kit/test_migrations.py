"""The Alembic migrations build exactly the tables the models describe, on SQLite and
PostgreSQL, and go down and up again cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from app.kit.database import make_engine
from app.kit.migrate import downgrade, upgrade
from app.models import Base, ours


def test_the_migrated_schema_is_the_models_schema(migrated_engine: Engine) -> None:
    with migrated_engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": ours}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_migrations_go_down_and_up_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
    upgrade(engine)
    downgrade(engine, "0001")
    assert "proposals" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert {"proposals", "idempotency_keys", "rendered_documents"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()
