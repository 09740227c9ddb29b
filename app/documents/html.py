"""A component's document as a standalone HTML page."""

from __future__ import annotations

from typing import Any

from app.documents.environment import ENVIRONMENT

TITLES = {
    "specification": "Service specification",
    "statement_of_work": "Statement of work",
    "delivery_description": "Service-delivery description",
}


def render_document(payload: dict[str, Any]) -> str:
    """``payload`` as returned by the document service: code, version, name, document,
    content."""
    template = ENVIRONMENT.get_template("document.html")
    return template.render(title=TITLES[payload["document"]], **payload)
