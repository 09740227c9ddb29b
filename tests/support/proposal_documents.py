"""Proposal documents made without HTTP or a database: a request configured on the default
catalog, frozen as a revision would be, and shown as the proposal PDF shows it. The demo
proposal is the one `offerwright demo` writes; the large one has 25 lines."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from app.cli import DEMO_CUSTOMER, DEMO_REQUEST
from app.configurator import configure
from app.proposals.content import freeze
from app.proposals.pdf import ProposalDocument
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
    request = {"demo": DEMO_REQUEST, "large": LARGE_REQUEST}[request_key]
    snapshot = load_default_catalog()
    parsed = ConfigurationIn.model_validate(request).as_request()
    solution = configure(snapshot, parsed)
    (bundle, *_) = solution.bundles
    breaches = check_guardrails(
        bundle.quote, snapshot.price_book(parsed.price_book).guardrails, "sales"
    )
    return freeze(snapshot, 1, bundle, breaches, parsed.offering, solution.status), request


def proposal_document(
    which: str = "demo", *, watermark: str | None = None, customer: dict[str, Any] | None = None
) -> ProposalDocument:
    """The demo proposal (``"demo"``) or the 25-line one (``"large"``), issued unless
    ``watermark`` says otherwise."""
    revision, request = frozen(which)
    return ProposalDocument(
        provider=PROVIDER,
        number="P-2026-000004",
        revision=1,
        issued=date(2026, 12, 6),
        valid_until=date(2027, 1, 5),
        customer=Customer.model_validate(customer or DEMO_CUSTOMER),
        public=revision.public,
        components=revision.components,
        offering=revision.offering,
        watermark=watermark,
        archival=watermark is None,
        request=request,
        centres=revision.centres,
        capabilities=revision.capabilities,
    )
