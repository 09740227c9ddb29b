"""The Alembic migrations build exactly the tables the models describe, on SQLite and
PostgreSQL, and go down and up again cleanly."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

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


@pytest.mark.postgres
def test_procrastinates_schema_comes_and_goes_with_the_jobs_migration(postgres_url: str) -> None:
    """On PostgreSQL, 0004 applies procrastinate's schema in the search_path's schema, and
    going below it removes every table, function and type of it (and up again works)."""
    schema = f"ow_mig_{uuid.uuid4().hex[:10]}"
    admin = make_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(postgres_url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade(engine)
        assert {"procrastinate_jobs", "procrastinate_workers"} <= set(
            inspect(engine).get_table_names()
        )
        downgrade(engine, "0003")
        with engine.connect() as connection:
            left = connection.execute(
                text(
                    "SELECT count(*) FROM pg_class WHERE relname LIKE 'procrastinate%%' "
                    "AND relnamespace = current_schema()::regnamespace UNION ALL "
                    "SELECT count(*) FROM pg_proc WHERE proname LIKE 'procrastinate%%' "
                    "AND pronamespace = current_schema()::regnamespace UNION ALL "
                    "SELECT count(*) FROM pg_type WHERE typname LIKE 'procrastinate%%' "
                    "AND typnamespace = current_schema()::regnamespace"
                )
            ).scalars()
            assert list(left) == [0, 0, 0]
        assert "background_jobs" not in inspect(engine).get_table_names()
        upgrade(engine)
        assert "procrastinate_jobs" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
