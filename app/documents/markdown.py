"""Markdown to safe HTML: rendered by markdown-it (CommonMark, raw HTML off), then cleaned
by nh3 (ammonia) to an allow-list, so catalog text can never inject script or styles."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "a", "hr",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}}
_ITEM_OPENING_SPACE = re.compile(r"<li>\s+")


def _clean(html: str) -> Markup:
    cleaned = nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES,
                        url_schemes={"http", "https", "mailto"})  # fmt: skip
    # A loose list's item opens with a line break before its paragraph: dropped, as it would
    # otherwise show as a space after the item's marker (drawn in the flow, proposal.css).
    return Markup(_ITEM_OPENING_SPACE.sub("<li>", cleaned))


def to_html(text: str) -> Markup:
    return _clean(_MARKDOWN.render(text))


def inline_html(text: str) -> Markup:
    """One list item or sentence: Markdown without the wrapping paragraph."""
    html = str(to_html(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


def section_html(text: str, title: str, *, below: int = 2) -> Markup:
    """A document inside a section titled ``title``: its headings moved ``below`` levels
    down (a document's h1 becomes an h3 under the section's h2), and a first heading that
    only repeats the title left out."""
    tokens = _MARKDOWN.parse(text)
    if (
        len(tokens) >= 3
        and tokens[0].type == "heading_open"
        and tokens[1].content.strip().casefold() == title.strip().casefold()
    ):
        tokens = tokens[3:]
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + below)}"
    return _clean(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}))
