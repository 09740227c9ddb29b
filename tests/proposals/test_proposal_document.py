"""What the proposal document says, read as a customer reads it: an executive summary
that names the centres and countries, the service levels and availability reached against
the target asked for, the term and the totals, and what happens next; the customer's
requirements restated; the term discount shown beside the list price; units pluralised;
one availability format; names, never codes, for where the services come from.

A revision frozen before centre and capability names were frozen reads, hashes and renders
without them."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.documents.pdf import render_pdf
from app.proposals.pdf import list_monthly
from app.proposals.revision import read_revision
from tests.support.proposal_documents import frozen, proposal_document

FIXTURES = Path(__file__).parent.parent / "fixtures" / "revisions"


@pytest.fixture(scope="module")
def demo_text() -> str:
    pdf = render_pdf(proposal_document("demo"), max_pages=100).pdf
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pages)


def _chapter(text: str, number: int, title: str, following: str) -> str:
    """The text of one chapter: from its heading to the next chapter's."""
    start = text.index(f"{number} {title}", text.index("Terms and validity"))  # past contents
    return text[start : text.index(following, start)]


def _ours(text: str) -> str:
    """What the document writes itself: everything before the schedules, whose
    specifications are the catalog's own text."""
    return text[: text.index("6 Service schedules", text.index("Terms and validity"))]


def test_a_new_revision_freezes_the_names_its_documents_show() -> None:
    revision, _ = frozen("demo")
    assert revision.centres is not None and revision.capabilities is not None
    assert {line.delivery_centre for line in revision.public.lines} == set(revision.centres)
    brno = revision.centres["CZ-BRN"]
    assert (brno.name, brno.country) == ("Brno Infrastructure Operations Centre", "CZ")
    linux = revision.capabilities["compute.linux"]
    assert (linux.name, linux.unit) == ("Managed Linux server", "server")
    stored = revision.stored()
    assert stored["centres"]["CZ-BRN"] == {"name": brno.name, "country": "CZ"}
    again = read_revision(json.loads(json.dumps(stored)))
    assert again == revision and again.content_hash() == revision.content_hash()


def test_a_revision_frozen_without_names_leaves_them_out_and_still_renders() -> None:
    stored = json.loads((FIXTURES / "accepted.r1.stored.json").read_text())
    revision = read_revision(stored)
    assert revision.centres is None and revision.capabilities is None
    assert "centres" not in revision.stored() and "capabilities" not in revision.stored()
    document = proposal_document("demo")
    older = type(document)(**{**{name: getattr(document, name)
                                 for name in document.__dataclass_fields__},
                              "centres": None, "capabilities": None, "request": None})  # fmt: skip
    html = older.html()
    assert "Your requirements" not in html  # no request: nothing to restate
    assert "CZ-BRN" in html  # the centre by its code, the only name it has
    assert "covers need" not in html and "rule R-" not in html
    assert set(older.data()) == set(document.data()) - {"request", "centres", "capabilities"}


def test_the_executive_summary_says_what_for_whom_from_where_at_what_level_and_price(
    demo_text: str,
) -> None:
    summary = _chapter(demo_text, 1, "Executive summary", "2 Your requirements")
    for said in (
        "Offerwright Managed Services proposes to run 8 managed services for Acme Logistics "
        "GmbH over 36 months",
        "infrastructure (4 services), platform (2 services) and service management (2 services)",
        "Brno Infrastructure Operations Centre (Czech Republic)",
        "Frankfurt Data Centre and Engineering Hub (Germany)",
        "Wroclaw Service Desk and Security Centre (Poland)",
        "all within the European Union as you require",
        "99.50 % composite availability",
        "meeting your target of 99.50 %",
        "36 months from the service commencement date, with a term discount of 6 % on list "
        "prices",
        "21,129.87 EUR", "28,300.00 EUR", "788,975.32 EUR",
        "What happens next",
        "Accept it by 05 January 2027",
    ):  # fmt: skip
        assert said in summary.replace("\xa0", " "), said
    assert "CZ-BRN" not in summary and "DE-FRA" not in summary


def test_the_customers_requirements_are_restated_with_what_meets_them(demo_text: str) -> None:
    chapter = _chapter(demo_text, 2, "Your requirements", "3 Solution overview")
    for said in (
        "Managed Linux server 20 servers Covered by Managed Linux virtual server on KVM",
        "Block storage 30 TB Covered by Standard block storage",
        "Service desk 250 users Covered by Business-hours service desk",
        "Only from the European Union From Czech Republic, Germany and Poland",
        "Availability At least 99.50 % 99.50 % composite availability",
        "Contract term 36 months 36 months",
    ):
        assert said in chapter.replace("\xa0", " "), said
    large = proposal_document("large").html()
    assert "At most 400,000.00\xa0EUR" in large  # a budget, when one was given


def test_one_availability_format_everywhere(demo_text: str) -> None:
    ours = _ours(demo_text)
    shown = re.findall(r"(\d{2,3}\.\d+)\s?%", ours)
    assert shown and {len(value.split(".")[1]) for value in shown} == {2}, shown
    assert "99.500" not in demo_text and "99.90 %" in demo_text.replace("\xa0", " ")


def test_units_are_pluralised(demo_text: str) -> None:
    ours = _ours(demo_text)
    for said in ("3 nodes", "20 servers", "250 users", "30 TB", "1 rack", "20 VMs"):
        assert said in ours, said
    assert not re.search(r"\b(?!1 )\d+ (node|server|user|rack|vm)\b", ours)


def test_the_term_discount_is_shown_beside_the_list_price(demo_text: str) -> None:
    revision, _ = frozen("demo")
    pricing = _chapter(demo_text, 5, "Pricing", "6 Service schedules")
    node = next(line for line in revision.public.lines if line.component == "CMP-KVM-NODE")
    listed = list_monthly(node)
    # 3 nodes at 1,890.00 x 1.12 (silver) = 2,116.80 each, 6,350.40 a month; less 6 %.
    assert listed == Decimal("6350.40")
    row = "3 nodes \N{MULTIPLICATION SIGN} 1,989.79 6,350.40 6 % term 5,969.37 EUR"
    assert row in pricing.replace("\xa0", " ")
    total = sum((list_monthly(line) or Decimal(0)) for line in revision.public.lines)
    saving = total - revision.public.totals.monthly
    assert f"At list prices, per month {total:,.2f} EUR" in pricing
    assert f"Discounts, per month \N{MINUS SIGN} {saving:,.2f} EUR" in pricing
    assert "Total per month and one-time 21,129.87 EUR 28,300.00 EUR" in pricing
