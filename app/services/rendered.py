"""Rendered documents, cached by content hash: the same document is rendered once, and
served from the database after that (by every API process, across restarts)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.engine import Database, released
from app.db.models import RenderedDocument
from app.documents.proposal_pdf import Printable
from app.documents.render_pool import Renderer


@dataclass(frozen=True, slots=True)
class Pdf:
    content: bytes
    filename: str
    key: str  # the content hash: an ETag that never needs invalidating


def render_cached(
    database: Database, renderer: Renderer, session: Session, document: Printable, filename: str
) -> Pdf:
    """The document's PDF from the cache, or rendered and cached by its content hash."""
    key = document.key()
    cached = session.get(RenderedDocument, key)
    if cached is not None:
        return Pdf(cached.pdf, filename, key)
    with released(session):
        rendered = renderer.render(document)
    try:
        with database.transaction(write=True) as writing:
            writing.add(RenderedDocument(key=key, pdf=rendered.pdf, pages=rendered.pages))
    except IntegrityError:
        pass  # rendered at the same time by another request: the same document
    return Pdf(rendered.pdf, filename, key)
