"""Assurance runs and their verdicts, stored and read back."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.assurance.suite import Verdict
from app.models import AssuranceRun, AssuranceVerdict, CatalogState

# The runs whose verdicts are of the catalog as it became (not of a refused attempt's).
OF_THE_CATALOG = ("held", "broken")


def locked_revision(session: Session) -> int:
    """The catalog revision, its row locked until the transaction ends (PostgreSQL): no
    other catalog change commits between this check and this transaction's own write."""
    return session.scalar(select(CatalogState.revision).with_for_update()) or 0


def add_run(
    session: Session,
    *,
    revision: int,
    trigger: str,
    requested_by: str,
    status: str,
    verdicts: Iterable[Verdict],
    blocking: Collection[str] = (),
    seconds: float,
    subject: str | None = None,
    change: dict[str, Any] | None = None,
    comment: str | None = None,
) -> AssuranceRun:
    judged = list(verdicts)
    run = AssuranceRun(
        revision=revision,
        trigger=trigger,
        subject=None if subject is None else subject[:300],
        change=change,
        requested_by=requested_by,
        status=status,
        comment=comment,
        held=sum(verdict.held for verdict in judged),
        broken=sum(not verdict.held for verdict in judged),
        seconds=round(seconds, 3),
    )
    session.add(run)
    session.flush()
    session.add_all(
        AssuranceVerdict(
            run_id=run.id,
            combination=verdict.combination,
            name=verdict.name,
            owner=verdict.owner,
            held=verdict.held,
            blocking=verdict.combination in blocking,
            reasons=list(verdict.reasons),
            found=verdict.finding.as_dict(),
        )
        for verdict in judged
    )
    session.flush()
    return run


def copy_verdicts(session: Session, source: AssuranceRun, target: AssuranceRun) -> None:
    session.add_all(
        AssuranceVerdict(
            run_id=target.id,
            combination=verdict.combination,
            name=verdict.name,
            owner=verdict.owner,
            held=verdict.held,
            blocking=verdict.blocking,
            reasons=list(verdict.reasons),
            found=dict(verdict.found),
        )
        for verdict in verdicts_of(session, source.id)
    )
    session.flush()


def run(session: Session, run_id: int, *, lock: bool = False) -> AssuranceRun | None:
    return session.get(AssuranceRun, run_id, with_for_update=lock)


def verdicts_of(session: Session, run_id: int) -> list[AssuranceVerdict]:
    return list(
        session.scalars(
            select(AssuranceVerdict)
            .where(AssuranceVerdict.run_id == run_id)
            .order_by(AssuranceVerdict.combination)
        )
    )


def latest_verdicts(
    session: Session, combinations: Collection[str]
) -> list[tuple[AssuranceVerdict, AssuranceRun]]:
    """The latest verdict of each of ``combinations`` from a run of the catalog as it
    became (import, applied change, override, manual), with its run."""
    if not combinations:
        return []
    latest = (
        select(AssuranceVerdict.combination, func.max(AssuranceVerdict.run_id).label("run_id"))
        .join(AssuranceRun, AssuranceRun.id == AssuranceVerdict.run_id)
        .where(
            AssuranceRun.status.in_(OF_THE_CATALOG),
            AssuranceVerdict.combination.in_(list(combinations)),
        )
        .group_by(AssuranceVerdict.combination)
        .subquery()
    )
    rows = session.execute(
        select(AssuranceVerdict, AssuranceRun)
        .join(
            latest,
            (latest.c.combination == AssuranceVerdict.combination)
            & (latest.c.run_id == AssuranceVerdict.run_id),
        )
        .join(AssuranceRun, AssuranceRun.id == AssuranceVerdict.run_id)
        .order_by(AssuranceVerdict.combination)
    )
    return [(verdict, run) for verdict, run in rows]
