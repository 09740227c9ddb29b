"""PDFs from HTML: a document's HTML and the packaged stylesheet, rendered by WeasyPrint
with the deny-by-default asset fetcher, and the content key that names a rendered PDF in the
cache. The documents themselves belong to their domains (``app.proposals.pdf``,
``app.delivery.pack``)."""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from app.documents import bullets, words
from app.documents.fetcher import ASSETS, SCHEME, AssetFetcher

RENDER_VERSION = 2  # bump when the documents' look changes without a template change


class DocumentTooLarge(Exception):
    """The document is longer than the page cap."""


class Printable(Protocol):
    """A document the renderer can turn into a PDF."""

    @property
    def archival(self) -> bool: ...

    def key(self) -> str: ...

    def html(self) -> str: ...


def content_key(data: dict[str, Any], template: str) -> str:
    """The content hash that names a document's PDF in the cache: its data (dates as ISO
    text), its template, the assets and the WeasyPrint version."""
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(f"{_fingerprint(template)}\n{text}".encode()).hexdigest()


@functools.cache  # packaged files: read once per process, not on every request
def _fingerprint(template: str) -> str:
    """What the rendering is made of besides the data: templates, assets, the rewriting of
    the HTML for print, the wording of figures, WeasyPrint. (How a domain turns its data
    into the template's values is its own: a change there bumps RENDER_VERSION.)"""
    digest = hashlib.sha256(f"{RENDER_VERSION} {weasyprint.__version__}".encode())
    templates = Path(__file__).parent / "templates"
    for path in [templates / template, templates / "sections.html", Path(bullets.__file__),
                 Path(words.__file__),
                 *(ASSETS[name] for name in sorted(ASSETS))]:  # fmt: skip
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.suffix in (".html", ".css", ".py") else b"")
    return digest.hexdigest()


def duration(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minutes"


@dataclass(frozen=True, slots=True)
class RenderedPdf:
    pdf: bytes
    pages: int
    refused: tuple[str, ...]  # URLs the document asked for and the fetcher refused


class _CollectorPause:
    """Python's cyclic garbage collector paused while documents render. WeasyPrint keeps
    hundreds of thousands of boxes and styles alive while it lays a document out, and each
    full collection walks them all: about a tenth of a render's time, for almost nothing,
    as reference counting frees nearly all of a document once it is written (the peak
    memory of a render is the same with the collector on or off); the next collection takes
    the rest. Nested and concurrent renders share one pause; the collector resumes, if it
    was on, when the last one ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._renders = 0
        self._resume = False

    def __enter__(self) -> None:
        with self._lock:
            if self._renders == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._renders += 1

    def __exit__(self, *exception: object) -> None:
        with self._lock:
            self._renders -= 1
            if self._renders == 0 and self._resume:
                gc.enable()


_COLLECTOR_PAUSED = _CollectorPause()


def render_pdf(document: Printable, *, max_pages: int) -> RenderedPdf:
    with _COLLECTOR_PAUSED:
        return _render_pdf(document, max_pages=max_pages)


def _render_pdf(document: Printable, *, max_pages: int) -> RenderedPdf:
    fetcher = AssetFetcher()
    html = weasyprint.HTML(
        string=bullets.with_written_bullets(document.html()),
        base_url=f"{SCHEME}:/",
        url_fetcher=fetcher,
    )
    fonts = FontConfiguration()  # without it, @font-face rules are ignored
    stylesheet = weasyprint.CSS(
        url=f"{SCHEME}:proposal.css", url_fetcher=fetcher, font_config=fonts
    )
    rendered = html.render(stylesheets=[stylesheet], font_config=fonts)
    if len(rendered.pages) > max_pages:
        raise DocumentTooLarge(
            f"the document has {len(rendered.pages)} pages, more than the {max_pages} allowed"
        )
    pdf = rendered.write_pdf(pdf_variant="pdf/a-3b" if document.archival else None)
    return RenderedPdf(pdf, len(rendered.pages), tuple(fetcher.refused))
