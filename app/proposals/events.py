"""What systems that follow proposals (PSAs, CRMs) are told, as webhook events: each is
queued in the transaction of the change it reports (``app.webhooks.emit``), so an event is
sent if and only if its change committed. Every event names its proposal the same way;
prices may appear, cost and margin never do."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app import webhooks
from app.jobs import Jobs, JobsOf
from app.models import Proposal, ProposalRevision, WorkPackage
from app.proposals.choices import Choice, choice_totals
from app.proposals.revision import Customer, read_revision
from pricing import cents_text, to_cents


def _at(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _money(amount: Any) -> str:
    return cents_text(to_cents(amount))


def proposal_ref(proposal: Proposal, revision: int) -> dict[str, Any]:
    customer = Customer.model_validate(proposal.customer)
    return {
        "id": proposal.id,
        "number": proposal.number,
        "revision": revision,
        "customer": {"name": customer.name, "country": customer.country},
        "links": {
            "self": f"/v1/proposals/{proposal.id}",
            "pdf": f"/v1/proposals/{proposal.id}/pdf?revision={revision}",
        },
    }


def _totals(revision: ProposalRevision, choice: Choice) -> dict[str, str]:
    totals = choice_totals(read_revision(revision.content), choice)
    return {"currency": totals.currency, "monthly": _money(totals.monthly),
            "one_time": _money(totals.one_time),
            "contract_value": _money(totals.contract_value)}  # fmt: skip


def _emit(session: Session, jobs: Jobs | None, event: str, data: dict[str, Any]) -> None:
    webhooks.emit(session, jobs or JobsOf(), event, data)


def issued(
    session: Session, proposal: Proposal, revision: ProposalRevision, at: datetime,
    expires_at: datetime,
) -> None:  # fmt: skip
    """The revision went to the customer: its link is live."""
    _emit(session, None, "proposal.issued", {
        "proposal": {**proposal_ref(proposal, revision.revision), "status": proposal.status,
                     "valid_until": proposal.valid_until.isoformat(),
                     "totals": _totals(revision, Choice())},
        "issued_at": _at(at), "link_expires_at": _at(expires_at),
    })  # fmt: skip


def viewed(
    session: Session, proposal: Proposal, revision: int, at: datetime, *, first_view: bool
) -> None:
    _emit(session, None, "proposal.viewed", {
        "proposal": {**proposal_ref(proposal, revision), "status": proposal.status},
        "viewed_at": _at(at), "first_view": first_view,
    })  # fmt: skip


def accepted(
    session: Session, jobs: Jobs | None, proposal: Proposal, revision: ProposalRevision,
    choice: Choice, chosen: str, at: datetime, by: tuple[str, str] | None,
    packages: Sequence[WorkPackage],
) -> None:  # fmt: skip
    """Accepted (by the customer through the link, or recorded by sales), and the work
    packages it made, one event each."""
    _emit(session, jobs, "proposal.accepted", {
        "proposal": {**proposal_ref(proposal, revision.revision), "status": "accepted",
                     "totals": _totals(revision, choice)},
        "accepted_at": _at(at),
        "accepted_by": None if by is None else {"name": by[0], "title": by[1]},
        "option": chosen,
    })  # fmt: skip
    reference = proposal_ref(proposal, revision.revision)
    short = {key: reference[key] for key in ("id", "number", "revision", "links")}
    for package in packages:
        content = package.content
        _emit(session, jobs, "work_package.created", {
            "work_package": {
                "id": package.id, "centre": package.centre, "line": package.line,
                "component": content["component"], "version": content["version"],
                "quantity": content["quantity"], "service_level": content["service_level"],
                "links": {"self": f"/v1/work-packages/{package.id}",
                          "pdf": f"/v1/work-packages/{package.id}/pdf"},
            },
            "proposal": short,
        })  # fmt: skip


def declined(
    session: Session, proposal: Proposal, revision: int, at: datetime, reason: str | None
) -> None:
    _emit(session, None, "proposal.declined", {
        "proposal": {**proposal_ref(proposal, revision), "status": "rejected"},
        "declined_at": _at(at), "reason": reason,
    })  # fmt: skip
