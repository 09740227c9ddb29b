"""The insights' use cases: each measure read through the repository and shaped into the
answer's schema. Read only, except the two writes other domains hand their facts to
(``record_revision``, ``record_miss``). Who may read: ``insights.read`` (portfolio,
approver, admin); everyone else is refused (403)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from app.auth import Principal
from app.insights import repository as sql
from app.insights.facts import MissFacts, RevisionFacts
from app.insights.filters import Filters
from app.insights.schemas import (
    AppliedFilters,
    AvailabilityTarget,
    ComponentCount,
    ComponentRef,
    ConflictCount,
    Delivery,
    DiscountGuardrail,
    Duration,
    GoToMarket,
    LevelMix,
    MarginGroup,
    Portfolio,
    RepairCount,
    StandardShare,
    StatusCount,
    Utilisation,
    WinRate,
    Won,
)
from app.kit.errors import Forbidden
from pricing import from_cents, percent_of

_DAY = Decimal(86400)
_TWO = Decimal("0.01")
_THREE = Decimal("0.001")


def record_revision(session: Session, facts: RevisionFacts) -> None:
    """Adds a stored proposal revision to the read model, in the caller's transaction (the
    one that stores the revision)."""
    sql.write_revision(session, facts)


def record_miss(session: Session, facts: MissFacts) -> None:
    """Adds a configuration that ended in a conflict, in the caller's (short) transaction."""
    sql.write_miss(session, facts)


def _check(principal: Principal) -> None:
    if not principal.can("insights.read"):
        raise Forbidden(f"the {principal.role} role does not read insights")


def _today() -> date:
    return datetime.now(UTC).date()


def _applied(filters: Filters) -> AppliedFilters:
    return AppliedFilters(
        since=filters.since,
        until=filters.until,
        price_book=filters.price_book,
        offering=filters.offering,
        family=filters.family,
        centre=filters.centre,
    )


def _days(seconds: float | None) -> Decimal | None:
    if seconds is None:
        return None
    # Whole seconds first: SQLite's julianday arithmetic is a float a hair off.
    return (Decimal(round(seconds)) / _DAY).quantize(_TWO, ROUND_HALF_UP)


def _duration(found: sql.Durations) -> Duration:
    return Duration(
        proposals=found.count,
        average_days=_days(found.average_seconds),
        p90_days=_days(found.p90_seconds),
    )


def _hundredths(value: int) -> Decimal:
    return from_cents(value)  # hundredths of a percent read as "cents" of a percent


def _margin(totals: sql.Totals) -> MarginGroup:
    margin = totals.value_cents - totals.cost_cents
    return MarginGroup(
        key=totals.key,
        currency=totals.currency,
        contract_value=from_cents(totals.value_cents),
        margin=from_cents(margin),
        margin_percent=percent_of(Decimal(margin), Decimal(totals.value_cents)),
    )


def go_to_market(
    session: Session, principal: Principal, filters: Filters, today: date | None = None
) -> GoToMarket:
    """How proposals created in the period fare: by status and month, the win rate, what
    was won, how long issuing and acceptance take, the discounts given."""
    _check(principal)
    today = today or _today()
    by_month = sql.status_by_month(session, filters, today)
    # The win rate's counts are the same proposals by status: summed, not asked again.
    accepted = sum(count for _, status, count in by_month if status == sql.ACCEPTED)
    rejected = sum(count for _, status, count in by_month if status == sql.REJECTED)
    return GoToMarket(
        filters=_applied(filters),
        status_by_month=[
            StatusCount(month=sql.month_of(month), status=status, proposals=count)
            for month, status, count in by_month
        ],
        win_rate=WinRate(
            accepted=accepted,
            decided=accepted + rejected,
            percent=percent_of(Decimal(accepted), Decimal(accepted + rejected)),
        ),
        won=[
            Won(
                currency=t.currency,
                proposals=t.count,
                contract_value=from_cents(t.value_cents),
                margin=from_cents(t.value_cents - t.cost_cents),
                margin_percent=percent_of(
                    Decimal(t.value_cents - t.cost_cents), Decimal(t.value_cents)
                ),
            )
            for t in sql.won(session, filters)
        ],
        creation_to_issue=_duration(sql.creation_to_issue(session, filters)),
        issue_to_acceptance=_duration(sql.issue_to_acceptance(session, filters)),
        discounts=[
            DiscountGuardrail(
                price_book=d.price_book,
                role=d.role,
                proposals=d.count,
                average_discount_percent=(Decimal(d.total) / d.count / 100).quantize(
                    _TWO, ROUND_HALF_UP
                ),
                max_discount_percent=_hundredths(d.highest),
                limit_percent=_hundredths(d.limit),
                over_limit=d.over,
            )
            for d in sql.discounts(session, filters)
        ],
    )


def portfolio(session: Session, principal: Principal, filters: Filters) -> Portfolio:
    """What sold (accepted proposals created in the period): standard vs custom, margins by
    family and offering, what never sold, what needed approval; and what configurations
    in the period conflicted on and the repairs they were offered."""
    _check(principal)
    shares: dict[str, dict[bool, int]] = {}
    for currency, standard, cents in sql.standard_share(session, filters):
        shares.setdefault(currency, {True: 0, False: 0})[standard] += cents
    return Portfolio(
        filters=_applied(filters),
        standard_share=[
            StandardShare(
                currency=currency,
                standard=from_cents(parts[True]),
                custom=from_cents(parts[False]),
                standard_percent=percent_of(
                    Decimal(parts[True]), Decimal(parts[True] + parts[False])
                ),
            )
            for currency, parts in sorted(shares.items())
        ],
        margin_by_family=[_margin(t) for t in sql.margin_by_family(session, filters)],
        margin_by_offering=[
            _margin(t)
            for t in sorted(
                sql.margin_by_offering(session, filters),
                key=lambda t: (t.key is not None, t.key or "", t.currency),
            )
        ],
        never_sold=[
            ComponentRef(code=code, name=name, family=family)
            for code, name, family in sql.never_sold(session, filters)
        ],
        approval_components=[
            ComponentCount(code=code, name=name, proposals=count)
            for code, name, count in sql.approval_components(session, filters)
        ],
        conflicts=[
            ConflictCount(kind=kind, subject=subject, misses=count)
            for kind, subject, count in sql.conflicts(session, filters)
        ],
        repairs=[
            RepairCount(repair=text, misses=count) for text, count in sql.repairs(session, filters)
        ],
    )


def delivery(session: Session, principal: Principal, filters: Filters) -> Delivery:
    """The load sold onto the centres month by month (see ``repository.utilisation`` for
    the definition), the service-level mix sold and availability targets sold vs reached
    (accepted proposals created in the period)."""
    _check(principal)
    capacity = sql.capacities(session)
    totals: dict[str, int] = {}
    mix = sql.service_levels(session, filters)
    for _, currency, _, cents in mix:
        totals[currency] = totals.get(currency, 0) + cents
    return Delivery(
        filters=_applied(filters),
        utilisation=[
            Utilisation(
                month=sql.month_of(month),
                centre=centre,
                competency=competency,
                effort_hours=(Decimal(milli) / 1000).quantize(_TWO, ROUND_HALF_UP),
                capacity_hours=capacity.get(centre, Decimal(0)),
                percent=percent_of(Decimal(milli) / 1000, capacity.get(centre, Decimal(0))),
            )
            for month, centre, competency, milli in sql.utilisation(session, filters)
        ],
        service_levels=[
            LevelMix(
                service_level=level,
                currency=currency,
                lines=count,
                contract_value=from_cents(cents),
                percent=percent_of(Decimal(cents), Decimal(totals[currency])),
            )
            for level, currency, count, cents in mix
        ],
        availability=[
            AvailabilityTarget(
                target=None if a.target is None else Decimal(a.target) / 1_000_000,
                proposals=a.count,
                reached_min=None if a.reached_min is None else Decimal(a.reached_min) / 1_000_000,
                reached_average=None
                if a.reached_count == 0
                else (Decimal(a.reached_sum) / a.reached_count / 1_000_000).quantize(
                    _THREE, ROUND_HALF_UP
                ),
                met=a.met,
            )
            for a in sorted(
                sql.availability(session, filters),
                key=lambda a: (a.target is not None, a.target or 0),
            )
        ],
    )
