"""What the insights' read model records of a stored revision (``app.insights``): its
first option as the customer pays it (the bundle and the custom lines, add-ons and
alternatives aside), with cost, read from the frozen revision's internal copy."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from app.configurator import ConfigurationRequest
from app.insights import LineFacts, RevisionFacts
from app.proposals.revision import FrozenRevision

ZERO = Decimal(0)


def revision_facts(
    proposal_id: int,
    number: int,
    author_role: str,
    request: ConfigurationRequest,
    frozen: FrozenRevision,
    created_at: datetime,
) -> RevisionFacts:
    bundle = frozen.internal
    customs = frozen.non_standard(show_cost=True)
    lines = [
        LineFacts(
            line=index, standard=True, quantity=line.quantity, monthly=line.monthly,
            one_time=line.one_time, contract_value=line.contract_value,
            cost=line.cost.contract_value if line.cost is not None else ZERO,
            component=line.component, version=line.version, family=line.family,
            centre=line.delivery_centre, service_level=line.service_level,
            availability=frozen.level(line).availability,
        )
        for index, line in enumerate(bundle.lines, start=1)
    ]  # fmt: skip
    lines += [
        LineFacts(
            line=len(bundle.lines) + index, standard=False, quantity=custom.quantity,
            monthly=custom.monthly, one_time=custom.one_time,
            contract_value=custom.contract_value,
            cost=custom.cost.contract_value if custom.cost is not None else ZERO,
        )
        for index, custom in enumerate(customs, start=1)
    ]  # fmt: skip
    cost = bundle.cost.contract_value if bundle.cost is not None else ZERO
    return RevisionFacts(
        proposal_id=proposal_id, revision=number, created_at=created_at,
        author_role=author_role, price_book=bundle.price_book,
        offering=None if frozen.offering is None else frozen.offering.code,
        currency=bundle.currency, term_months=bundle.term_months,
        discount_percent=bundle.discount_percent, approval_required=frozen.approval_required,
        availability_target=request.min_availability, availability_reached=bundle.availability,
        monthly=bundle.totals.monthly + sum((c.monthly for c in customs), ZERO),
        one_time=bundle.totals.one_time + sum((c.one_time for c in customs), ZERO),
        contract_value=bundle.totals.contract_value
        + sum((c.contract_value for c in customs), ZERO),
        cost=cost + sum((c.cost.contract_value for c in customs if c.cost is not None), ZERO),
        lines=tuple(lines),
    )  # fmt: skip
