"""Documents: component documents as HTML, proposals and delivery packs as PDF (rendered in
worker processes), and the cache of rendered PDFs.

Other domains use the names below, and only these; each is imported when first read
(app.kit.faces says why).
"""

from typing import TYPE_CHECKING

from app.kit.faces import lazy_face

if TYPE_CHECKING:
    from app.documents.delivery_pack import DeliveryPackDocument
    from app.documents.html import render_document
    from app.documents.proposal_pdf import ProposalDocument
    from app.documents.render_pool import InlineRenderer, Renderer
    from app.documents.rendered import Pdf, render_cached
    from app.documents.responses import pdf_response, pdf_responses
else:
    __getattr__ = lazy_face(__name__)

__all__ = [
    "DeliveryPackDocument",
    "InlineRenderer",
    "Pdf",
    "ProposalDocument",
    "Renderer",
    "pdf_response",
    "pdf_responses",
    "render_cached",
    "render_document",
]
