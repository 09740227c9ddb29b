"""A component's document as a standalone HTML page."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from app.documents.markdown import inline_html, to_html

_ENVIRONMENT = Environment(
    loader=PackageLoader("app.documents", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENVIRONMENT.filters["markdown"] = to_html
_ENVIRONMENT.filters["inline_markdown"] = inline_html

TITLES = {
    "specification": "Service specification",
    "statement_of_work": "Statement of work",
    "delivery_description": "Service-delivery description",
}


def render_document(payload: dict[str, Any]) -> str:
    """``payload`` as returned by the document service: code, version, name, document,
    content."""
    template = _ENVIRONMENT.get_template("document.html")
    return template.render(title=TITLES[payload["document"]], **payload)
