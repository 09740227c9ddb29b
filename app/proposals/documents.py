"""The proposal PDF: built from the frozen revision only (``app.proposals.revision``),
cached by content hash, rendered in the render pool. Issued proposals (approved and later)
render as PDF/A-3b for archiving; drafts, and any copy asked for with ``draft``, carry a
watermark."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import Principal
from app.documents import Pdf, Renderer, render_cached
from app.kit.database import Database
from app.models import ProposalEvent
from app.proposals.pdf import ProposalDocument
from app.proposals.revision import Customer, read_revision
from app.proposals.service import frozen_revision
from app.proposals.states import Status, effective_status


def _watermark(status: Status, *, issued: bool, superseded: bool, draft: bool) -> str | None:
    """What a copy is marked as, if it is not the offer as issued."""
    if status == "withdrawn":
        return "WITHDRAWN"
    if superseded:
        return "SUPERSEDED"
    if draft or not issued:
        return "DRAFT"
    return None


def proposal_pdf(
    database: Database,
    renderer: Renderer,
    provider: str,
    session: Session,
    principal: Principal,
    proposal_id: int,
    *,
    revision: int | None = None,
    draft: bool = False,
) -> Pdf:
    proposal, shown = frozen_revision(session, principal, proposal_id, revision)
    today = datetime.now(UTC).date()
    status = effective_status(proposal.status, proposal.valid_until, today)  # type: ignore[arg-type]
    # Issued means approved (directly on submission, or by an approver) as this revision;
    # a proposal that expired or was withdrawn before that never was.
    issued = (
        session.scalar(
            select(ProposalEvent.id)
            .where(
                ProposalEvent.proposal_id == proposal.id,
                ProposalEvent.revision == shown.revision,
                ProposalEvent.to_status == "approved",
            )
            .limit(1)
        )
        is not None
    )
    watermark = _watermark(
        status, issued=issued, superseded=shown.revision != proposal.revision, draft=draft
    )
    frozen = read_revision(shown.content)
    document = ProposalDocument(
        provider=provider,
        number=proposal.number,
        revision=shown.revision,
        issued=shown.created_at.date(),
        valid_until=shown.valid_until,
        customer=Customer.model_validate(proposal.customer),
        public=frozen.public,
        components=frozen.components,
        offering=frozen.offering,
        watermark=watermark,
        archival=watermark is None,
        request=shown.request,
        centres=frozen.centres,
        capabilities=frozen.capabilities,
    )
    filename = f"{proposal.number}-r{shown.revision}{'-draft' if watermark else ''}.pdf"
    return render_cached(database, renderer, session, document, filename)
