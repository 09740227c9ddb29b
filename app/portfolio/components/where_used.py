"""Where a component version is used: the open proposals whose current revision sells it,
the accepted proposals and the work packages made of it, and the offerings and rules of
the active catalog that name its component; with the price changes against the active
version, so retiring or re-pricing shows its impact before it is made.

The proposals domain imports this one, so this module reads the proposals' tables
(``app.models``) and never that domain: a revision freezes, per component code, the exact
version sold (``content.components[code].version``), which both databases read with a JSON
path (SQLAlchemy's JSON index: ``JSON_EXTRACT`` on SQLite, ``#>>`` on PostgreSQL). Only the
current revision of open proposals is read (found through the ``(status, valid_until)``
index), and of accepted ones only their work packages (which name the version too).

Measured (10,000 proposals, 6,000 of them open, revisions of ~70 KB as real ones are):
about 1 s on SQLite and 0.3 s on PostgreSQL (reading accepted revisions too, as at first:
2.5 s and 0.5 s). Nearly all of it is reading the revision documents (their summed length
alone takes as long), so no JSON trick helps: a table of the lines (proposal, revision,
code, version; indexed by code and version) would make it a lookup."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.models import ComponentHead, Proposal, ProposalRevision, WorkPackage
from app.portfolio.catalog.store import component_of
from app.portfolio.components.mentions import mentions
from app.portfolio.components.rows import version_row
from catalog import CatalogSnapshot, Component

# The proposal statuses still open to change (app.proposals.states.OPEN, which this domain
# cannot import: a test keeps the two equal). Past its valid_until an open proposal has
# expired, whatever its stored status says.
OPEN_STATUSES: tuple[str, ...] = ("draft", "pending_approval", "approved", "sent")


@dataclass(frozen=True, slots=True)
class ProposalUse:
    """A proposal whose current revision sells the version."""

    id: int
    number: str
    customer: str
    status: str
    author: str
    revision: int
    valid_until: date


@dataclass(frozen=True, slots=True)
class PackageUse:
    """A work package made of one line of the version."""

    id: int
    line: int
    centre: str
    quantity: int
    service_level: str


@dataclass(frozen=True, slots=True)
class AcceptedUse:
    proposal: ProposalUse
    packages: tuple[PackageUse, ...]


@dataclass(frozen=True, slots=True)
class OfferingMention:
    code: str
    name: str
    role: str  # "default" or "optional"


@dataclass(frozen=True, slots=True)
class RuleMention:
    id: str
    kind: str
    severity: str
    message: str


@dataclass(frozen=True, slots=True)
class PriceChange:
    """A price book whose list price differs between the active version and this one
    (None: the version has no price in that book)."""

    price_book: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class WhereUsed:
    code: str
    version: int
    name: str
    author: str  # four eyes: whoever wrote the version does not assure it
    status: str
    active_version: int | None
    open_proposals: tuple[ProposalUse, ...]
    accepted_proposals: tuple[AcceptedUse, ...]
    offerings: tuple[OfferingMention, ...]
    rules: tuple[RuleMention, ...]
    price_changes: tuple[PriceChange, ...] = field(default=())

    @property
    def counts(self) -> dict[str, int]:
        return {
            "open_proposals": len(self.open_proposals),
            "accepted_proposals": len(self.accepted_proposals),
            "work_packages": sum(len(use.packages) for use in self.accepted_proposals),
            "offerings": len(self.offerings),
            "rules": len(self.rules),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "version": self.version,
            "name": self.name,
            "author": self.author,
            "status": self.status,
            "active_version": self.active_version,
            "counts": self.counts,
            "open_proposals": [_proposal_dict(use) for use in self.open_proposals],
            "accepted_proposals": [
                {
                    **_proposal_dict(use.proposal),
                    "work_packages": [_package_dict(package) for package in use.packages],
                }
                for use in self.accepted_proposals
            ],
            "offerings": [
                {"code": item.code, "name": item.name, "role": item.role} for item in self.offerings
            ],
            "rules": [
                {
                    "id": rule.id,
                    "kind": rule.kind,
                    "severity": rule.severity,
                    "message": rule.message,
                }
                for rule in self.rules
            ],
            "price_changes": [
                {"price_book": change.price_book, "before": change.before, "after": change.after}
                for change in self.price_changes
            ],
        }


def _proposal_dict(use: ProposalUse) -> dict[str, Any]:
    return {"id": use.id, "number": use.number, "customer": use.customer, "status": use.status,
            "author": use.author, "revision": use.revision,
            "valid_until": use.valid_until.isoformat()}  # fmt: skip


def _package_dict(package: PackageUse) -> dict[str, Any]:
    return {"id": package.id, "line": package.line, "centre": package.centre,
            "quantity": package.quantity, "service_level": package.service_level}  # fmt: skip


def _sold_in(code: str, version: int) -> Any:
    """The condition: a revision's frozen components hold ``code`` at ``version``."""
    return ProposalRevision.content[("components", code, "version")].as_integer() == version


def proposals_using(
    session: Session, code: str, version: int, statuses: Collection[str], *, today: date | None
) -> list[ProposalUse]:
    """Proposals in ``statuses`` whose current revision sells ``code`` at ``version``, by
    number; with ``today``, only those still valid on it (an open one past it has expired)."""
    query = (
        select(Proposal, ProposalRevision.revision)
        .join(
            ProposalRevision,
            and_(
                ProposalRevision.proposal_id == Proposal.id,
                ProposalRevision.revision == Proposal.revision,
            ),
        )
        .where(Proposal.status.in_(sorted(statuses)), _sold_in(code, version))
        .order_by(Proposal.number)
    )
    if today is not None:
        query = query.where(Proposal.valid_until >= today)
    return [_use(proposal, revision) for proposal, revision in session.execute(query).all()]


def _use(proposal: Proposal, revision: int) -> ProposalUse:
    return ProposalUse(
        id=proposal.id,
        number=proposal.number,
        customer=str(proposal.customer.get("name", "")),
        status=proposal.status,
        author=proposal.author,
        revision=revision,
        valid_until=proposal.valid_until,
    )


def open_proposals_using(
    session: Session, code: str, version: int, today: date
) -> list[ProposalUse]:
    """The open proposals (not accepted, rejected, expired or withdrawn) selling the
    version: those a retirement would strand."""
    return proposals_using(session, code, version, OPEN_STATUSES, today=today)


def accepted_using(session: Session, code: str, version: int) -> list[AcceptedUse]:
    """Accepted proposals with work packages of ``code`` at ``version``, by number: read
    from the packages (a few kilobytes each), not from the revisions they were made of
    (tens), and only the option the customer chose counts."""
    query = (
        select(Proposal, WorkPackage)
        .join(
            WorkPackage,
            and_(WorkPackage.proposal_id == Proposal.id, WorkPackage.revision == Proposal.revision),
        )
        .where(
            Proposal.status == "accepted",
            WorkPackage.content["component"].as_string() == code,
            WorkPackage.content["version"].as_integer() == version,
        )
        .order_by(Proposal.number, WorkPackage.line)
    )
    found: dict[int, tuple[ProposalUse, list[PackageUse]]] = {}
    for proposal, package in session.execute(query).all():
        if proposal.id not in found:
            found[proposal.id] = (_use(proposal, proposal.revision), [])
        content = package.content
        found[proposal.id][1].append(
            PackageUse(
                id=package.id,
                line=package.line,
                centre=package.centre,
                quantity=int(content["quantity"]),
                service_level=str(content["service_level"]),
            )
        )
    return [AcceptedUse(use, tuple(packages)) for use, packages in found.values()]


def price_changes(active: Component | None, candidate: Component) -> tuple[PriceChange, ...]:
    """Per price book, the list price of ``active`` against ``candidate`` where they differ
    (nothing when there is no active version, or it is the candidate). Pure."""
    if active is None or active.version == candidate.version:
        return ()
    changes = []
    for book in sorted({*active.prices, *candidate.prices}):
        before, after = active.prices.get(book), candidate.prices.get(book)
        if before != after:
            changes.append(
                PriceChange(
                    book,
                    None if before is None else before.model_dump(mode="json", exclude_none=True),
                    None if after is None else after.model_dump(mode="json", exclude_none=True),
                )
            )
    return tuple(changes)


def where_used(
    session: Session, snapshot: CatalogSnapshot, code: str, version: int, today: date
) -> WhereUsed:
    """Where ``code`` version ``version`` is used (NotFound when there is no such version):
    ``snapshot`` is the active catalog, whose offerings and rules are searched."""
    row = version_row(session, code, version)  # 404 first: the code is then a real one
    head = session.get(ComponentHead, code)
    assert head is not None  # a version has its head
    open_uses = open_proposals_using(session, code, version, today)
    accepted = accepted_using(session, code, version)
    named = mentions(snapshot, code, family=row.family)
    offerings = tuple(
        OfferingMention(item.offering.code, item.offering.name, item.role)
        for item in named.offerings
    )
    rules = tuple(
        RuleMention(rule.id, rule.kind, rule.severity, rule.message) for rule in named.rules
    )
    active = None
    if head.active_version is not None and head.active_version != version:
        active = component_of(version_row(session, code, head.active_version))
    return WhereUsed(
        code=code,
        version=version,
        name=row.name,
        author=row.author,
        status=row.status,
        active_version=head.active_version,
        open_proposals=tuple(open_uses),
        accepted_proposals=tuple(accepted),
        offerings=offerings,
        rules=rules,
        price_changes=price_changes(active, component_of(row)),
    )
