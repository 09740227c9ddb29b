"""The rendered-document store remembers a render that failed on a limit: asking again
answers the same problem without rendering again, until the limits change, or, for a
render stopped at its time or memory cap, until a while has passed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from app.documents.pdf import RenderedPdf
from app.documents.render_pool import InlineRenderer
from app.documents.rendered import RETRY_STOPPED_AFTER, render_cached
from app.kit.errors import DocumentTooLong, OfferwrightError, RenderLimit
from app.models import RenderedDocument


@dataclass(frozen=True)
class TwoPages:
    """A document of two pages, quick to render."""

    name: str = "two-pages"
    archival: bool = False

    def key(self) -> str:
        return self.name.ljust(64, "0")

    def html(self) -> str:
        return '<p style="break-after: page">one</p><p>two</p>'


class Counting:
    """A renderer that counts its renders."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.limits, self.renders = inner, inner.limits, 0

    def render(self, document: Any) -> RenderedPdf:
        self.renders += 1
        rendered: RenderedPdf = self.inner.render(document)
        return rendered


class StoppedAtTheTimeLimit:
    limits = "pages 500, 1 s, 2048 MB"

    def __init__(self) -> None:
        self.renders = 0

    def render(self, document: Any) -> RenderedPdf:
        self.renders += 1
        raise RenderLimit("rendering took longer than 1 s and was stopped")


def _render(database: Any, renderer: Any, document: Any = None) -> bytes:
    # The problem is raised once the reading transaction is over, as a request's would end:
    # here every transaction is a savepoint of one connection, and rolling the reading one
    # back would take the failure written after it along.
    with database.transaction(write=False) as session:
        try:
            pdf = render_cached(database, renderer, session, document or TwoPages(), "x.pdf")
        except OfferwrightError as error:
            problem = error
        else:
            return pdf.content
    raise problem


def test_a_document_over_the_page_cap_is_refused_from_memory(database: Any) -> None:
    capped = Counting(InlineRenderer(max_pages=1))
    for _ in range(3):
        with pytest.raises(DocumentTooLong, match="2 pages, more than the 1 allowed"):
            _render(database, capped)
    assert capped.renders == 1
    # Another document is not refused for this one's sake.
    with pytest.raises(DocumentTooLong):
        _render(database, capped, TwoPages("another"))
    assert capped.renders == 2


def test_other_limits_render_it_again_and_the_pdf_replaces_the_failure(database: Any) -> None:
    with pytest.raises(DocumentTooLong):
        _render(database, Counting(InlineRenderer(max_pages=1)))
    roomier = Counting(InlineRenderer(max_pages=5))
    pdf = _render(database, roomier)
    assert pdf.startswith(b"%PDF") and roomier.renders == 1
    # Once rendered, it is served, whatever the limits.
    capped = Counting(InlineRenderer(max_pages=1))
    assert _render(database, capped) == pdf and capped.renders == 0


def test_a_render_stopped_at_its_time_limit_is_remembered_for_a_while(database: Any) -> None:
    stopped = StoppedAtTheTimeLimit()
    with pytest.raises(RenderLimit):
        _render(database, stopped)
    with pytest.raises(RenderLimit) as remembered:
        _render(database, stopped)
    assert stopped.renders == 1
    wait = int(remembered.value.headers["Retry-After"])
    assert 0 < wait <= RETRY_STOPPED_AFTER.total_seconds()
    # Past the while, the machine may be less busy: it is tried again.
    with database.transaction(write=True) as session:
        row = session.get(RenderedDocument, TwoPages().key())
        assert row is not None
        row.created_at -= RETRY_STOPPED_AFTER
    with pytest.raises(RenderLimit):
        _render(database, stopped)
    assert stopped.renders == 2


def test_a_failure_is_stored_without_a_pdf(database: Any) -> None:
    with pytest.raises(DocumentTooLong):
        _render(database, InlineRenderer(max_pages=1))
    with database.transaction(write=False) as session:
        row = session.get(RenderedDocument, TwoPages().key())
        assert row is not None and row.pdf is None and row.pages is None
        assert row.failure == {
            "type": "document-too-large",
            "detail": "the document has 2 pages, more than the 1 allowed",
            "limits": "pages 1",
        }
