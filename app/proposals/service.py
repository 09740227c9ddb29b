"""Proposals: created from a configuration request (solved, priced and frozen as revision 1),
numbered without gaps, run through their lifecycle with four-eyes approval, revised, listed.

Creating or revising solves first, holding no write lock (a solve takes up to the solver's
time limit), then writes everything in one short write transaction: on SQLite it begins
immediately, so the number counter is read and bumped under the write lock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app import audit, insights, jobs
from app.auth import Principal, Role, sees_cost
from app.configurator import Bundle, ConfigurationRequest, Limits, Solution
from app.kit.bodies import validated
from app.kit.database import Database
from app.kit.errors import (
    Conflict,
    FieldProblem,
    Forbidden,
    IllegalTransition,
    Invalid,
    NotFound,
    NoValidBundle,
)
from app.kit.inputs import Strict
from app.kit.pagination import Page, newest_first
from app.kit.preconditions import check_precondition
from app.kit.representation import represent
from app.kit.settings import Settings
from app.models import Proposal, ProposalCounter, ProposalEvent, ProposalRevision, utcnow
from app.portfolio import ActiveCatalog, validate_model
from app.proposals import events, idempotency
from app.proposals import packages as work_packages
from app.proposals.add_ons import price_add_ons
from app.proposals.choices import Choice, Choices
from app.proposals.content import Offered, freeze
from app.proposals.facts import revision_facts
from app.proposals.revision import Customer, FrozenRevision, content_hash, read_revision
from app.proposals.schemas import MAX_OPTIONS, IsoDate, Line
from app.proposals.schemas import ProposalCreate as ProposalIn
from app.proposals.schemas import ProposalRevise as RevisionIn
from app.proposals.schemas import ProposalTransition as TransitionIn
from app.proposals.states import (
    OPEN,
    Caller,
    Status,
    TransitionRefused,
    effective_status,
    next_status,
)
from app.proposals.views import (
    add_ons_view,
    approval_reasons,
    bundle_view,
    custom_lines_view,
    customer_view,
    differences_view,
    offering_view,
    options_view,
)
from app.quoting import ConfigurationIn, Solver, solve
from catalog import CatalogSnapshot
from pricing import check_guardrails

# How much more available each option is than the one before it, at least (percent).
AVAILABILITY_STEP = Decimal("0.001")
# The places of a request's ``min_availability`` (the API's schema takes no more).
TARGET_PLACES = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class Answer:
    status_code: int
    body: dict[str, Any]
    location: str | None = None
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class Services:
    """What proposals need from the composition root."""

    database: Database
    catalog: ActiveCatalog
    pool: Solver
    limits: Limits
    settings: Settings


M = TypeVar("M", bound=BaseModel)


def _parsed(model: type[M], body: M | dict[str, Any], what: str) -> M:
    """The body as the route read it (a model), or as a dict, validated here."""
    return validated(model, body, what) if isinstance(body, dict) else body


def _request_of(parsed: ConfigurationIn, discount: Any) -> ConfigurationRequest:
    if parsed.alternatives > MAX_OPTIONS:
        raise Invalid(
            f"a proposal offers at most {MAX_OPTIONS} bundles",
            [FieldProblem("request.alternatives",
                          f"must be from 1 to {MAX_OPTIONS} for a proposal")],
        )  # fmt: skip
    request = parsed.as_request()
    if discount is not None:
        request = replace(request, discount_percent=discount)
    return request


def _request_json(request: ConfigurationRequest) -> dict[str, Any]:
    return {
        "price_book": request.price_book,
        "term_months": request.term_months,
        "needs": [
            {"capability": n.capability, "quantity": n.quantity}
            | ({"attributes": dict(n.attributes)} if n.attributes else {})
            for n in request.needs
        ],
        "offering": request.offering,
        "min_availability": None
        if request.min_availability is None
        else str(request.min_availability),
        "residency": None if request.residency is None else list(request.residency),
        "budget_monthly": None if request.budget_monthly is None else str(request.budget_monthly),
        "include": list(request.include),
        "exclude": list(request.exclude),
        "objective": request.objective,
        "discount_percent": str(request.discount_percent),
        # How many options (good, better, best) the revision offers, as asked.
        "alternatives": request.alternatives,
    }


def _stored_request(data: dict[str, Any]) -> ConfigurationRequest:
    body = {key: value for key, value in data.items() if value is not None}
    parsed: ConfigurationIn = ConfigurationIn.model_validate(body)
    return parsed.as_request()


@dataclass(frozen=True, slots=True)
class Rung:
    """One step of good/better/best: the bundle, and the request that solves to exactly it
    (the base request, one bundle asked, at the availability this step had to reach)."""

    bundle: Bundle
    request: ConfigurationRequest


@dataclass(frozen=True, slots=True)
class Ladder:
    """Good/better/best for a request: the cheapest bundle, then each next the cheapest
    more available than the one before by ``AVAILABILITY_STEP``; all solved on one
    catalog revision."""

    revision: int
    snapshot: CatalogSnapshot
    status: str
    timed_out: bool
    rungs: tuple[Rung, ...]

    @property
    def bundles(self) -> tuple[Bundle, ...]:
        return tuple(rung.bundle for rung in self.rungs)


def option_names(count: int) -> tuple[str, ...]:
    """The names a proposal gives ``count`` bundles when it is asked for none (none for a
    single bundle)."""
    return Choices(None, (), ()).names_for(count)


def ladder(
    services: Services, session: Session, caller: Principal, request: ConfigurationRequest
) -> Ladder:
    """Up to ``request.alternatives`` rungs (fewer when nothing reaches higher, or the
    catalog changed between the solves); the first solve's errors are the caller's."""
    first = replace(request, alternatives=1)
    revision, snapshot, solution = _solve(services, session, caller, first)
    rungs = [Rung(solution.bundles[0], first)]
    while len(rungs) < request.alternatives:
        better = _better_than(services, session, caller, first, rungs[-1].bundle, revision)
        if better is None:
            break
        rungs.append(better)
    return Ladder(revision, snapshot, solution.status, solution.timed_out, tuple(rungs))


def _freeze(
    services: Services,
    session: Session,
    caller: Principal,
    request: ConfigurationRequest,
    author_role: Role,
    choices: Choices,
) -> FrozenRevision:
    """Solve and price ``request`` on the active catalog, frozen as a revision with the
    choices offered. The guardrails are the author's (a discount limit is the role's),
    whoever revises."""
    found = ladder(services, session, caller, request)
    snapshot, bundles = found.snapshot, found.bundles
    guardrails = snapshot.price_book(request.price_book).guardrails
    names = choices.names_for(len(bundles))
    first, *others = bundles
    return freeze(
        snapshot, found.revision, first, check_guardrails(first.quote, guardrails, author_role),
        request.offering, found.status,
        option_name=names[0] if names else None,
        alternatives=[
            Offered(name, bundle, check_guardrails(bundle.quote, guardrails, author_role))
            for name, bundle in zip(names[1:], others, strict=True)
        ],
        add_ons=price_add_ons(snapshot, request, choices.add_ons),
        custom_lines=choices.custom_lines,
    )  # fmt: skip


def _solve(
    services: Services,
    session: Session,
    caller: Principal,
    request: ConfigurationRequest,
    *,
    record_miss: bool = True,
) -> tuple[int, CatalogSnapshot, Solution]:
    """Solves; a conflict is recorded for the insights unless it only says no better
    rung exists (``record_miss=False``)."""
    return solve(
        session, caller, services.catalog, services.pool, services.limits,
        replace(request, alternatives=1), field="request",
        misses=services.database if record_miss else None,
    )  # fmt: skip


def _better_than(
    services: Services,
    session: Session,
    caller: Principal,
    request: ConfigurationRequest,
    bundle: Bundle,
    revision: int,
) -> Rung | None:
    """The cheapest bundle for ``request`` that is more available than ``bundle``, with its
    request: the next of good, better, best (none when nothing reaches higher, or the
    catalog changed)."""
    if bundle.availability is None:
        return None
    # Rounded up to the places a request's availability takes, so the rung's request is
    # one the API accepts and solves to the same bundle.
    target = (bundle.availability + AVAILABILITY_STEP).quantize(TARGET_PLACES, ROUND_CEILING)
    if target >= 100:
        return None
    if request.min_availability is not None:
        target = max(target, request.min_availability)
    asked = replace(request, min_availability=target)
    try:
        solved_on, _, solution = _solve(services, session, caller, asked, record_miss=False)
    except NoValidBundle:
        return None
    return Rung(solution.bundles[0], asked) if solved_on == revision else None


@dataclass(frozen=True, slots=True)
class _Stored:
    """A frozen revision as it is stored: the model's own document, with its schema
    version, never the API's JSON of it; and its content hash."""

    document: dict[str, Any]
    digest: str
    frozen: FrozenRevision

    @classmethod
    def of(cls, frozen: FrozenRevision) -> _Stored:
        document = frozen.stored()
        return cls(document, content_hash(document), frozen)


def _next_number(session: Session, year: int) -> str:
    """The next number of ``year``, bumped in this transaction: one atomic upsert, so two
    creators never read the same value and a rollback gives the number back."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(ProposalCounter)
        .values(year=year, last=1)
        .on_conflict_do_update(index_elements=["year"], set_={"last": ProposalCounter.last + 1})
        .returning(ProposalCounter.last)
    )
    last = session.execute(statement).scalar_one()
    return f"P-{year}-{last:06d}"


def create(
    services: Services,
    session: Session,
    principal: Principal,
    body: ProposalIn | dict[str, Any],
    idempotency_key: str | None,
) -> Answer:
    parsed = _parsed(ProposalIn, body, "proposal")
    request = _request_of(parsed.request, parsed.discount_percent)
    settings = services.settings
    claimed = None
    if idempotency_key is not None:
        found = idempotency.claim(
            services.database,
            principal.name,
            idempotency.checked_key(idempotency_key),
            # The request as understood: what was sent, less what it left unsaid.
            idempotency.fingerprint(
                "POST", "/v1/proposals", parsed.model_dump(mode="json", exclude_unset=True)
            ),
            retention=timedelta(hours=settings.idempotency_retention_hours),
            stale_after=timedelta(seconds=settings.idempotency_stale_seconds),
        )
        if isinstance(found, idempotency.Replay):
            return Answer(found.status_code, found.body, found.location, replayed=True)
        claimed = found
    try:
        choices = Choices.asked(parsed, request)
        frozen = _freeze(services, session, principal, request, principal.role, choices)
        stored = _Stored.of(frozen)  # made before the write lock is taken
        with services.database.transaction(write=True) as writing:
            now = utcnow()
            proposal = Proposal(
                number=_next_number(writing, now.year),
                author=principal.name,
                author_role=principal.role,
                customer=parsed.customer.model_dump(mode="json", exclude_none=True),
                customer_name=parsed.customer.name.lower(),
                status="draft",
                revision=1,
                valid_until=(now + timedelta(days=settings.proposal_validity_days)).date(),
                created_at=now,
            )
            writing.add(proposal)
            writing.flush()
            _add_revision(writing, proposal, 1, request, stored, principal)
            _event(writing, proposal, principal, None, "draft", "created")
            audit.record(writing, principal, "create", "proposal", proposal.number, None,
                         {"revision": 1, "content_hash": stored.digest})  # fmt: skip
            answer = Answer(201, view(proposal, _revisions(writing, proposal), principal,
                                      _events(writing, proposal)),
                            f"/v1/proposals/{proposal.id}")  # fmt: skip
            if claimed is not None:
                idempotency.complete(writing, claimed, 201, answer.body, answer.location)
        return answer
    except BaseException:
        if claimed is not None:
            idempotency.release(services.database, claimed)
        raise


def _add_revision(
    session: Session,
    proposal: Proposal,
    number: int,
    request: ConfigurationRequest,
    stored: _Stored,
    principal: Principal,
) -> None:
    """The revision, and its rows of the insights' read model, in the same transaction."""
    now = utcnow()
    session.add(
        ProposalRevision(
            proposal_id=proposal.id, revision=number, request=_request_json(request),
            content=stored.document, content_hash=stored.digest,
            valid_until=proposal.valid_until, created_by=principal.name, created_at=now,
        )
    )  # fmt: skip
    insights.record_revision(
        session,
        revision_facts(proposal.id, number, proposal.author_role, request, stored.frozen, now),
    )


def _event(
    session: Session,
    proposal: Proposal,
    actor: Principal,
    before: str | None,
    after: str,
    comment: str | None,
) -> None:
    session.add(
        ProposalEvent(
            proposal_id=proposal.id, revision=proposal.revision, actor=actor.name,
            role=actor.role, from_status=before, to_status=after, comment=comment,
        )
    )  # fmt: skip


def _today() -> date:
    return datetime.now(UTC).date()


def _visible(session: Session, principal: Principal, proposal_id: int) -> Proposal:
    """The proposal, if the caller may see it; otherwise 404, never a hint that it exists."""
    if not (principal.can("proposal.read_all") or principal.can("proposal.create")):
        raise Forbidden(f"the {principal.role} role does not read proposals")
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or not (
        principal.can("proposal.read_all") or proposal.author == principal.name
    ):
        raise NotFound(f"no proposal {proposal_id}")
    return proposal


def _revisions(session: Session, proposal: Proposal) -> dict[int, ProposalRevision]:
    rows = session.scalars(
        select(ProposalRevision).where(ProposalRevision.proposal_id == proposal.id)
    )
    return {row.revision: row for row in rows}


def _events(session: Session, proposal: Proposal) -> list[ProposalEvent]:
    return list(
        session.scalars(
            select(ProposalEvent)
            .where(ProposalEvent.proposal_id == proposal.id)
            .order_by(ProposalEvent.id)
        )
    )


def view(
    proposal: Proposal,
    revisions: dict[int, ProposalRevision],
    principal: Principal,
    events: list[ProposalEvent],
    revision: int | None = None,
) -> dict[str, Any]:
    shown = revisions[revision or proposal.revision]
    frozen = read_revision(shown.content)
    show_cost = sees_cost(principal)
    return {
        "id": proposal.id,
        "number": proposal.number,
        "revision": shown.revision,
        "current_revision": proposal.revision,
        "revisions": sorted(revisions),
        "status": effective_status(proposal.status, proposal.valid_until, _today()),  # type: ignore[arg-type]
        "customer": customer_view(Customer.model_validate(proposal.customer)),
        "author": proposal.author,
        # An earlier revision keeps the validity it was offered with.
        "valid_until": shown.valid_until.isoformat(),
        "superseded": shown.revision != proposal.revision,
        "created_at": proposal.created_at.isoformat(),
        "revised_at": shown.created_at.isoformat(),
        "request": shown.request,
        "offering": offering_view(frozen.offering),
        "catalog_revision": frozen.catalog_revision,
        **bundle_view(frozen.bundle(show_cost=show_cost)),
        "options": options_view(frozen, show_cost=show_cost),
        "differences": differences_view(frozen),
        "add_ons": add_ons_view(frozen, show_cost=show_cost),
        "custom_lines": custom_lines_view(frozen, show_cost=show_cost),
        "approval_reasons": approval_reasons(frozen, show_cost=show_cost),
        "history": [
            {
                "at": event.at.isoformat(),
                "actor": event.actor,
                "revision": event.revision,
                "from": event.from_status,
                "to": event.to_status,
                "comment": event.comment,
            }
            for event in events
        ],
    }


def read(
    session: Session, principal: Principal, proposal_id: int, revision: int | None = None
) -> dict[str, Any]:
    proposal = _visible(session, principal, proposal_id)
    revisions = _revisions(session, proposal)
    if revision is not None and revision not in revisions:
        raise NotFound(f"proposal {proposal.number} has no revision {revision}")
    return view(proposal, revisions, principal, _events(session, proposal), revision)


def frozen_revision(
    session: Session, principal: Principal, proposal_id: int, revision: int | None = None
) -> tuple[Proposal, ProposalRevision]:
    """The proposal and one of its revisions (the current by default), for rendering."""
    proposal = _visible(session, principal, proposal_id)
    revisions = _revisions(session, proposal)
    number = revision or proposal.revision
    if number not in revisions:
        raise NotFound(f"proposal {proposal.number} has no revision {number}")
    return proposal, revisions[number]


def _caller(principal: Principal) -> Caller:
    return Caller(
        principal.name,
        is_admin=principal.role == "admin",
        may_approve=principal.can("proposal.approve"),
    )


def _expire_if_due(session: Session, proposal: Proposal) -> None:
    """Write down an expiry that reads have only computed so far."""
    status: Status = proposal.status  # type: ignore[assignment]
    if effective_status(status, proposal.valid_until, _today()) == "expired" and status in OPEN:
        session.add(
            ProposalEvent(
                proposal_id=proposal.id, revision=proposal.revision, actor="system",
                role="system", from_status=status, to_status="expired",
                comment=f"valid until {proposal.valid_until.isoformat()}",
            )
        )  # fmt: skip
        proposal.status = "expired"


def transition(
    session: Session,
    principal: Principal,
    proposal_id: int,
    body: TransitionIn | dict[str, Any],
    if_match: str | None,
) -> dict[str, Any]:
    """Move the proposal along its lifecycle; ``if_match`` must be the ETag of the proposal
    as the caller last read it, so a decision applies to the revision its maker saw."""
    parsed = _parsed(TransitionIn, body, "transition")
    proposal = _visible(session, principal, proposal_id)
    revisions = _revisions(session, proposal)
    seen = view(proposal, revisions, principal, _events(session, proposal))
    check_precondition(if_match, represent(seen).etag, required=True, any_allowed=False)
    _expire_if_due(session, proposal)
    current = revisions[proposal.revision]
    before: Status = proposal.status  # type: ignore[assignment]
    try:
        after = next_status(
            before, parsed.to, approval_needed=read_revision(current.content).approval_required,
            caller=_caller(principal), author=proposal.author,
        )  # fmt: skip
    except TransitionRefused as refused:
        if refused.forbidden:
            raise Forbidden(str(refused)) from refused
        raise IllegalTransition(str(refused)) from refused
    if parsed.to in ("approved", "declined") and parsed.comment is None:
        raise Invalid(
            "an approval decision needs a comment",
            [FieldProblem("comment", f"say why the proposal is {parsed.to}")],
        )
    proposal.status = after
    _event(session, proposal, principal, before, after, parsed.comment)
    if after == "approved":  # issued: its PDF is rendered now, not when first downloaded
        jobs.defer(session, "render_proposal", proposal_id=proposal.id, revision=proposal.revision)
    if after == "accepted":  # what was sold goes to the centres that deliver it
        made = work_packages.create_for(session, proposal, current)
        events.accepted(session, None, proposal, current, Choice(), "recorded by sales",
                        utcnow(), None, made)  # fmt: skip
    audit.record(session, principal, f"transition:{parsed.to}", "proposal", proposal.number,
                 {"status": before}, {"status": after}, parsed.comment)  # fmt: skip
    try:
        session.flush()
    except StaleDataError as error:
        raise Conflict("the proposal changed meanwhile; read it again and retry") from error
    return view(proposal, revisions, principal, _events(session, proposal))


def revise(
    services: Services, session: Session, principal: Principal, proposal_id: int,
    body: RevisionIn | dict[str, Any],
) -> Answer:  # fmt: skip
    """A new revision: the changed request (or the same one) solved and priced on the current
    catalog, back to draft with a fresh validity. Earlier revisions stay as they were."""
    parsed = _parsed(RevisionIn, body, "revision")
    proposal = _visible(session, principal, proposal_id)
    if proposal.author != principal.name and principal.role != "admin":
        raise Forbidden("only the proposal's author (or an admin) revises it")
    status = effective_status(proposal.status, proposal.valid_until, _today())  # type: ignore[arg-type]
    if status in ("accepted", "rejected", "withdrawn"):
        raise IllegalTransition(f"a {status} proposal is closed; create a new proposal instead")
    seen_revision, seen_version = proposal.revision, proposal.row_version
    previous = _revisions(session, proposal)[proposal.revision]
    base = _stored_request(previous.request)
    if parsed.request is not None:
        request = _request_of(parsed.request, parsed.discount_percent)
    else:
        discount = parsed.discount_percent
        request = base if discount is None else replace(base, discount_percent=discount)
    choices = Choices.asked(parsed, request, kept=read_revision(previous.content))
    frozen = _freeze(services, session, principal, request, proposal.author_role, choices)  # type: ignore[arg-type]
    stored = _Stored.of(frozen)
    with services.database.transaction(write=True) as writing:
        fresh = writing.get(Proposal, proposal_id)
        if fresh is None or (fresh.revision, fresh.row_version) != (seen_revision, seen_version):
            raise Conflict("the proposal changed while it was being revised; retry")
        _expire_if_due(writing, fresh)
        before = fresh.status
        fresh.revision = seen_revision + 1
        fresh.status = "draft"
        fresh.valid_until = (
            utcnow() + timedelta(days=services.settings.proposal_validity_days)
        ).date()
        _add_revision(writing, fresh, fresh.revision, request, stored, principal)
        _event(writing, fresh, principal, before, "draft", f"revision {fresh.revision}")
        audit.record(writing, principal, "revise", "proposal", fresh.number,
                     {"revision": seen_revision}, {"revision": fresh.revision})  # fmt: skip
        try:
            writing.flush()
        except StaleDataError as error:
            raise Conflict("the proposal changed while it was being revised; retry") from error
        body_out = view(fresh, _revisions(writing, fresh), principal, _events(writing, fresh))
    return Answer(201, body_out, f"/v1/proposals/{proposal_id}?revision={fresh.revision}")


class ListFilters(Strict):
    status: Status | None = None
    customer: Line | None = None
    author: Line | None = None
    created_from: IsoDate | None = None
    created_to: IsoDate | None = None


def _filtered(statement: Select[Proposal], filters: ListFilters) -> Select[Proposal]:
    today = _today()
    if filters.status == "expired":
        statement = statement.where(
            or_(
                Proposal.status == "expired",
                Proposal.status.in_(OPEN) & (Proposal.valid_until < today),
            )
        )
    elif filters.status in OPEN:
        statement = statement.where(
            Proposal.status == filters.status, Proposal.valid_until >= today
        )
    elif filters.status is not None:
        statement = statement.where(Proposal.status == filters.status)
    if filters.customer is not None:
        pattern = (
            "%"
            + filters.customer.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            + "%"
        )
        statement = statement.where(Proposal.customer_name.like(pattern, escape="\\"))
    if filters.author is not None:
        statement = statement.where(Proposal.author == filters.author)
    if filters.created_from is not None:
        start = datetime.combine(filters.created_from, datetime.min.time(), UTC)
        statement = statement.where(Proposal.created_at >= start)
    # Inclusive: before the next day starts; the calendar's last day has none, nor a bound.
    if filters.created_to is not None and filters.created_to < date.max:
        end = datetime.combine(filters.created_to + timedelta(days=1), datetime.min.time(), UTC)
        statement = statement.where(Proposal.created_at < end)
    return statement


def listing(
    session: Session,
    principal: Principal,
    filters: dict[str, Any],
    limit: int,
    cursor: str | None,
) -> Page[dict[str, Any]]:
    """Newest first. Sales see their own proposals; approvers and admins every one."""
    if not (principal.can("proposal.read_all") or principal.can("proposal.create")):
        raise Forbidden(f"the {principal.role} role does not read proposals")
    parsed: ListFilters = validate_model(ListFilters.model_validate, filters, "filter")
    statement = _filtered(select(Proposal), parsed)
    if not principal.can("proposal.read_all"):
        statement = statement.where(Proposal.author == principal.name)
    page = newest_first(session, statement, Proposal.id, limit, cursor)
    today = _today()
    return Page(
        [
            {
                "id": row.id,
                "number": row.number,
                "revision": row.revision,
                "status": effective_status(row.status, row.valid_until, today),  # type: ignore[arg-type]
                "customer": row.customer,
                "author": row.author,
                "valid_until": row.valid_until.isoformat(),
                "created_at": row.created_at.isoformat(),
            }
            for row in page.items
        ],
        page.next_cursor,
    )
