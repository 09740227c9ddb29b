"""The one Jinja2 environment of every document: autoescaping on, Markdown only through the
sanitising filters."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from app.documents.markdown import inline_html, section_html, to_html

ENVIRONMENT = Environment(
    loader=PackageLoader("app.documents", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
ENVIRONMENT.filters["markdown"] = to_html
ENVIRONMENT.filters["inline_markdown"] = inline_html
ENVIRONMENT.filters["schedule_markdown"] = section_html
