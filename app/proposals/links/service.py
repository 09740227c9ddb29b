"""Share links: made by a proposal's author (or an admin) for its issued revision, one
live link per revision, revoked on demand or by the next one; the token is shown once and
stored only as its SHA-256. The page side finds a link by its token and records views."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app import audit
from app.auth import Principal
from app.kit.database import Database
from app.kit.errors import Forbidden, IllegalTransition, NotFound
from app.kit.settings import Settings
from app.models import Proposal, ProposalEvent, ProposalRevision, ShareLink, ShareLinkView, utcnow
from app.proposals import events
from app.proposals.links.addresses import anonymised, truncated
from app.proposals.links.schemas import LinkViews, ShareLinkCreated, ShareLinkState, ViewOf
from app.proposals.links.state import LinkState, link_state
from app.proposals.service import frozen_revision
from app.proposals.states import Status, effective_status

log = logging.getLogger("offerwright.links")

TOKEN_BYTES = 32  # 256 bits from the operating system's CSPRNG
VIEWS_SHOWN = 100  # the latest views listed; the count covers them all


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(base: str, token: str) -> str:
    return f"{base.rstrip('/')}/p/{token}"


def expiry(valid_until: date, now: datetime, settings: Settings) -> datetime:
    """The end of the proposal's last valid day (UTC), or sooner if the settings say so."""
    ends = datetime.combine(valid_until + timedelta(days=1), time.min, UTC)
    if settings.share_link_days > 0:
        ends = min(ends, now + timedelta(days=settings.share_link_days))
    return ends


def _runs_it(principal: Principal, proposal: Proposal) -> None:
    if proposal.author != principal.name and principal.role != "admin":
        raise Forbidden("only the proposal's author (or an admin) shares it")


def _latest(session: Session, proposal_id: int) -> ShareLink | None:
    return session.scalar(
        select(ShareLink)
        .where(ShareLink.proposal_id == proposal_id)
        .order_by(ShareLink.id.desc())
        .limit(1)
    )


def state_of(link: ShareLink, proposal: Proposal, now: datetime | None = None) -> LinkState:
    return link_state(
        revoked=link.revoked_at is not None,
        link_revision=link.revision,
        expires_at=link.expires_at,
        proposal_revision=proposal.revision,
        status=proposal.status,  # type: ignore[arg-type]
        valid_until=proposal.valid_until,
        now=now or utcnow(),
    )


def _views(session: Session, link: ShareLink) -> LinkViews:
    count, last = session.execute(
        select(func.count(ShareLinkView.id), func.max(ShareLinkView.at)).where(
            ShareLinkView.link_id == link.id
        )
    ).one()
    rows = session.scalars(
        select(ShareLinkView)
        .where(ShareLinkView.link_id == link.id)
        .order_by(ShareLinkView.id.desc())
        .limit(VIEWS_SHOWN)
    )
    items = [ViewOf(at=row.at, address=row.address, user_agent=row.user_agent) for row in rows]
    return LinkViews(count=count, last=last, items=items)


def _state(session: Session, link: ShareLink, proposal: Proposal) -> ShareLinkState:
    return ShareLinkState(
        id=link.id,
        proposal_id=proposal.id,
        number=proposal.number,
        revision=link.revision,
        created_by=link.created_by,
        created_at=link.created_at,
        expires_at=link.expires_at,
        revoked_at=link.revoked_at,
        revoked_by=link.revoked_by,
        state=state_of(link, proposal),
        views=_views(session, link),
    )


def share(
    session: Session, principal: Principal, proposal_id: int, settings: Settings, base_url: str
) -> ShareLinkCreated:
    """A new link to the proposal's current revision, which must be issued (approved or
    sent); an approved proposal is recorded as sent. The revision's previous link, if
    any, is revoked. The token is in the answer's URL and nowhere else."""
    proposal, revision = frozen_revision(session, principal, proposal_id)
    _runs_it(principal, proposal)
    now = utcnow()
    status: Status = effective_status(proposal.status, proposal.valid_until, now.date())  # type: ignore[arg-type]
    if status not in ("approved", "sent"):
        raise IllegalTransition(
            f"only an issued proposal (approved or sent) is shared; this one is {status}"
        )
    session.execute(
        update(ShareLink)
        .where(
            ShareLink.proposal_id == proposal.id,
            ShareLink.revision == revision.revision,
            ShareLink.revoked_at.is_(None),
        )
        .values(revoked_at=now, revoked_by=principal.name)
    )
    token = new_token()
    link = ShareLink(
        proposal_id=proposal.id, revision=revision.revision, token_hash=token_hash(token),
        created_by=principal.name, created_at=now,
        expires_at=expiry(proposal.valid_until, now, settings),
    )  # fmt: skip
    session.add(link)
    if status == "approved":
        proposal.status = "sent"
        session.add(
            ProposalEvent(
                proposal_id=proposal.id, revision=proposal.revision, actor=principal.name,
                role=principal.role, from_status="approved", to_status="sent",
                comment="shared with the customer by link",
            )
        )  # fmt: skip
    audit.record(session, principal, "share", "proposal", proposal.number,
                 {"status": status}, {"status": proposal.status, "revision": link.revision,
                                      "expires_at": link.expires_at.isoformat()})  # fmt: skip
    session.flush()
    events.issued(session, proposal, revision, now, link.expires_at)
    state = _state(session, link, proposal)
    return ShareLinkCreated(**state.model_dump(), url=link_url(base_url, token))


def current(session: Session, principal: Principal, proposal_id: int) -> ShareLinkState:
    """The proposal's latest link (live or not) with its views; 404 when it has none."""
    proposal, _ = frozen_revision(session, principal, proposal_id)
    link = _latest(session, proposal.id)
    if link is None:
        raise NotFound(f"proposal {proposal.number} has not been shared")
    return _state(session, link, proposal)


def revoke(session: Session, principal: Principal, proposal_id: int) -> ShareLinkState:
    """Revoke the proposal's live link: its page says so from now on."""
    proposal, _ = frozen_revision(session, principal, proposal_id)
    _runs_it(principal, proposal)
    link = _latest(session, proposal.id)
    if link is None:
        raise NotFound(f"proposal {proposal.number} has not been shared")
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        link.revoked_by = principal.name
        audit.record(session, principal, "revoke-link", "proposal", proposal.number,
                     {"link": link.id}, {"revoked_at": link.revoked_at.isoformat()})  # fmt: skip
        session.flush()
    return _state(session, link, proposal)


# -- the page side ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Opened:
    """What a token leads to: the link, its proposal and revision, and their state."""

    link: ShareLink
    proposal: Proposal
    revision: ProposalRevision
    state: LinkState


def opened(session: Session, token: str, *, lock: bool = False) -> Opened | None:
    """The link ``token`` names, or None. ``lock``: the proposal row locked for a decision
    (PostgreSQL; SQLite's write transaction holds the database already)."""
    if not token or len(token) > 128:
        return None
    link = session.scalar(select(ShareLink).where(ShareLink.token_hash == token_hash(token)))
    if link is None:
        return None
    statement = select(Proposal).where(Proposal.id == link.proposal_id)
    if lock:
        statement = statement.with_for_update()
    proposal = session.scalar(statement.execution_options(populate_existing=True))
    revision = session.scalar(
        select(ProposalRevision).where(
            ProposalRevision.proposal_id == link.proposal_id,
            ProposalRevision.revision == link.revision,
        )
    )
    assert proposal is not None and revision is not None  # foreign keys
    return Opened(link, proposal, revision, state_of(link, proposal))


def record_view(database: Database, link_id: int, address: str | None, agent: str | None) -> None:
    """Write down one view, after the page has been sent: a busy database loses the view
    (logged), never the page."""
    try:
        with database.transaction(write=True) as session:
            now = utcnow()
            first = session.scalar(select(ShareLinkView.id).where(ShareLinkView.link_id == link_id)
                                   .limit(1)) is None  # fmt: skip
            session.add(
                ShareLinkView(
                    link_id=link_id, at=now, address=anonymised(address),
                    user_agent=truncated(agent),
                )
            )  # fmt: skip
            link = session.get(ShareLink, link_id)
            proposal = None if link is None else session.get(Proposal, link.proposal_id)
            if link is not None and proposal is not None:
                events.viewed(session, proposal, link.revision, now, first_view=first)
    except Exception:  # a view is worth a log line, not an error on a page already sent
        log.warning("the view of share link %s was not recorded", link_id, exc_info=True)
