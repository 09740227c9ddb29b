"""Proposal documents made without HTTP or a database: a request configured on the default
catalog, frozen as a revision would be, and shown as the proposal PDF shows it. The demo
proposal is the one `offerwright demo` writes; the large one has 25 lines."""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from app.cli import DEMO_CUSTOMER, DEMO_REQUEST
from app.configurator import configure
from app.proposals.add_ons import WantedAddOn, price_add_ons
from app.proposals.choices import Choice
from app.proposals.content import HandPriced, Offered, freeze
from app.proposals.pdf import ProposalDocument, choice_parts
from app.proposals.revision import Customer, FrozenRevision
from app.quoting import ConfigurationIn
from catalog.loader import load_default_catalog
from pricing import check_guardrails

PROVIDER = "Offerwright Managed Services"
# 25 lines from the default catalog: servers of both kinds on VMware, storage, backup,
# networks, security, a service desk, end-user services and transition.
LARGE_REQUEST: dict[str, Any] = {
    "price_book": "EUR",
    "term_months": 48,
    "needs": [
        {"capability": "compute.linux", "quantity": 40},
        {"capability": "compute.windows", "quantity": 25},
        {"capability": "storage.block", "quantity": 60},
        {"capability": "storage.file", "quantity": 20},
        {"capability": "backup.protected-data", "quantity": 50},
        {"capability": "network.wan", "quantity": 6},
        {"capability": "network.lan", "quantity": 6},
        {"capability": "network.firewall", "quantity": 2},
        {"capability": "security.monitoring", "quantity": 120},
        {"capability": "service-desk", "quantity": 800},
        {"capability": "euc.device", "quantity": 700},
        {"capability": "collab.workplace", "quantity": 800},
        {"capability": "transition.onboarding", "quantity": 1},
        {"capability": "db.postgresql", "quantity": 4},
    ],
    "residency": ["EU"],
    "min_availability": "99.5",
    "budget_monthly": "400000",
}


@functools.cache
def frozen(request_key: str) -> tuple[FrozenRevision, dict[str, Any]]:
    """The demo proposal, the 25-line one, or the demo with choices: a second, more
    available option, an add-on and a non-standard line."""
    request = {"demo": DEMO_REQUEST, "large": LARGE_REQUEST, "choices": DEMO_REQUEST}[request_key]
    snapshot = load_default_catalog()
    parsed = ConfigurationIn.model_validate(request).as_request()
    solution = configure(snapshot, parsed)
    (bundle, *_) = solution.bundles
    guardrails = snapshot.price_book(parsed.price_book).guardrails
    breaches = check_guardrails(bundle.quote, guardrails, "sales")
    if request_key != "choices":
        return freeze(snapshot, 1, bundle, breaches, parsed.offering, solution.status), request
    assert bundle.availability is not None
    step = replace(parsed, min_availability=bundle.availability + Decimal("0.001"))
    better = configure(snapshot, step).bundles[0]
    return freeze(
        snapshot, 1, bundle, breaches, parsed.offering, solution.status, option_name="Good",
        alternatives=[Offered("Better", better, check_guardrails(better.quote, guardrails,
                                                                 "sales"))],
        add_ons=price_add_ons(snapshot, parsed, [WantedAddOn("SEC-EDR", 50)]),
        custom_lines=[HandPriced("On-site operations training, 2 days", 2, Decimal("1800.00"),
                                 "one_time")],
    ), request  # fmt: skip


def proposal_document(
    which: str = "demo",
    *,
    watermark: str | None = None,
    customer: dict[str, Any] | None = None,
    choice: Choice | None = None,
) -> ProposalDocument:
    """The demo proposal (``"demo"``), the 25-line one (``"large"``) or the demo with
    choices (``"choices"``; the copy of ``choice`` when given), issued unless ``watermark``
    says otherwise."""
    revision, request = frozen(which)
    return ProposalDocument(
        provider=PROVIDER,
        number="P-2026-000004",
        revision=1,
        issued=date(2026, 12, 6),
        valid_until=date(2027, 1, 5),
        customer=Customer.model_validate(customer or DEMO_CUSTOMER),
        offering=revision.offering,
        watermark=watermark,
        archival=watermark is None,
        request=request,
        centres=revision.centres,
        capabilities=revision.capabilities,
        **choice_parts(revision, choice),
    )
