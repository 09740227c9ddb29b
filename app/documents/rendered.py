"""Rendered documents, cached by content hash: the same document is rendered once, and
served from the database after that (by every API process, across restarts).

A render that fails on a limit is remembered there too, so asking again answers the same
problem at once instead of spending the whole render on it again. The content hash covers
the document and how it is drawn (templates, assets, RENDER_VERSION, WeasyPrint), so a
change of those is another document; a remembered failure also stands only while the
renderer's limits are the ones it met. A document over the page cap stays over it; a
render stopped at the time or memory cap may have met a busy machine, so that failure is
retried once ``RETRY_STOPPED_AFTER`` has passed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.documents.pdf import Printable
from app.documents.render_pool import Renderer
from app.kit.database import Database, released
from app.kit.errors import DocumentTooLong, RenderLimit
from app.models import RenderedDocument, utcnow

RETRY_STOPPED_AFTER = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Pdf:
    content: bytes
    filename: str
    key: str  # the content hash: an ETag that never needs invalidating


def stored_pdf(session: Session, key: str, filename: str, limits: str) -> Pdf | None:
    """The PDF stored under ``key``; the problem its render met, if that still stands
    under ``limits``; or None: not rendered yet (or worth rendering again)."""
    row = session.get(RenderedDocument, key)
    if row is None:
        return None
    if row.pdf is not None:
        return Pdf(row.pdf, filename, key)
    _raise_remembered(row, limits)
    return None


def render_cached(
    database: Database, renderer: Renderer, session: Session, document: Printable, filename: str
) -> Pdf:
    """The document's PDF from the cache, or rendered and cached by its content hash; or
    the problem its render met, remembered or met now."""
    key = document.key()
    cached = stored_pdf(session, key, filename, renderer.limits)
    if cached is not None:
        return cached
    try:
        with released(session):  # no connection held while the renderer works
            rendered = renderer.render(document)
    except (DocumentTooLong, RenderLimit) as error:
        failure = {"type": error.type, "detail": error.detail, "limits": renderer.limits}
        _store(database, key, pdf=None, pages=None, failure=failure)
        raise
    _store(database, key, pdf=rendered.pdf, pages=rendered.pages, failure=None)
    return Pdf(rendered.pdf, filename, key)


def _raise_remembered(row: RenderedDocument, limits: str) -> None:
    """Raise the remembered failure, unless it may go otherwise now."""
    failure: dict[str, Any] = row.failure or {}
    if failure.get("limits") != limits:
        return  # other limits: the render may pass (or fail otherwise)
    when = f"{row.created_at:%Y-%m-%d %H:%M} UTC"
    if failure.get("type") == DocumentTooLong.type:
        raise DocumentTooLong(f"{failure['detail']} (found on {when}; the limits are unchanged)")
    if failure.get("type") == RenderLimit.type:
        wait = (row.created_at + RETRY_STOPPED_AFTER - utcnow()).total_seconds()
        if wait > 0:
            raise RenderLimit(
                f"{failure['detail']} (on {when}; it is tried again after "
                f"{RETRY_STOPPED_AFTER.total_seconds() / 60:g} minutes)",
                headers={"Retry-After": str(math.ceil(wait))},
            )


def _store(database: Database, key: str, **fields: Any) -> None:
    """The PDF, or the failure, under ``key``: replacing a remembered failure, never a PDF."""
    try:
        with database.transaction(write=True) as writing:
            row = writing.get(RenderedDocument, key)
            if row is None:
                writing.add(RenderedDocument(key=key, created_at=utcnow(), **fields))
            elif row.pdf is None:
                for name, value in {**fields, "created_at": utcnow()}.items():
                    setattr(row, name, value)
    except IntegrityError:
        pass  # rendered at the same time by another request: the same document
