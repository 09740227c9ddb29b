"""Assurance runs: each run of the assured combinations (why it ran, on which catalog
revision, the change it judged, how it ended, who overrode it) and one verdict per
combination.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 03:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "assurance_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("change", _DOCUMENT, nullable=True),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("overridden_by", sa.String(length=100), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("broken", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assurance_runs")),
    )
    with op.batch_alter_table("assurance_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assurance_runs_ran_at"), ["ran_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_assurance_runs_status"), ["status"], unique=False)

    op.create_table(
        "assurance_verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("combination", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("blocking", sa.Boolean(), nullable=False),
        sa.Column("reasons", _DOCUMENT, nullable=False),
        sa.Column("found", _DOCUMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["assurance_runs.id"],
            name=op.f("fk_assurance_verdicts_run_id_assurance_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assurance_verdicts")),
        sa.UniqueConstraint("run_id", "combination", name=op.f("uq_assurance_verdicts_run_id")),
    )
    with op.batch_alter_table("assurance_verdicts", schema=None) as batch_op:
        # The latest verdict of each combination: by combination, newest run first.
        batch_op.create_index(
            "ix_assurance_verdicts_combination_run_id", ["combination", "run_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("assurance_verdicts")
    op.drop_table("assurance_runs")
