"""Alembic environment: runs on the connection handed over by ``app.kit.migrate`` (tests and
the CLI) or on ``OFFERWRIGHT_DATABASE_URL``. Batch mode keeps ALTERs working on SQLite."""

from __future__ import annotations

from alembic import context

from app.kit.database import make_engine
from app.kit.settings import get_settings
from app.models import Base, ours

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = make_engine(get_settings().resolved_database_url)
    with engine.connect() as connection:
        _migrate(connection)
    engine.dispose()


def _migrate(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=ours,  # procrastinate's tables are its own
    )
    with context.begin_transaction():
        context.run_migrations()


run()
