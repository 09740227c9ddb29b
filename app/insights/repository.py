"""The insights' SQL: writing the read model, and every measure as one SQLAlchemy Core
query that runs on SQLite and PostgreSQL alike.

Portable by construction: money, percentages, availability and effort are integers (sums
are exact), no JSON is read by SQL, and the two things the databases spell differently are
one expression each with both spellings (``MonthIndex``, ``SecondsBetween``), compiled per
dialect and tested on both. Percentiles use window functions (``ROW_NUMBER``, ``COUNT``),
which both have.

"The current revision" of a proposal is the one ``proposals.revision`` names; every
proposal-level measure reads that revision's row of ``insight_revisions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import Float

from app.insights.facts import MissFacts, RevisionFacts
from app.insights.filters import Filters
from app.models import (
    CatalogRecord,
    ComponentHead,
    ComponentVersion,
    InsightLine,
    InsightMiss,
    InsightMissItem,
    InsightRevision,
    Proposal,
    ProposalEvent,
)

# The open statuses of app.proposals.states (an open proposal past its validity is
# expired, as the proposals domain shows it); named here so this domain needs none.
OPEN = ("draft", "pending_approval", "approved", "sent")
ISSUED, ACCEPTED, REJECTED = "approved", "accepted", "rejected"
TOP = 10

R, L, P, E = InsightRevision, InsightLine, Proposal, ProposalEvent


# -- the two expressions spelt per dialect ---------------------------------------------------


class MonthIndex(FunctionElement[int]):
    """The calendar month of a UTC timestamp as year * 12 + month - 1."""

    type = Integer()
    inherit_cache = True


@compiles(MonthIndex)
def _month_index_sqlite(element: MonthIndex, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite stores the UTC timestamp as text, 'YYYY-MM-DD HH:MM:SS...'.
    (value,) = element.clauses
    text = compiler.process(value, **kw)
    return (
        f"(CAST(substr({text}, 1, 4) AS INTEGER) * 12 + CAST(substr({text}, 6, 2) AS INTEGER) - 1)"
    )


@compiles(MonthIndex, "postgresql")
def _month_index_postgresql(element: MonthIndex, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = element.clauses
    text = f"({compiler.process(value, **kw)} AT TIME ZONE 'UTC')"
    return f"(CAST(EXTRACT(YEAR FROM {text}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {text}) AS INTEGER) - 1)"  # noqa: E501


class SecondsBetween(FunctionElement[float]):
    """Seconds from the first timestamp to the second."""

    type = Float()
    inherit_cache = True


@compiles(SecondsBetween)
def _seconds_sqlite(element: SecondsBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(SecondsBetween, "postgresql")
def _seconds_postgresql(element: SecondsBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_of(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


# -- writing the read model ------------------------------------------------------------------


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(ROUND_HALF_UP))


def _millionths(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 1_000_000).to_integral_value(ROUND_HALF_UP))


def _decimal(value: object) -> Decimal:
    return Decimal(str(value))


def _delivery_of(
    session: Session, pairs: set[tuple[str, int]]
) -> dict[tuple[str, int], tuple[str, Decimal]]:
    """Per (component, version): its competency and its monthly effort hours per unit (all
    skills), as the portfolio stored that version."""
    if not pairs:
        return {}
    rows = session.execute(
        select(ComponentVersion.code, ComponentVersion.version, ComponentVersion.content).where(
            or_(*(and_(ComponentVersion.code == c, ComponentVersion.version == v)
                  for c, v in sorted(pairs)))
        )
    )  # fmt: skip
    found = {}
    for code, version, content in rows:
        monthly = (content.get("effort") or {}).get("monthly") or {}
        hours = sum((_decimal(value) for value in monthly.values()), Decimal(0))
        found[(code, version)] = (str(content.get("competency") or ""), hours)
    return found


def discount_limit(session: Session, price_book: str, role: str) -> Decimal:
    """The largest discount ``role`` may give without approval in ``price_book``, as the
    catalog holds it now (a role not listed: 0)."""
    content = session.scalar(
        select(CatalogRecord.content).where(
            CatalogRecord.kind == "price_books", CatalogRecord.key == price_book
        )
    )
    limits = ((content or {}).get("guardrails") or {}).get("max_discount_percent") or {}
    return _decimal(limits.get(role, 0))


def write_revision(session: Session, facts: RevisionFacts) -> None:
    """The revision's rows, added to the caller's transaction."""
    delivery = _delivery_of(
        session,
        {(line.component, line.version) for line in facts.lines
         if line.component is not None and line.version is not None},
    )  # fmt: skip
    limit = discount_limit(session, facts.price_book, facts.author_role)
    session.add(
        InsightRevision(
            proposal_id=facts.proposal_id, revision=facts.revision, created_at=facts.created_at,
            author_role=facts.author_role, price_book=facts.price_book, offering=facts.offering,
            currency=facts.currency, term_months=facts.term_months,
            discount_hundredths=_cents(facts.discount_percent),
            discount_limit_hundredths=_cents(limit),
            approval_required=facts.approval_required,
            target_millionths=_millionths(facts.availability_target),
            reached_millionths=_millionths(facts.availability_reached),
            monthly_cents=_cents(facts.monthly), one_time_cents=_cents(facts.one_time),
            contract_cents=_cents(facts.contract_value), cost_cents=_cents(facts.cost),
        )
    )  # fmt: skip
    for line in facts.lines:
        competency, hours = (
            delivery.get((line.component, line.version), (None, Decimal(0)))
            if line.component is not None and line.version is not None
            else (None, Decimal(0))
        )
        session.add(
            InsightLine(
                proposal_id=facts.proposal_id, revision=facts.revision, line=line.line,
                standard=line.standard, component=line.component, version=line.version,
                family=line.family, centre=line.centre, competency=competency,
                service_level=line.service_level,
                availability_millionths=_millionths(line.availability),
                quantity=line.quantity, monthly_cents=_cents(line.monthly),
                one_time_cents=_cents(line.one_time),
                contract_cents=_cents(line.contract_value), cost_cents=_cents(line.cost),
                effort_millihours=int(
                    (hours * line.quantity * 1000).to_integral_value(ROUND_HALF_UP)
                ),
            )
        )  # fmt: skip


def write_miss(session: Session, facts: MissFacts) -> None:
    miss = InsightMiss(
        at=facts.at, actor=facts.actor[:100], price_book=facts.price_book[:100],
        offering=None if facts.offering is None else facts.offering[:100],
    )  # fmt: skip
    session.add(miss)
    session.flush()
    session.add_all(
        [InsightMissItem(miss_id=miss.id, part="conflict", kind=item.kind[:30],
                         subject=item.subject[:500]) for item in facts.conflicts]
        + [InsightMissItem(miss_id=miss.id, part="repair", kind=None, subject=text[:500])
           for text in facts.repairs]
    )  # fmt: skip


# -- the scope every proposal measure starts from ---------------------------------------------


def _current() -> ColumnElement[bool]:
    """Joins a proposal to its current revision's read-model row."""
    return and_(R.proposal_id == P.id, R.revision == P.revision)


def effective_status(today: date) -> ColumnElement[str]:
    return case(
        (and_(P.status.in_(OPEN), P.valid_until < today), literal("expired")), else_=P.status
    )


def _line_filters(filters: Filters, lines: Any = L) -> list[ColumnElement[bool]]:
    found = []
    if filters.family is not None:
        found.append(lines.family == filters.family)
    if filters.centre is not None:
        found.append(lines.centre == filters.centre)
    return found


def scoped(statement: Select[Any], filters: Filters) -> Select[Any]:
    """``statement`` (over proposals joined to their current revision) kept to the
    proposals created in the period, in the price book and offering asked, with at least
    one line of the family and centre asked."""
    statement = statement.where(P.created_at >= filters.start, P.created_at < filters.end)
    if filters.price_book is not None:
        statement = statement.where(R.price_book == filters.price_book)
    if filters.offering is not None:
        statement = statement.where(R.offering == filters.offering)
    other = aliased(InsightLine)  # not the statement's own lines, when it has them
    lines = _line_filters(filters, other)
    if lines:
        statement = statement.where(
            exists().where(other.proposal_id == P.id, other.revision == P.revision, *lines)
        )
    return statement


def _proposals(*columns: Any) -> Select[Any]:
    return select(*columns).select_from(P).join(R, _current())


# -- go to market ----------------------------------------------------------------------------


def status_by_month(session: Session, filters: Filters, today: date) -> list[tuple[int, str, int]]:
    """(month index of creation, effective status, proposals)."""
    month = MonthIndex(P.created_at).label("month")
    status = effective_status(today).label("status")
    rows = session.execute(
        scoped(_proposals(month, status, func.count()), filters)
        .group_by(month, status)
        .order_by(month, status)
    )
    return [(int(m), str(s), int(n)) for m, s, n in rows]


@dataclass(frozen=True, slots=True)
class Totals:
    key: str | None
    currency: str
    count: int
    value_cents: int
    cost_cents: int


def won(session: Session, filters: Filters) -> list[Totals]:
    """Accepted proposals in scope per currency: how many, contract value and cost."""
    rows = session.execute(
        scoped(
            _proposals(R.currency, func.count(), func.sum(R.contract_cents),
                       func.sum(R.cost_cents)),
            filters,
        ).where(P.status == ACCEPTED).group_by(R.currency).order_by(R.currency)
    )  # fmt: skip
    return [Totals(None, c, int(n), int(v), int(k)) for c, n, v, k in rows]


def _milestones(filters: Filters) -> Any:
    """Per proposal in scope: its status, when it was created, first issued (``approved``)
    and accepted. One grouping of the scoped proposals' events (an index seek each), not
    a subquery per proposal and moment (PostgreSQL costed those high enough to compile
    the query with JIT, half of its time)."""
    return (
        scoped(
            _proposals(
                P.id.label("id"),
                P.status.label("status"),
                P.created_at.label("created_at"),
                func.min(case((E.to_status == ISSUED, E.at))).label("issued"),
                func.min(case((E.to_status == ACCEPTED, E.at))).label("accepted"),
            ).join(E, E.proposal_id == P.id),
            filters,
        )
        .where(E.to_status.in_((ISSUED, ACCEPTED)))
        .group_by(P.id, P.status, P.created_at)
        .subquery()
    )


def _accepted_months() -> Any:
    """Per accepted proposal, the month index of its acceptance (computed once a row: the
    grouping materialises it)."""
    return (
        select(E.proposal_id.label("proposal_id"), MonthIndex(func.min(E.at)).label("start"))
        .where(E.to_status == ACCEPTED)
        .group_by(E.proposal_id)
        .subquery()
    )


@dataclass(frozen=True, slots=True)
class Durations:
    count: int
    average_seconds: float | None
    p90_seconds: float | None


def _durations(session: Session, seconds: Select[Any]) -> Durations:
    """Count, average and nearest-rank 90th percentile of a one-column select, in one pass:
    the 90th percentile is the smallest value whose rank r among n has 10 r >= 9 n."""
    found = seconds.subquery()
    value = found.c[0]
    ranked = select(
        value.label("s"),
        func.row_number().over(order_by=value).label("rn"),
        func.count().over().label("n"),
    ).subquery()
    count, average, p90 = session.execute(
        select(
            func.count(ranked.c.s),
            func.avg(ranked.c.s),
            func.min(case((ranked.c.rn * 10 >= ranked.c.n * 9, ranked.c.s))),
        )
    ).one()
    return Durations(
        int(count),
        None if average is None else float(average),
        None if p90 is None else float(p90),
    )


def creation_to_issue(session: Session, filters: Filters) -> Durations:
    m = _milestones(filters)
    return _durations(
        session,
        select(SecondsBetween(m.c.created_at, m.c.issued)).where(m.c.issued.is_not(None)),
    )


def issue_to_acceptance(session: Session, filters: Filters) -> Durations:
    m = _milestones(filters)
    return _durations(
        session,
        select(SecondsBetween(m.c.issued, m.c.accepted)).where(
            m.c.status == ACCEPTED, m.c.issued.is_not(None), m.c.accepted.is_not(None)
        ),
    )


@dataclass(frozen=True, slots=True)
class Discounts:
    price_book: str
    role: str
    limit: int
    count: int
    total: int
    highest: int
    over: int


def discounts(session: Session, filters: Filters) -> list[Discounts]:
    """Per price book, author role and that role's limit: discounts given (hundredths)."""
    rows = session.execute(
        scoped(
            _proposals(
                R.price_book, R.author_role, R.discount_limit_hundredths, func.count(),
                func.sum(R.discount_hundredths), func.max(R.discount_hundredths),
                func.sum(case((R.discount_hundredths > R.discount_limit_hundredths, 1),
                              else_=0)),
            ),
            filters,
        )
        .group_by(R.price_book, R.author_role, R.discount_limit_hundredths)
        .order_by(R.price_book, R.author_role, R.discount_limit_hundredths)
    )  # fmt: skip
    return [Discounts(b, r, int(lim), int(n), int(t), int(h), int(o))
            for b, r, lim, n, t, h, o in rows]  # fmt: skip


# -- portfolio -------------------------------------------------------------------------------


def _accepted_lines(filters: Filters, *columns: Any) -> Select[Any]:
    """Lines of the current revision of accepted proposals in scope, kept to the family
    and centre asked (a line of another family or centre is not counted)."""
    return scoped(
        _proposals(*columns)
        .join(L, and_(L.proposal_id == P.id, L.revision == P.revision))
        .where(P.status == ACCEPTED, *_line_filters(filters)),
        filters,
    )


def standard_share(session: Session, filters: Filters) -> list[tuple[str, bool, int]]:
    """(currency, standard, contract value in cents) of the accepted lines in scope."""
    rows = session.execute(
        _accepted_lines(filters, R.currency, L.standard, func.sum(L.contract_cents))
        .group_by(R.currency, L.standard)
        .order_by(R.currency, L.standard)
    )
    return [(c, bool(s), int(v)) for c, s, v in rows]


def margin_by_family(session: Session, filters: Filters) -> list[Totals]:
    rows = session.execute(
        _accepted_lines(filters, L.family, R.currency, func.count(), func.sum(L.contract_cents),
                        func.sum(L.cost_cents))
        .where(L.standard.is_(True))
        .group_by(L.family, R.currency)
        .order_by(L.family, R.currency)
    )  # fmt: skip
    return [Totals(f, c, int(n), int(v), int(k)) for f, c, n, v, k in rows]


def margin_by_offering(session: Session, filters: Filters) -> list[Totals]:
    rows = session.execute(
        scoped(
            _proposals(R.offering, R.currency, func.count(), func.sum(R.contract_cents),
                       func.sum(R.cost_cents)),
            filters,
        ).where(P.status == ACCEPTED).group_by(R.offering, R.currency)
        .order_by(R.offering, R.currency)
    )  # fmt: skip
    return [Totals(o, c, int(n), int(v), int(k)) for o, c, n, v, k in rows]


def never_sold(session: Session, filters: Filters) -> list[tuple[str, str, str]]:
    """(code, name, family) of each active component in no accepted line in scope."""
    sold = _accepted_lines(filters, L.component).where(L.component.is_not(None))
    statement = (
        select(ComponentVersion.code, ComponentVersion.name, ComponentVersion.family)
        .join(
            ComponentHead,
            and_(ComponentHead.code == ComponentVersion.code,
                 ComponentHead.active_version == ComponentVersion.version),
        )
        .where(ComponentVersion.code.not_in(sold.scalar_subquery()))
        .order_by(ComponentVersion.code)
    )  # fmt: skip
    if filters.family is not None:
        statement = statement.where(ComponentVersion.family == filters.family)
    return [(c, n, f) for c, n, f in session.execute(statement)]


def approval_components(session: Session, filters: Filters) -> list[tuple[str, str, int]]:
    """(code, name, proposals) of the components most often in a current revision that
    needed approval, most first (then by code)."""
    counted = (
        scoped(
            _proposals(L.component.label("code"), func.count(func.distinct(P.id)).label("n"))
            .join(L, and_(L.proposal_id == P.id, L.revision == P.revision))
            .where(R.approval_required.is_(True), L.standard.is_(True), *_line_filters(filters)),
            filters,
        )
        .group_by(L.component)
        .subquery()
    )
    rows = session.execute(
        select(counted.c.code, ComponentVersion.name, counted.c.n)
        .join(ComponentHead, ComponentHead.code == counted.c.code, isouter=True)
        .join(
            ComponentVersion,
            and_(ComponentVersion.code == counted.c.code,
                 ComponentVersion.version == ComponentHead.latest_version),
            isouter=True,
        )
        .order_by(counted.c.n.desc(), counted.c.code)
        .limit(TOP)
    )  # fmt: skip
    return [(c, name or c, int(n)) for c, name, n in rows]


def _misses(filters: Filters) -> Select[Any]:
    statement = select(InsightMiss.id).where(
        InsightMiss.at >= filters.start, InsightMiss.at < filters.end
    )
    if filters.price_book is not None:
        statement = statement.where(InsightMiss.price_book == filters.price_book)
    if filters.offering is not None:
        statement = statement.where(InsightMiss.offering == filters.offering)
    return statement


def conflicts(session: Session, filters: Filters) -> list[tuple[str, str, int]]:
    """(kind, subject, misses) most first: the constraints configurations conflicted on."""
    n = func.count(func.distinct(InsightMissItem.miss_id))
    rows = session.execute(
        select(InsightMissItem.kind, InsightMissItem.subject, n)
        .where(InsightMissItem.part == "conflict",
               InsightMissItem.miss_id.in_(_misses(filters).scalar_subquery()))
        .group_by(InsightMissItem.kind, InsightMissItem.subject)
        .order_by(n.desc(), InsightMissItem.kind, InsightMissItem.subject)
        .limit(TOP)
    )  # fmt: skip
    return [(str(k), s, int(c)) for k, s, c in rows]


def repairs(session: Session, filters: Filters) -> list[tuple[str, int]]:
    n = func.count(func.distinct(InsightMissItem.miss_id))
    rows = session.execute(
        select(InsightMissItem.subject, n)
        .where(InsightMissItem.part == "repair",
               InsightMissItem.miss_id.in_(_misses(filters).scalar_subquery()))
        .group_by(InsightMissItem.subject)
        .order_by(n.desc(), InsightMissItem.subject)
        .limit(TOP)
    )  # fmt: skip
    return [(s, int(c)) for s, c in rows]


# -- delivery --------------------------------------------------------------------------------


def utilisation(session: Session, filters: Filters) -> list[tuple[int, str, str, int]]:
    """(month index, centre, competency, effort millihours) per month of the period.

    **Centre load, the definition**: a line of an accepted proposal's current revision
    loads its delivery centre, for its component version's competency, with its monthly
    effort (quantity x the version's monthly effort hours per unit, all skills) in every
    calendar month from the month of acceptance for ``term_months`` months. The period
    picks the months; the proposal's creation date does not matter here. The price book,
    offering, family and centre filters apply (family and centre to the lines).
    """
    accepted = _accepted_months()
    months = union_all(
        *(select(literal(index, Integer).label("idx"))
          for index in (month_index(m) for m in filters.months()))
    ).subquery()  # fmt: skip
    # Lines summed by (acceptance month, term, centre, competency) first: a few hundred
    # rows to spread over the months, not every line once a month (a 160,000-row grouping
    # at 10,000 proposals).
    per = (
        select(
            accepted.c.start.label("start"), R.term_months.label("term"),
            L.centre.label("centre"), L.competency.label("competency"),
            func.sum(L.effort_millihours).label("effort"),
        )
        .select_from(P)
        .join(R, _current())
        .join(accepted, accepted.c.proposal_id == P.id)
        .join(L, and_(L.proposal_id == P.id, L.revision == P.revision))
        .where(P.status == ACCEPTED, L.standard.is_(True), *_line_filters(filters),
               accepted.c.start <= month_index(filters.until))
        .group_by(accepted.c.start, R.term_months, L.centre, L.competency)
    )  # fmt: skip
    if filters.price_book is not None:
        per = per.where(R.price_book == filters.price_book)
    if filters.offering is not None:
        per = per.where(R.offering == filters.offering)
    load = per.subquery()
    statement = (
        select(months.c.idx, load.c.centre, load.c.competency, func.sum(load.c.effort))
        .select_from(load)
        .join(months, and_(months.c.idx >= load.c.start,
                           months.c.idx < load.c.start + load.c.term))
        .group_by(months.c.idx, load.c.centre, load.c.competency)
        .order_by(months.c.idx, load.c.centre, load.c.competency)
    )  # fmt: skip
    return [(int(i), c, k, int(h)) for i, c, k, h in session.execute(statement)]


def capacities(session: Session) -> dict[str, Decimal]:
    """Each delivery centre's monthly capacity in hours, as the catalog holds it now."""
    rows = session.execute(
        select(CatalogRecord.key, CatalogRecord.content).where(
            CatalogRecord.kind == "delivery_centres"
        )
    )
    return {key: _decimal(content.get("monthly_capacity_hours", 0)) for key, content in rows}


def service_levels(session: Session, filters: Filters) -> list[tuple[str, str, int, int]]:
    """(service level, currency, lines, contract value cents) of the accepted standard
    lines in scope."""
    rows = session.execute(
        _accepted_lines(filters, L.service_level, R.currency, func.count(),
                        func.sum(L.contract_cents))
        .where(L.standard.is_(True))
        .group_by(L.service_level, R.currency)
        .order_by(R.currency, L.service_level)
    )  # fmt: skip
    return [(str(s), c, int(n), int(v)) for s, c, n, v in rows]


@dataclass(frozen=True, slots=True)
class Availability:
    target: int | None
    count: int
    reached_min: int | None
    reached_sum: int
    reached_count: int
    met: int


def availability(session: Session, filters: Filters) -> list[Availability]:
    met = case(
        (R.target_millionths.is_(None), 1),
        (R.reached_millionths >= R.target_millionths, 1),
        else_=0,
    )
    rows = session.execute(
        scoped(
            _proposals(R.target_millionths, func.count(), func.min(R.reached_millionths),
                       func.coalesce(func.sum(R.reached_millionths), 0),
                       func.count(R.reached_millionths), func.sum(met)),
            filters,
        ).where(P.status == ACCEPTED).group_by(R.target_millionths)
        .order_by(R.target_millionths)
    )  # fmt: skip
    return [
        Availability(
            None if t is None else int(t),
            int(n),
            None if lo is None else int(lo),
            int(s),
            int(k),
            int(m),
        )
        for t, n, lo, s, k, m in rows
    ]
