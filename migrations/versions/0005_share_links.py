"""Customer links and decisions: share links (the token only as its SHA-256, one live link
per revision), the views of their pages, and the customer's acceptance (with its evidence
and the contract copy's hash) or decline, one per proposal.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

LIVE = "revoked_at IS NULL"


def _evidence() -> list[sa.Column[object]]:
    return [
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=500), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "share_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_share_links_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_share_links_token_hash")),
    )
    with op.batch_alter_table("share_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_share_links_proposal_id"), ["proposal_id"])
        batch_op.create_index(
            "ix_share_links_live_revision",
            ["proposal_id", "revision"],
            unique=True,
            sqlite_where=sa.text(LIVE),
            postgresql_where=sa.text(LIVE),
        )
    op.create_table(
        "share_link_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"], ["share_links.id"], name=op.f("fk_share_link_views_link_id_share_links")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_link_views")),
    )
    with op.batch_alter_table("share_link_views", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_share_link_views_link_id"), ["link_id"])
    op.create_table(
        "acceptances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column(
            "choice",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        *_evidence(),
        sa.Column("contract_sha256", sa.String(length=64), nullable=True),
        sa.Column("contract_key", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_acceptances_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["link_id"], ["share_links.id"], name=op.f("fk_acceptances_link_id_share_links")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acceptances")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_acceptances_proposal_id")),
    )
    op.create_table(
        "declines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        *_evidence(),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_declines_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["link_id"], ["share_links.id"], name=op.f("fk_declines_link_id_share_links")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declines")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_declines_proposal_id")),
    )


def downgrade() -> None:
    op.drop_table("declines")
    op.drop_table("acceptances")
    op.drop_table("share_link_views")
    op.drop_table("share_links")
