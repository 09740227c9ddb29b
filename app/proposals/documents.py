"""The proposal PDF: built from the frozen revision only (``app.proposals.revision``),
cached by content hash, rendered in the render pool by a background job (``render``), never
in a request. Issued proposals (approved and later) render as PDF/A-3b for archiving;
drafts, and any copy asked for with ``draft``, carry a watermark.

An issued revision's job is deferred when it is issued (``app.proposals.service``); any
other copy's when it is first asked for (``requested``), once however often it is asked."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import jobs
from app.auth import SYSTEM, Principal
from app.documents import Pdf, Renderer, render_cached, stored_pdf
from app.jobs import JobArgument
from app.kit.database import Database, released
from app.kit.errors import DocumentTooLong, RenderLimit
from app.models import Proposal, ProposalEvent
from app.proposals.pdf import ProposalDocument
from app.proposals.pdf import document_of as pdf_document
from app.proposals.service import frozen_revision
from app.proposals.states import Status, effective_status


class WaitFor(Protocol):
    def __call__(self, found: Callable[[], Pdf | None], seconds: float, /) -> Pdf | None: ...


def _watermark(status: Status, *, issued: bool, superseded: bool, draft: bool) -> str | None:
    """What a copy is marked as, if it is not the offer as issued."""
    if status == "withdrawn":
        return "WITHDRAWN"
    if superseded:
        return "SUPERSEDED"
    if draft or not issued:
        return "DRAFT"
    return None


@dataclass(frozen=True, slots=True)
class Named:
    """A proposal copy as it would be printed, and what names it."""

    document: ProposalDocument
    filename: str
    proposal_id: int
    revision: int
    draft: bool

    @property
    def job(self) -> dict[str, JobArgument]:
        """The render job's arguments: the same job as the one deferred on issue."""
        arguments: dict[str, JobArgument] = {"proposal_id": self.proposal_id}
        arguments["revision"] = self.revision
        if self.draft:
            arguments["draft"] = 1
        return arguments


@dataclass(frozen=True, slots=True)
class Pending:
    """Not rendered yet: its job is queued; ask again at ``location``."""

    location: str
    retry_after: int


RENDER_TASK = "render_proposal"
RETRY_AFTER_SECONDS = 2  # a proposal renders in about a second once a worker has it


def document_of(
    session: Session,
    provider: str,
    principal: Principal,
    proposal_id: int,
    *,
    revision: int | None = None,
    draft: bool = False,
) -> Named:
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
    document = pdf_document(proposal, shown, provider, watermark=watermark)
    filename = f"{proposal.number}-r{shown.revision}{'-draft' if watermark else ''}.pdf"
    return Named(document, filename, proposal.id, shown.revision, draft)


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
    """The copy's PDF, rendered here if it is not stored yet: the job's work, and the
    command line's (which has no worker to wait for)."""
    named = document_of(session, provider, principal, proposal_id, revision=revision, draft=draft)
    return render_cached(database, renderer, session, named.document, named.filename)


def render(
    database: Database,
    renderer: Renderer,
    provider: str,
    *,
    proposal_id: int,
    revision: int,
    draft: int = 0,
) -> None:
    """The job: render the copy and store it (or the limit it met, which the PDF route
    then answers); no connection is held while it renders."""
    # A limit's failure is remembered with the document: retrying would meet it again.
    with database.transaction(write=False) as session, suppress(DocumentTooLong, RenderLimit):
        proposal_pdf(
            database, renderer, provider, session, SYSTEM, proposal_id,
            revision=revision, draft=bool(draft),
        )  # fmt: skip


def render_failed(
    database: Database, error: str, /, *, proposal_id: int, revision: int, draft: int = 0
) -> None:
    """A render that failed for good shows in the proposal's history (its status stays)."""
    with database.transaction(write=True) as session:
        proposal = session.get(Proposal, proposal_id)
        if proposal is None:
            return
        copy = "draft copy" if draft else "PDF"
        session.add(
            ProposalEvent(
                proposal_id=proposal.id, revision=proposal.revision, actor="system",
                role="system", from_status=proposal.status, to_status=proposal.status,
                comment=f"the {copy} of revision {revision} could not be rendered: {error}",
            )
        )  # fmt: skip


def requested(
    database: Database,
    engine: jobs.Jobs,
    wait: WaitFor,
    limits: str,
    provider: str,
    session: Session,
    principal: Principal,
    proposal_id: int,
    *,
    revision: int | None = None,
    draft: bool = False,
    wait_seconds: float = 1.0,
) -> Pdf | Pending:
    """The copy's PDF from storage; or, not there yet, its render job queued (once, however
    many ask), a short wait for it, and where to ask again. A render that failed on a limit
    raises that problem, as stored."""
    named = document_of(session, provider, principal, proposal_id, revision=revision, draft=draft)
    key = named.document.key()
    found = stored_pdf(session, key, named.filename, limits)
    if found is not None:
        return found
    with released(session), database.transaction(write=True) as writing:
        engine.defer(writing, RENDER_TASK, **named.job)

    def look() -> Pdf | None:
        with database.transaction(write=False) as reading:
            return stored_pdf(reading, key, named.filename, limits)

    found = wait(look, wait_seconds)
    if found is not None:
        return found
    location = f"/v1/proposals/{named.proposal_id}/pdf?revision={named.revision}"
    return Pending(location + ("&draft=true" if named.draft else ""), RETRY_AFTER_SECONDS)
