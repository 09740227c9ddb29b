"""The document of a proposal that offers choices: the offer compares the options side by
side, lists the add-ons apart from the totals and the non-standard lines inside them; the
copy of a choice describes the chosen bundle with the add-ons ticked priced beside it. A
revision that offers one bundle and nothing else keeps the document (and key) it had."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from app.configurator import ConfigurationRequest
from app.configurator.request import Need
from app.configurator.solve import configure
from app.proposals.add_ons import WantedAddOn, price_add_ons
from app.proposals.choices import Choice, choice_totals
from app.proposals.content import HandPriced, Offered, freeze
from app.proposals.pdf import ProposalDocument, choice_parts, render_html
from app.proposals.revision import Customer, FrozenRevision
from catalog import CatalogSnapshot

TRAINING = HandPriced("On-site operations training, 2 days", 2, Decimal("1800.00"), "one_time")


@pytest.fixture(scope="module")
def frozen(default_snapshot: CatalogSnapshot) -> FrozenRevision:
    request = ConfigurationRequest(
        "EUR", 36, (Need("compute.linux", 20), Need("storage.block", 30)), residency=("EU",)
    )
    good = configure(default_snapshot, request).bundles[0]
    assert good.availability is not None
    better = configure(
        default_snapshot, replace(request, min_availability=good.availability + Decimal("0.001"))
    ).bundles[0]
    return freeze(
        default_snapshot, 1, good, (), None, "optimal", option_name="Good",
        alternatives=[Offered("Better", better, ())],
        add_ons=price_add_ons(default_snapshot, request, [WantedAddOn("SEC-EDR", 50)]),
        custom_lines=[TRAINING],
    )  # fmt: skip


def _document(frozen: FrozenRevision, choice: Choice | None = None) -> ProposalDocument:
    return ProposalDocument(
        provider="Offerwright Managed Services", number="P-2026-000009", revision=1,
        issued=date(2026, 12, 6), valid_until=date(2027, 1, 5),
        customer=Customer(name="Acme Logistics GmbH", country="DE"), offering=None,
        watermark=None, archival=True, centres=frozen.centres, capabilities=frozen.capabilities,
        **choice_parts(frozen, choice),
    )  # fmt: skip


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}\u00a0EUR"


def test_the_offer_compares_the_options_and_keeps_add_ons_out_of_the_totals(
    frozen: FrozenRevision,
) -> None:
    html = render_html(_document(frozen))
    assert "Your options" in html and "Your choice" not in html
    assert ">Good<" in html and ">Better<" in html
    assert "Optional additions" in html and "Managed endpoint detection and response" in html
    assert "Services priced individually" in html and TRAINING.description in html
    first = choice_totals(frozen, Choice(1))  # the non-standard line in, the add-on out
    assert _money(first.monthly) in html and _money(first.one_time) in html
    # The other option's services have their schedules too.
    other = {line.component for line in frozen.alternatives[0].public.lines} - {
        line.component for line in frozen.public.lines
    }
    assert all(f'id="component-{code}"' in html for code in other)


def test_the_copy_of_a_choice_prices_what_was_chosen(frozen: FrozenRevision) -> None:
    choice = Choice(option=2, add_ons=(1,))
    document = _document(frozen, choice)
    html = render_html(document)
    assert "Your choice" in html and "Your options" not in html
    assert "chose the Better option with Managed endpoint detection and response" in html
    assert document.public == frozen.alternatives[0].public
    assert [line.component for line in document.add_ons] == ["SEC-EDR"]
    totals = choice_totals(frozen, choice)
    assert _money(totals.monthly) in html and _money(totals.contract_value) in html
    assert "add-on" in html and "non-standard, priced individually" in html
    assert document.key() != _document(frozen).key()


def test_a_revision_without_choices_keeps_its_document(frozen: FrozenRevision) -> None:
    plain = frozen.model_copy(update={"alternatives": (), "add_ons": (), "custom_lines": None,
                                      "option_name": None})  # fmt: skip
    document = _document(plain)
    assert "choices" not in document.data() and document.choices is None
    assert "Your options" not in render_html(document)
