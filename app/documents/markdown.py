"""Markdown to safe HTML: rendered by markdown-it (CommonMark, raw HTML off), then cleaned
by nh3 (ammonia) to an allow-list, so catalog text can never inject script or styles."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "a", "hr",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}}


def to_html(text: str) -> Markup:
    rendered = _MARKDOWN.render(text)
    clean = nh3.clean(
        rendered, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"}
    )
    return Markup(clean)


def inline_html(text: str) -> Markup:
    """One list item or sentence: Markdown without the wrapping paragraph."""
    html = str(to_html(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)
