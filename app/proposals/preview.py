"""The instant preview of a proposal: the same document as its PDF (the same template,
from the same frozen revision and request), as HTML for a browser, rendered in a few
milliseconds instead of the PDF's second or more. A copy that is not the offer as issued
is marked as the PDF would be (DRAFT, SUPERSEDED, WITHDRAWN); the reader's visibility is
the proposal's."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import Principal
from app.documents import screen_style
from app.models import Proposal, ProposalEvent, ProposalRevision
from app.proposals.pdf import ProposalDocument, document_of, render_html
from app.proposals.service import frozen_revision
from app.proposals.states import effective_status


def _marking(session: Session, proposal: Proposal, shown: ProposalRevision) -> str | None:
    """What the copy is marked as, decided as for the PDF (app.proposals.documents): issued
    means approved as this revision."""
    today = datetime.now(UTC).date()
    status = effective_status(proposal.status, proposal.valid_until, today)  # type: ignore[arg-type]
    if status == "withdrawn":
        return "WITHDRAWN"
    if shown.revision != proposal.revision:
        return "SUPERSEDED"
    approved = session.scalar(
        select(ProposalEvent.id)
        .where(
            ProposalEvent.proposal_id == proposal.id,
            ProposalEvent.revision == shown.revision,
            ProposalEvent.to_status == "approved",
        )
        .limit(1)
    )
    return None if approved is not None else "DRAFT"


def preview_html(
    provider: str,
    session: Session,
    principal: Principal,
    proposal_id: int,
    *,
    revision: int | None = None,
) -> str:
    """The proposal as the caller may see it, as an HTML page for a browser."""
    proposal, shown = frozen_revision(session, principal, proposal_id, revision)
    return page_html(browser_document(provider, session, proposal, shown))


def page_html(document: ProposalDocument) -> str:
    """A proposal document as a page a browser shows: what a customer's page can serve."""
    return render_html(document, inline_style=screen_style())


def browser_document(
    provider: str, session: Session, proposal: Proposal, shown: ProposalRevision
) -> ProposalDocument:
    """The document of one revision, marked as the PDF would be; whoever calls this has
    decided the reader may see it (a signed-in caller, or a customer's link)."""
    return document_of(proposal, shown, provider, watermark=_marking(session, proposal, shown))
