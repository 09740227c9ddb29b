"""What waits for an approver: the proposals pending approval, each as a summary (no full
view per proposal: two queries for a page), and a decision taken on what the inbox showed.

The API's If-Match for a decision is the ETag of the whole view (history included), which
costs a full view per proposal to compute. The inbox carries a cheaper stamp instead: the
current revision, the proposal row's version (bumped by every change of the row) and its
latest event. A decision re-reads the proposal in its write transaction and is refused
(412, as a stale If-Match is) when the stamp is no longer the one shown; then it passes
the API's check with the ETag of the view as it is, so four eyes, the comment and the
lifecycle stay ``transition``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.auth import Principal, sees_cost
from app.kit.errors import Forbidden, PreconditionFailed
from app.kit.pagination import Page, after_id, page_of
from app.kit.representation import represent
from app.models import Proposal, ProposalEvent, ProposalRevision
from app.proposals.revision import Customer, Totals, read_revision
from app.proposals.service import read, transition
from app.proposals.views import approval_reasons, breach_view, customer_view
from pricing import factor_text

WAITING = "pending_approval"
STALE = "it changed since the inbox showed it; read it again and retry"


@dataclass(frozen=True, slots=True)
class OptionBreaches:
    """One option offered and the guardrails it breaks, as the API's view shows them."""

    name: str
    breaches: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Awaiting:
    """A proposal waiting for approval, as an approver's inbox lists it. ``own``: the
    approver wrote it, so another approver decides it (four eyes). ``seen``: the stamp a
    decision sends back (see the module)."""

    id: int
    number: str
    revision: int
    customer: dict[str, str]
    author: str
    own: bool
    submitted_at: datetime | None
    totals: Totals  # the current revision's (first option's), as the view's "totals"
    term_months: int
    discount_percent: str
    options: list[OptionBreaches]
    approval_reasons: list[str]
    seen: str


def _stamp(revision: int, row_version: int, last_event: int | None) -> str:
    return f"{revision}.{row_version}.{last_event or 0}"


def waiting_for(
    session: Session, principal: Principal, limit: int, cursor: str | None = None
) -> Page[Awaiting]:
    """Newest first, as the API's listing of ``pending_approval`` shows them to this
    approver (every proposal with ``proposal.read_all``, else only their own); their own
    are listed too, marked ``own``."""
    if not principal.can("proposal.approve"):
        raise Forbidden(f"the {principal.role} role does not approve proposals")
    today = datetime.now(UTC).date()
    statement = (
        select(Proposal, ProposalRevision.content)  # the revision's document alone
        .join(ProposalRevision, and_(ProposalRevision.proposal_id == Proposal.id,
                                     ProposalRevision.revision == Proposal.revision))
        # As the listing filters an open status: not yet past its validity (else expired).
        .where(Proposal.status == WAITING, Proposal.valid_until >= today)
    )  # fmt: skip
    if not principal.can("proposal.read_all"):
        statement = statement.where(Proposal.author == principal.name)
    after = after_id(cursor)
    if after is not None:
        statement = statement.where(Proposal.id < after)
    rows: list[tuple[Proposal, dict[str, Any]]] = [
        (proposal, content)
        for proposal, content in session.execute(statement.order_by(Proposal.id.desc())
                                                 .limit(limit + 1))
    ]  # fmt: skip
    page = page_of(rows, limit, lambda row: row[0].id)
    events = _events(session, [proposal.id for proposal, _ in page.items])
    show_cost = sees_cost(principal)
    return Page(
        [_summary(proposal, current, events.get(proposal.id, (None, None)), principal.name,
                  show_cost=show_cost)
         for proposal, current in page.items],
        page.next_cursor,
    )  # fmt: skip


def _events(session: Session, ids: list[int]) -> dict[int, tuple[int | None, datetime | None]]:
    """Per proposal: its latest event's id, and when it was last submitted for approval."""
    if not ids:
        return {}
    submitted = func.max(case((ProposalEvent.to_status == WAITING, ProposalEvent.at)))
    rows = session.execute(
        select(ProposalEvent.proposal_id, func.max(ProposalEvent.id), submitted)
        .where(ProposalEvent.proposal_id.in_(ids))
        .group_by(ProposalEvent.proposal_id)
    )
    return {proposal_id: (last, _utc(at)) for proposal_id, last, at in rows}


def _utc(at: Any) -> datetime | None:
    """An aggregate of a timestamp column: SQLite answers its text, untyped."""
    if at is None or isinstance(at, datetime):
        return at if at is None or at.tzinfo else at.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(at))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _summarised(document: Mapping[str, Any]) -> dict[str, Any]:
    """The stored revision less what a summary never reads: its priced lines, component
    versions and add-ons. Reading those (every line's decimals) is most of reading a
    revision; the rest (totals, guardrails, non-standard lines) is read as it always is."""

    def bundle(priced: Any) -> Any:
        return {**priced, "lines": []} if isinstance(priced, Mapping) else priced

    def alternative(offered: Any) -> Any:
        if not isinstance(offered, Mapping):
            return offered
        return {**offered, "public": bundle(offered.get("public")),
                "internal": bundle(offered.get("internal"))}  # fmt: skip

    trimmed = {key: value for key, value in document.items()
               if key not in ("add_ons", "centres", "capabilities")}  # fmt: skip
    trimmed["components"] = {}
    for key in ("public", "internal"):
        if key in trimmed:
            trimmed[key] = bundle(trimmed[key])
    if isinstance(trimmed.get("alternatives"), list):
        trimmed["alternatives"] = [alternative(offered) for offered in trimmed["alternatives"]]
    return trimmed


def _summary(
    proposal: Proposal,
    content: dict[str, Any],
    events: tuple[int | None, datetime | None],
    name: str,
    *,
    show_cost: bool,
) -> Awaiting:
    frozen = read_revision(_summarised(content))
    bundle = frozen.bundle(show_cost=show_cost)
    last_event, submitted_at = events
    return Awaiting(
        id=proposal.id,
        number=proposal.number,
        revision=proposal.revision,
        customer=customer_view(Customer.model_validate(proposal.customer)),
        author=proposal.author,
        own=proposal.author == name,
        submitted_at=submitted_at,
        totals=bundle.totals,
        term_months=bundle.term_months,
        discount_percent=factor_text(bundle.discount_percent),
        options=[
            OptionBreaches(option, [breach_view(breach) for breach in priced.guardrails.breaches])
            for option, priced in frozen.options(show_cost=show_cost)
        ],
        approval_reasons=approval_reasons(frozen, show_cost=show_cost),
        seen=_stamp(proposal.revision, proposal.row_version, last_event),
    )


def decide_waiting(
    session: Session,
    principal: Principal,
    proposal_id: int,
    body: dict[str, Any],
    seen: str | None,
) -> dict[str, Any]:
    """``transition`` (approve or decline) of the proposal the inbox showed with ``seen``:
    refused with 412 when it changed since; without ``seen``, refused as a write without
    If-Match is (428). Run it in the write transaction that makes the decision."""
    shown = read(session, principal, proposal_id)  # visibility first: 404, never a hint
    if seen is None:
        return transition(session, principal, proposal_id, body, None)
    proposal = session.get(Proposal, proposal_id)  # loaded by ``read``: no query
    assert proposal is not None
    last_event = session.scalar(
        select(func.max(ProposalEvent.id)).where(ProposalEvent.proposal_id == proposal_id)
    )
    if seen != _stamp(proposal.revision, proposal.row_version, last_event):
        raise PreconditionFailed(STALE)
    return transition(session, principal, proposal_id, body, represent(shown).etag)
