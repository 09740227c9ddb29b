"""The proposal PDF's layout, checked by machine on the demo proposal, on one of 25
lines, and on the demo with choices (the offer, and the copy of a choice), rendered by
app.documents as the render pool does: no text outside its page, its margins or its
table's columns; no page under a third full but a chapter's last; no invisible text, so
that a reader's copy of page 1 begins with what they see first."""

from __future__ import annotations

import pytest

from app.documents.pdf import render_pdf
from app.proposals.choices import Choice
from tests.support import pdf_layout
from tests.support.proposal_documents import PROVIDER, proposal_document

WHICH = ["demo", "large", "choices", "chosen"]


@pytest.fixture(scope="module", params=WHICH)
def pdf(request: pytest.FixtureRequest) -> bytes:
    if request.param == "chosen":  # the contract copy of the second option, add-on ticked
        document = proposal_document("choices", choice=Choice(option=2, add_ons=(1,)))
    else:
        document = proposal_document(request.param)
    return render_pdf(document, max_pages=500).pdf


RUNNING = {*PROVIDER.split(), "Proposal", "P-2026-000004", "·", "revision", "Confidential",
           "prepared", "for", "Acme", "Logistics", "GmbH", "Page", "of"}  # fmt: skip


def test_no_text_outside_its_page(pdf: bytes) -> None:
    assert not pdf_layout.outside_page(pdf)


def test_no_text_outside_the_margins_but_the_running_header_and_footer(pdf: bytes) -> None:
    assert not pdf_layout.outside_content(pdf, RUNNING)


def test_every_table_keeps_its_text_inside_its_columns(pdf: bytes) -> None:
    assert pdf_layout.tables_found(pdf) >= 4  # the checks below looked at tables
    assert not pdf_layout.table_overflows(pdf)


def test_no_page_under_a_third_full_but_a_chapters_last(pdf: bytes) -> None:
    assert len(pdf_layout.chapter_starts(pdf)) >= 6
    assert not pdf_layout.nearly_empty(pdf)


def test_no_heading_is_left_at_the_foot_of_a_page(pdf: bytes) -> None:
    assert not pdf_layout.stranded_headings(pdf)


def test_no_invisible_text_and_page_one_reads_as_it_is_seen(pdf: bytes) -> None:
    assert not pdf_layout.too_small(pdf)
    positioned, drawn = pdf_layout.first_text(pdf)
    for text in (positioned, drawn):
        assert text.startswith(PROVIDER.upper()), text[:80]


def test_the_checks_find_what_they_look_for() -> None:
    """Each check finds its fault in a document made to have it."""
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Faulty:
        html_text: str
        archival: bool = False

        def key(self) -> str:
            return "0" * 64

        def html(self) -> str:
            return self.html_text

    wide = (
        '<table class="data" style="width: 60mm"><thead><tr><th>A</th><th>B</th></tr>'
        "</thead><tbody><tr><td>x</td><td style='white-space: nowrap'>"
        "far-too-long-to-fit-in-its-column-and-table</td></tr></tbody></table>"
    )
    pdf = render_pdf(
        Faulty(
            f"<p>cover</p><p style='break-before: page'>{wide}</p>"
            "<p style='break-before: page'>short</p><p style='break-before: page'>"
            "last</p><p style='font-size: 1pt'>tiny</p>"
            "<p style='margin-left: -30mm'>outside the margin</p>"
        ),
        max_pages=10,
    ).pdf
    assert pdf_layout.table_overflows(pdf)
    assert pdf_layout.nearly_empty(pdf)
    assert pdf_layout.too_small(pdf)
    assert pdf_layout.outside_content(pdf, set())
    # A heading free to break after it (proposal.css keeps it with what follows), at the
    # foot of a page whose room is taken, before a paragraph that cannot start there.
    stranded = render_pdf(
        Faulty(
            "<p>cover</p><p style='break-before: page; margin-bottom: 228mm'>text</p>"
            "<h2 style='break-after: auto'>Heading</h2><p>" + "its text " * 200 + "</p>"
        ),
        max_pages=10,
    ).pdf
    assert pdf_layout.stranded_headings(stranded)


def test_a_drafts_watermark_stays_on_its_pages() -> None:
    pdf = render_pdf(proposal_document("demo", watermark="DRAFT"), max_pages=500).pdf
    assert not pdf_layout.outside_page(pdf)
    assert not pdf_layout.too_small(pdf)
