"""Background jobs: the in-process engine's table (every backend), and on PostgreSQL
procrastinate's own schema, applied from the SQL the installed procrastinate ships, so
its tables live beside ours in the same schema (the search_path's first).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from procrastinate.schema import SchemaManager
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# procrastinate's objects, dropped on the way down (its schema SQL has no "drop" script).
_DROP_PROCRASTINATE = """
DO $$
DECLARE item record;
BEGIN
    DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers,
        procrastinate_jobs, procrastinate_workers CASCADE;
    FOR item IN
        SELECT p.oid::regprocedure AS signature FROM pg_proc p
        WHERE p.pronamespace = current_schema()::regnamespace
          AND p.proname LIKE 'procrastinate%'
    LOOP
        EXECUTE 'DROP FUNCTION IF EXISTS ' || item.signature || ' CASCADE';
    END LOOP;
    FOR item IN
        SELECT t.typname FROM pg_type t
        WHERE t.typnamespace = current_schema()::regnamespace
          AND t.typname LIKE 'procrastinate%' AND t.typtype IN ('e', 'c')
    LOOP
        EXECUTE 'DROP TYPE IF EXISTS ' || quote_ident(item.typname) || ' CASCADE';
    END LOOP;
END $$;
"""


def upgrade() -> None:
    op.create_table(
        "background_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=100), nullable=False),
        sa.Column(
            "arguments",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("lock", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_background_jobs")),
    )
    with op.batch_alter_table("background_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_background_jobs_status_scheduled_at", ["status", "scheduled_at"])
        batch_op.create_index(batch_op.f("ix_background_jobs_task"), ["task"])
        batch_op.create_index(batch_op.f("ix_background_jobs_lock"), ["lock"])
    if op.get_bind().dialect.name == "postgresql":
        # Through the driver itself: the SQL holds ``%`` and ``:``, which a bound
        # statement would read as parameters.
        driver = op.get_bind().connection.driver_connection
        driver.execute(SchemaManager.get_schema())  # type: ignore[union-attr]


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.get_bind().connection.driver_connection.execute(_DROP_PROCRASTINATE)  # type: ignore[union-attr]
    with op.batch_alter_table("background_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_background_jobs_lock"))
        batch_op.drop_index(batch_op.f("ix_background_jobs_task"))
        batch_op.drop_index("ix_background_jobs_status_scheduled_at")
    op.drop_table("background_jobs")
