"""Catalog tables: component versions, registries, audit log, API keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 12:21:11.583693
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("centre", sa.String(length=50), nullable=True),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
        sa.UniqueConstraint("name", name=op.f("uq_api_keys_name")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("entity_kind", sa.String(length=30), nullable=False),
        sa.Column("entity_key", sa.String(length=100), nullable=False),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_actor"), ["actor"], unique=False)
        batch_op.create_index("ix_audit_log_entity", ["entity_kind", "entity_key"], unique=False)

    op.create_table(
        "catalog_records",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column(
            "content",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_catalog_records")),
    )
    op.create_table(
        "catalog_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_state")),
    )
    op.create_table(
        "components",
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("active_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_components")),
    )
    op.create_table(
        "component_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("family", sa.String(length=100), nullable=False),
        sa.Column("layer", sa.String(length=50), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column(
            "content",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["code"], ["components.code"], name=op.f("fk_component_versions_code_components")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_component_versions")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_component_versions_code")),
    )
    with op.batch_alter_table("component_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_component_versions_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_component_versions_family"), ["family"], unique=False)
        batch_op.create_index(batch_op.f("ix_component_versions_layer"), ["layer"], unique=False)
        batch_op.create_index("ix_component_versions_status_code", ["status", "code"], unique=False)

    op.create_table(
        "component_capabilities",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("capability", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["component_versions.id"],
            name=op.f("fk_component_capabilities_version_id_component_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "capability", name=op.f("pk_component_capabilities")),
    )
    with op.batch_alter_table("component_capabilities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_component_capabilities_capability"), ["capability"], unique=False
        )

    op.bulk_insert(
        sa.table("catalog_state", sa.column("id"), sa.column("revision")),
        [{"id": 1, "revision": 0}],
    )


def downgrade() -> None:

    with op.batch_alter_table("component_capabilities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_component_capabilities_capability"))

    op.drop_table("component_capabilities")
    with op.batch_alter_table("component_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_component_versions_status_code")
        batch_op.drop_index(batch_op.f("ix_component_versions_layer"))
        batch_op.drop_index(batch_op.f("ix_component_versions_family"))
        batch_op.drop_index(batch_op.f("ix_component_versions_code"))

    op.drop_table("component_versions")
    op.drop_table("components")
    op.drop_table("catalog_state")
    op.drop_table("catalog_records")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity")
        batch_op.drop_index(batch_op.f("ix_audit_log_actor"))

    op.drop_table("audit_log")
    op.drop_table("api_keys")
