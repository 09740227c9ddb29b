"""Documents: component documents as HTML; PDFs from the documents of other domains
(proposals, delivery packs), rendered in worker processes; the cache of rendered PDFs.

Other domains use the names below, and only these; each is imported when first read
(app.kit.faces says why).
"""

from typing import TYPE_CHECKING

from app.kit.faces import lazy_face

if TYPE_CHECKING:
    from app.documents.environment import ENVIRONMENT
    from app.documents.html import render_document
    from app.documents.markdown import inline_html, section_html
    from app.documents.markdown import to_html as markdown_html
    from app.documents.pdf import content_key, duration
    from app.documents.render_pool import InlineRenderer, Renderer
    from app.documents.rendered import Pdf, render_cached, stored_pdf
    from app.documents.responses import (
        pdf_response,
        pdf_responses,
        pending_response,
        pending_responses,
    )
    from app.documents.screen import screen_style
    from app.documents.words import (
        availability,
        availability_places,
        country,
        figure,
        lower_first,
        money,
        phrase,
        quantity,
        region,
        upper_first,
    )
else:
    __getattr__ = lazy_face(__name__)

__all__ = [
    "ENVIRONMENT",
    "InlineRenderer",
    "Pdf",
    "Renderer",
    "availability",
    "availability_places",
    "content_key",
    "country",
    "duration",
    "figure",
    "inline_html",
    "lower_first",
    "markdown_html",
    "money",
    "pdf_response",
    "pdf_responses",
    "pending_response",
    "pending_responses",
    "phrase",
    "quantity",
    "region",
    "render_cached",
    "render_document",
    "screen_style",
    "section_html",
    "stored_pdf",
    "upper_first",
]
