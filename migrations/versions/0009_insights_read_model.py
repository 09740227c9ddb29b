"""The insights' read model: one row per proposal revision (as its first option is paid)
and per priced line of it, in plain columns (integer cents, hundredths of a percent,
millionths of a percent of availability, thousandths of an hour), and the configurations
that ended in a conflict with their conflicting constraints and repairs. Backfilled from
the revisions already stored.

The backfill reads the stored documents itself, as they were written up to this revision
(the frozen revision's layout, versions 1 and 2; a component version's ``competency`` and
``effort``; a price book's ``guardrails``): a migration keeps its own copy of what it reads,
so later code changes never change what it did. Misses made before it cannot be recovered
(they were never stored).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:30:00.000000
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _money(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "insight_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_role", sa.String(length=20), nullable=False),
        sa.Column("price_book", sa.String(length=100), nullable=False),
        sa.Column("offering", sa.String(length=100), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("discount_hundredths", sa.Integer(), nullable=False),
        sa.Column("discount_limit_hundredths", sa.Integer(), nullable=False),
        sa.Column("approval_required", sa.Boolean(), nullable=False),
        sa.Column("target_millionths", sa.Integer(), nullable=True),
        sa.Column("reached_millionths", sa.Integer(), nullable=True),
        _money("monthly_cents"),
        _money("one_time_cents"),
        _money("contract_cents"),
        _money("cost_cents"),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_insight_revisions_proposal_id_proposals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_revisions")),
        sa.UniqueConstraint(
            "proposal_id", "revision", name=op.f("uq_insight_revisions_proposal_id")
        ),
    )
    op.create_table(
        "insight_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("standard", sa.Boolean(), nullable=False),
        sa.Column("component", sa.String(length=100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("family", sa.String(length=100), nullable=True),
        sa.Column("centre", sa.String(length=50), nullable=True),
        sa.Column("competency", sa.String(length=100), nullable=True),
        sa.Column("service_level", sa.String(length=50), nullable=True),
        sa.Column("availability_millionths", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        _money("monthly_cents"),
        _money("one_time_cents"),
        _money("contract_cents"),
        _money("cost_cents"),
        sa.Column("effort_millihours", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_insight_lines_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_lines")),
        sa.UniqueConstraint(
            "proposal_id", "revision", "line", name=op.f("uq_insight_lines_proposal_id")
        ),
    )
    op.create_index(
        "ix_insight_lines_filters",
        "insight_lines",
        ["proposal_id", "revision", "family", "centre"],
        unique=False,
    )
    op.create_table(
        "insight_misses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("price_book", sa.String(length=100), nullable=False),
        sa.Column("offering", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_misses")),
    )
    op.create_index(op.f("ix_insight_misses_at"), "insight_misses", ["at"], unique=False)
    op.create_table(
        "insight_miss_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("miss_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["miss_id"],
            ["insight_misses.id"],
            name=op.f("fk_insight_miss_items_miss_id_insight_misses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_miss_items")),
    )
    op.create_index(
        op.f("ix_insight_miss_items_miss_id"), "insight_miss_items", ["miss_id"], unique=False
    )
    op.create_index(
        op.f("ix_proposal_events_proposal_id_to_status"),
        "proposal_events",
        ["proposal_id", "to_status", "at"],
        unique=False,
    )
    backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index(op.f("ix_proposal_events_proposal_id_to_status"), table_name="proposal_events")
    op.drop_index(op.f("ix_insight_miss_items_miss_id"), table_name="insight_miss_items")
    op.drop_table("insight_miss_items")
    op.drop_index(op.f("ix_insight_misses_at"), table_name="insight_misses")
    op.drop_table("insight_misses")
    op.drop_index("ix_insight_lines_filters", table_name="insight_lines")
    op.drop_table("insight_lines")
    op.drop_table("insight_revisions")


# -- the backfill ----------------------------------------------------------------------------

_meta = sa.MetaData()
_proposals = sa.Table(
    "proposals", _meta, sa.Column("id", sa.Integer), sa.Column("author_role", sa.String)
)
_revisions = sa.Table(
    "proposal_revisions", _meta, sa.Column("proposal_id", sa.Integer),
    sa.Column("revision", sa.Integer), sa.Column("request", sa.JSON),
    sa.Column("content", sa.JSON), sa.Column("created_at", sa.DateTime(timezone=True)),
)  # fmt: skip
_versions = sa.Table(
    "component_versions", _meta, sa.Column("code", sa.String),
    sa.Column("version", sa.Integer), sa.Column("content", sa.JSON),
)  # fmt: skip
_records = sa.Table(
    "catalog_records", _meta, sa.Column("kind", sa.String), sa.Column("key", sa.String),
    sa.Column("content", sa.JSON),
)  # fmt: skip
_insight_revisions = sa.table(
    "insight_revisions", *(sa.column(name) for name in (
        "proposal_id", "revision", "author_role", "price_book", "offering",
        "currency", "term_months", "discount_hundredths", "discount_limit_hundredths",
        "approval_required", "target_millionths", "reached_millionths", "monthly_cents",
        "one_time_cents", "contract_cents", "cost_cents",
    )),
    sa.column("created_at", sa.DateTime(timezone=True)),
)  # fmt: skip
_insight_lines = sa.table(
    "insight_lines", *(sa.column(name) for name in (
        "proposal_id", "revision", "line", "standard", "component", "version", "family",
        "centre", "competency", "service_level", "availability_millionths", "quantity",
        "monthly_cents", "one_time_cents", "contract_cents", "cost_cents", "effort_millihours",
    ))
)  # fmt: skip


def _scaled(value: Any, factor: int) -> int | None:
    if value is None:
        return None
    return int((Decimal(str(value)) * factor).to_integral_value(ROUND_HALF_UP))


def _cents(value: Any) -> int:
    return _scaled(value if value is not None else 0, 100) or 0


def _cost(part: dict[str, Any]) -> int:
    cost = part.get("cost")
    return _cents(cost.get("contract_value")) if isinstance(cost, dict) else 0


def backfill(connection: sa.Connection) -> int:
    """The read model's rows for every stored revision that has none; the count."""
    done = {
        (row.proposal_id, row.revision)
        for row in connection.execute(
            sa.select(sa.column("proposal_id"), sa.column("revision")).select_from(
                sa.table("insight_revisions")
            )
        )
    }
    delivery: dict[tuple[str, int], tuple[str | None, Decimal]] = {}
    for code, version, content in connection.execute(
        sa.select(_versions.c.code, _versions.c.version, _versions.c.content)
    ):
        monthly = (content.get("effort") or {}).get("monthly") or {}
        hours = sum((Decimal(str(value)) for value in monthly.values()), Decimal(0))
        delivery[(code, version)] = (content.get("competency"), hours)
    limits = {
        key: (content.get("guardrails") or {}).get("max_discount_percent") or {}
        for key, content in connection.execute(
            sa.select(_records.c.key, _records.c.content).where(_records.c.kind == "price_books")
        )
    }
    roles = dict(connection.execute(sa.select(_proposals.c.id, _proposals.c.author_role)).all())
    revisions, lines = [], []
    query = sa.select(
        _revisions.c.proposal_id, _revisions.c.revision, _revisions.c.request,
        _revisions.c.content, _revisions.c.created_at,
    ).order_by(_revisions.c.proposal_id, _revisions.c.revision)  # fmt: skip
    for proposal_id, number, request, content, created_at in connection.execute(query):
        if (proposal_id, number) in done:
            continue
        bundle = content["internal"]
        customs = (content.get("custom_lines") or {}).get("internal") or []
        totals = bundle["totals"]
        role = roles[proposal_id]
        revisions.append({
            "proposal_id": proposal_id, "revision": number, "created_at": created_at,
            "author_role": role, "price_book": bundle["price_book"],
            "offering": (content.get("offering") or {}).get("code"),
            "currency": bundle["currency"], "term_months": bundle["term_months"],
            "discount_hundredths": _cents(bundle.get("discount_percent")),
            "discount_limit_hundredths": _cents(
                limits.get(bundle["price_book"], {}).get(role, 0)
            ),
            "approval_required": bool(content.get("approval_required")),
            "target_millionths": _scaled((request or {}).get("min_availability"), 1_000_000),
            "reached_millionths": _scaled(bundle.get("availability"), 1_000_000),
            "monthly_cents": _cents(totals["monthly"])
            + sum(_cents(c["monthly"]) for c in customs),
            "one_time_cents": _cents(totals["one_time"])
            + sum(_cents(c["one_time"]) for c in customs),
            "contract_cents": _cents(totals["contract_value"])
            + sum(_cents(c["contract_value"]) for c in customs),
            "cost_cents": _cost(bundle) + sum(_cost(c) for c in customs),
        })  # fmt: skip
        components = content.get("components") or {}
        position = 0
        for line in bundle["lines"]:
            position += 1
            competency, hours = delivery.get((line["component"], line["version"]), (None, 0))
            level = ((components.get(line["component"]) or {}).get("service_levels") or {}).get(
                line["service_level"]
            ) or {}
            lines.append({
                "proposal_id": proposal_id, "revision": number, "line": position,
                "standard": True, "component": line["component"], "version": line["version"],
                "family": line["family"], "centre": line["delivery_centre"],
                "competency": competency, "service_level": line["service_level"],
                "availability_millionths": _scaled(level.get("availability"), 1_000_000),
                "quantity": line["quantity"], "monthly_cents": _cents(line["monthly"]),
                "one_time_cents": _cents(line["one_time"]),
                "contract_cents": _cents(line["contract_value"]), "cost_cents": _cost(line),
                "effort_millihours": _scaled(Decimal(hours) * line["quantity"], 1000),
            })  # fmt: skip
        for custom in customs:
            position += 1
            lines.append({
                "proposal_id": proposal_id, "revision": number, "line": position,
                "standard": False, "component": None, "version": None, "family": None,
                "centre": None, "competency": None, "service_level": None,
                "availability_millionths": None, "quantity": custom["quantity"],
                "monthly_cents": _cents(custom["monthly"]),
                "one_time_cents": _cents(custom["one_time"]),
                "contract_cents": _cents(custom["contract_value"]), "cost_cents": _cost(custom),
                "effort_millihours": 0,
            })  # fmt: skip
    if revisions:
        connection.execute(_insight_revisions.insert(), revisions)
    if lines:
        connection.execute(_insight_lines.insert(), lines)
    return len(revisions)
