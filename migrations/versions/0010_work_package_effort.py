"""Work packages carry their centre's load as columns: the competency of the version sold,
its effort hours a month and once (every skill's hours per unit, times the quantity), and
the months it runs (``starts_on`` the first of the acceptance month, ``ends_on`` the first
of the month after the term). Existing packages are filled from their component version's
effort, as ``app.proposals.packages.package_load`` fills new ones (written out here: a
migration never changes with the code).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 09:30:00.000000
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_DOCUMENT = sa.JSON()  # read only: JSON and JSONB documents both come back as Python values

_HOURS = sa.Numeric(precision=20, scale=6)
_COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("competency", sa.String(length=100)),
    ("monthly_hours", _HOURS),
    ("one_time_hours", _HOURS),
    ("starts_on", sa.Date()),
    ("ends_on", sa.Date()),
)


def _month_start(day: date, months_later: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months_later
    return date(index // 12, index % 12 + 1, 1)


def _hours(efforts: dict[str, Any] | None) -> Decimal:
    return sum((Decimal(str(hours)) for hours in (efforts or {}).values()), Decimal(0))


def _load(package: dict[str, Any], component: dict[str, Any] | None) -> dict[str, Any]:
    accepted_on = date.fromisoformat(str(package["accepted_on"]))
    quantity = int(package["quantity"])
    effort = (component or {}).get("effort") or {}
    return {
        "competency": "unknown" if component is None else str(component["competency"]),
        "monthly_hours": _hours(effort.get("monthly")) * quantity,
        "one_time_hours": _hours(effort.get("one_time")) * quantity,
        "starts_on": _month_start(accepted_on),
        "ends_on": _month_start(accepted_on, max(int(package["term_months"]), 1)),
    }


def _backfill() -> None:
    packages = sa.table(
        "work_packages",
        sa.column("id", sa.Integer()),
        sa.column("content", _DOCUMENT),
        *(sa.column(name, kind) for name, kind in _COLUMNS),
    )
    versions = sa.table(
        "component_versions",
        sa.column("code", sa.String()),
        sa.column("version", sa.Integer()),
        sa.column("content", _DOCUMENT),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(packages.c.id, packages.c.content)).all()
    wanted = {(row.content["component"], int(row.content["version"])) for row in rows}
    components: dict[tuple[str, int], dict[str, Any]] = {}
    for code, version in sorted(wanted):
        found = connection.execute(
            sa.select(versions.c.content).where(
                versions.c.code == code, versions.c.version == version
            )
        ).scalar()
        if found is not None:
            components[(code, version)] = found
    for row in rows:
        key = (row.content["component"], int(row.content["version"]))
        connection.execute(
            packages.update()
            .where(packages.c.id == row.id)
            .values(**_load(row.content, components.get(key)))
        )


def upgrade() -> None:
    with op.batch_alter_table("work_packages", schema=None) as batch_op:
        for name, kind in _COLUMNS:  # empty at first, filled below, then required
            batch_op.add_column(sa.Column(name, kind, nullable=True))
    _backfill()
    with op.batch_alter_table("work_packages", schema=None) as batch_op:
        for name, kind in _COLUMNS:
            batch_op.alter_column(name, existing_type=kind, nullable=False)
        batch_op.create_index(
            "ix_work_packages_centre_starts_on", ["centre", "starts_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("work_packages", schema=None) as batch_op:
        batch_op.drop_index("ix_work_packages_centre_starts_on")
        for name, _ in reversed(_COLUMNS):
            batch_op.drop_column(name)
