"""The customer's decision through a share link, exactly once per proposal: an acceptance
(with its evidence; the proposal becomes accepted, the work packages of the chosen option
are made, and the contract copy is rendered in the background) or a decline.

Once: the proposal row is locked for the decision (PostgreSQL; SQLite's write transaction
holds the whole database), a decision already made is answered as it was, and a unique
key per proposal catches whatever got past that, so eight concurrent posts make one."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.auth import Principal
from app.documents import Pdf, Renderer, render_cached
from app.jobs import Jobs
from app.kit.database import Database
from app.kit.errors import NotFound
from app.models import (
    Acceptance,
    Decline,
    Proposal,
    ProposalEvent,
    ProposalRevision,
    RenderedDocument,
    ShareLink,
    utcnow,
)
from app.proposals import events, packages
from app.proposals.acceptance.choices import choices_of, describe
from app.proposals.acceptance.contract import ContractDocument
from app.proposals.acceptance.forms import AcceptanceForm
from app.proposals.acceptance.schemas import AcceptanceRecord, ContractState
from app.proposals.choices import Choice
from app.proposals.links import service as links
from app.proposals.links.addresses import truncated
from app.proposals.links.rendering import when
from app.proposals.pdf import document_of
from app.proposals.revision import read_revision
from app.proposals.service import frozen_revision

log = logging.getLogger("offerwright.acceptance")

RENDER_CONTRACT = "render_contract"
AGENT_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a decision came from: the full address and browser, kept as evidence."""

    address: str
    user_agent: str

    @classmethod
    def of(cls, address: str | None, user_agent: str | None) -> Evidence:
        return cls(address or "unknown", truncated(user_agent, AGENT_LENGTH))


Outcome = Literal["accepted", "declined", "already", "closed", "unknown"]


def _actor(name: str) -> str:
    return f"customer: {name}"[:100]


def accept(
    database: Database, jobs: Jobs, token: str, form: AcceptanceForm, evidence: Evidence
) -> Outcome:
    """Record the acceptance of the link's revision, once. ``already``: a decision was
    made before (this one changes nothing); ``closed``: the link no longer takes one."""
    try:
        with database.transaction(write=True) as session:
            opened = links.opened(session, token, lock=True)
            if opened is None:
                return "unknown"
            if _decided(session, opened.proposal.id):
                return "already"
            if opened.state != "open":
                return "closed"
            proposal, revision = opened.proposal, opened.revision
            choice = form.choice
            acceptance = Acceptance(
                proposal_id=proposal.id, revision=revision.revision, link_id=opened.link.id,
                choice=choice.stored(), full_name=form.full_name, job_title=form.job_title,
                email=form.email, signature=form.signature, at=utcnow(),
                address=evidence.address, user_agent=evidence.user_agent,
            )  # fmt: skip
            session.add(acceptance)
            session.flush()  # the unique key per proposal: a lost race stops here
            chosen = describe(choice, choices_of(read_revision(revision.content)))
            _move(session, proposal, "accepted", _actor(form.full_name), f"accepted: {chosen}")
            made = packages.create_for(session, proposal, revision, choice=choice.stored())
            jobs.defer(session, RENDER_CONTRACT, acceptance_id=acceptance.id)
            events.accepted(session, jobs, proposal, revision, choice, chosen, acceptance.at,
                            (form.full_name, form.job_title), made)  # fmt: skip
            session.flush()
    except IntegrityError:
        log.info("a concurrent decision on share link won the race; answered as already made")
        return "already"
    except StaleDataError:  # the proposal moved meanwhile (withdrawn, revised): look again
        return "closed"
    return "accepted"


def decline(database: Database, token: str, reason: str | None, evidence: Evidence) -> Outcome:
    """Record the decline of the link's revision, once: the proposal becomes rejected."""
    try:
        with database.transaction(write=True) as session:
            opened = links.opened(session, token, lock=True)
            if opened is None:
                return "unknown"
            if _decided(session, opened.proposal.id):
                return "already"
            if opened.state != "open":
                return "closed"
            session.add(
                Decline(
                    proposal_id=opened.proposal.id, revision=opened.revision.revision,
                    link_id=opened.link.id, reason=reason, at=utcnow(),
                    address=evidence.address, user_agent=evidence.user_agent,
                )
            )  # fmt: skip
            session.flush()
            comment = "declined by customer" + (f": {reason}" if reason else "")
            _move(session, opened.proposal, "rejected", "customer", comment)
            events.declined(session, opened.proposal, opened.revision.revision, utcnow(), reason)
            session.flush()
    except IntegrityError:
        return "already"
    except StaleDataError:
        return "closed"
    return "declined"


def _decided(session: Session, proposal_id: int) -> bool:
    for table in (Acceptance, Decline):
        if session.scalar(select(table.id).where(table.proposal_id == proposal_id)) is not None:
            return True
    return False


def _move(session: Session, proposal: Proposal, to: str, actor: str, comment: str) -> None:
    session.add(
        ProposalEvent(
            proposal_id=proposal.id, revision=proposal.revision, actor=actor, role="customer",
            from_status=proposal.status, to_status=to, comment=comment,
        )
    )  # fmt: skip
    proposal.status = to


def acceptance_of(session: Session, proposal_id: int) -> Acceptance | None:
    return session.scalar(select(Acceptance).where(Acceptance.proposal_id == proposal_id))


@dataclass(frozen=True, slots=True)
class Shown:
    """An acceptance as the customer's page shows it."""

    full_name: str
    job_title: str
    email: str
    signature: str
    at: str
    choice: str
    contract_ready: bool


def shown(acceptance: Acceptance, revision: ProposalRevision) -> Shown:
    choices = choices_of(read_revision(revision.content))
    return Shown(
        full_name=acceptance.full_name, job_title=acceptance.job_title, email=acceptance.email,
        signature=acceptance.signature, at=when(acceptance.at),
        choice=describe(Choice.read(acceptance.choice), choices),
        contract_ready=acceptance.contract_sha256 is not None,
    )  # fmt: skip


# -- the contract copy ------------------------------------------------------------------


def contract_document(
    session: Session, acceptance: Acceptance, provider: str
) -> tuple[ContractDocument, str]:
    """The contract copy of ``acceptance`` and its file name."""
    proposal = session.get(Proposal, acceptance.proposal_id)
    link = session.get(ShareLink, acceptance.link_id)
    revision = session.scalar(
        select(ProposalRevision).where(
            ProposalRevision.proposal_id == acceptance.proposal_id,
            ProposalRevision.revision == acceptance.revision,
        )
    )
    assert proposal is not None and link is not None and revision is not None
    choice = Choice.read(acceptance.choice)
    document = document_of(proposal, revision, provider, choice=choice)
    choices = choices_of(read_revision(revision.content))
    facts = {
        "provider": provider, "customer": document.customer.name, "number": proposal.number,
        "revision": str(revision.revision), "full_name": acceptance.full_name,
        "job_title": acceptance.job_title, "email": acceptance.email,
        "signature": acceptance.signature, "at": f"{acceptance.at:%d %B %Y, %H:%M:%S} UTC",
        "choice": describe(choice, choices),
        "address": acceptance.address, "user_agent": acceptance.user_agent,
        "link": f"#{link.id}", "link_created": f"{link.created_at:%d %B %Y, %H:%M} UTC",
        "link_by": link.created_by, "content_hash": revision.content_hash,
    }  # fmt: skip
    filename = f"{proposal.number}-r{revision.revision}-contract.pdf"
    return ContractDocument(document, facts), filename


def render_contract(
    database: Database, renderer: Renderer, provider: str, acceptance_id: int
) -> None:
    """The job: render the acceptance's contract copy (PDF/A-3b), store it, and write its
    SHA-256 and storage key on the acceptance. Run again, it changes nothing."""
    with database.transaction(write=False) as session:
        acceptance = session.get(Acceptance, acceptance_id)
        if acceptance is None or acceptance.contract_sha256 is not None:
            return
        document, filename = contract_document(session, acceptance, provider)
        pdf = render_cached(database, renderer, session, document, filename)
    digest = hashlib.sha256(pdf.content).hexdigest()
    with database.transaction(write=True) as session:
        row = session.get(Acceptance, acceptance_id)
        assert row is not None
        if row.contract_sha256 is None:
            row.contract_key, row.contract_sha256 = pdf.key, digest


def stored_contract(session: Session, acceptance: Acceptance) -> Pdf | None:
    """The contract copy as stored, or None while it is being rendered."""
    if acceptance.contract_key is None:
        return None
    row = session.get(RenderedDocument, acceptance.contract_key)
    if row is None or row.pdf is None:
        return None
    proposal = session.get(Proposal, acceptance.proposal_id)
    assert proposal is not None
    filename = f"{proposal.number}-r{acceptance.revision}-contract.pdf"
    return Pdf(row.pdf, filename, acceptance.contract_key)


# -- for sales and approvers ------------------------------------------------------------


def _accepted(session: Session, principal: Principal, proposal_id: int) -> Acceptance:
    proposal, _ = frozen_revision(session, principal, proposal_id)
    acceptance = acceptance_of(session, proposal.id)
    if acceptance is None:
        raise NotFound(f"proposal {proposal.number} has not been accepted by the customer")
    return acceptance


def record(session: Session, principal: Principal, proposal_id: int) -> AcceptanceRecord:
    """The acceptance and its evidence; 404 until the customer has accepted."""
    acceptance = _accepted(session, principal, proposal_id)
    proposal = session.get(Proposal, acceptance.proposal_id)
    revision = session.scalar(
        select(ProposalRevision).where(
            ProposalRevision.proposal_id == acceptance.proposal_id,
            ProposalRevision.revision == acceptance.revision,
        )
    )
    assert proposal is not None and revision is not None
    choice = Choice.read(acceptance.choice)
    ready = acceptance.contract_sha256 is not None
    return AcceptanceRecord(
        proposal_id=proposal.id, number=proposal.number, revision=acceptance.revision,
        link_id=acceptance.link_id, option=choice.option, add_ons=list(choice.add_ons),
        choice=describe(choice, choices_of(read_revision(revision.content))),
        full_name=acceptance.full_name, job_title=acceptance.job_title,
        email=acceptance.email, signature=acceptance.signature, at=acceptance.at,
        address=acceptance.address, user_agent=acceptance.user_agent,
        contract=ContractState(
            state="ready" if ready else "rendering", sha256=acceptance.contract_sha256,
            url=f"/v1/proposals/{proposal.id}/contract.pdf",
        ),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Pending:
    """The contract copy is not rendered yet; ``stalled``: for longer than a render takes,
    so its job is asked for again (the job does nothing once the copy is there)."""

    acceptance_id: int
    stalled: bool


STALLED_AFTER = timedelta(minutes=2)


def contract_for(session: Session, principal: Principal, proposal_id: int) -> Pdf | Pending:
    """The contract copy for sales and approvers, or why it is not there yet."""
    acceptance = _accepted(session, principal, proposal_id)
    stored = stored_contract(session, acceptance)
    if stored is not None:
        return stored
    return Pending(acceptance.id, stalled=utcnow() - acceptance.at > STALLED_AFTER)


def ask_again(session: Session, jobs: Jobs, acceptance_id: int) -> None:
    """Defer the contract job once more (a job lost with a crashed worker, a failed
    render): it renders only what is missing."""
    log.warning("the contract of acceptance %s is late; its job is deferred again", acceptance_id)
    jobs.defer(session, RENDER_CONTRACT, acceptance_id=acceptance_id)
