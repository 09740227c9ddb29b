"""Rendered documents remember a render that failed on a limit: the PDF and its page count
become optional, and a failure records the problem and the limits it met.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rendered_documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "failure",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.alter_column("pdf", existing_type=sa.LargeBinary(), nullable=True)
        batch_op.alter_column("pages", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM rendered_documents WHERE pdf IS NULL")  # remembered failures
    with op.batch_alter_table("rendered_documents", schema=None) as batch_op:
        batch_op.alter_column("pages", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("pdf", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column("failure")
