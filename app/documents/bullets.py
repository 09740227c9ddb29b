"""The bullets of a printed document's lists, written into the text instead of drawn by CSS.

WeasyPrint lays a ``::before`` marker out as a box of its own: an inline box, its text and
its style for every item, about one box in seven of a proposal and an eighth of the time it
takes to render one of 25 lines. Written as the item's first characters, the bullet is part
of the item's first line of text, and the stylesheet hangs it in the list's padding with a
negative first-line indent, where the marker stood (proposal.css: ``li.written``).

Only plain items of an outermost bulleted list are written so: items of text, inline markup
and paragraphs. An item holding another block (a nested list, code, a heading…) keeps its
CSS marker, as text after such a block would inherit the indent; so do numbered and nested
lists, whose markers' widths vary.

The HTML is the templates' own output, in which catalog text is escaped or sanitised, so a
``<`` outside a quoted attribute value always opens one of its tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BULLET = "\u2022 "  # "•" and a space, as wide as the hanging indent (0.504 em)
WRITTEN = '<li class="written">' + BULLET
# A tag, stepping over quoted attribute values (which may hold "<" or ">").
_TAG = re.compile(r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:[^>"']|"[^"]*"|'[^']*')*>""")
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "wbr", "col", "source"})
_PLAIN = frozenset({"p", "strong", "b", "em", "i", "code", "a", "span", "br", "sub", "sup"})


@dataclass
class _Item:
    start: int  # where its "<li>" stands
    plain: bool = True


def with_written_bullets(html: str) -> str:
    open_tags: list[str] = []
    items: list[_Item] = []
    open_items: dict[int, _Item] = {}  # by the depth of its li in open_tags
    for tag in _TAG.finditer(html):
        closing, name = tag.group(1), tag.group(2).lower()
        if closing:
            if name in open_tags:  # close it and whatever was left open inside it
                while open_tags.pop() != name:
                    pass
            for depth in [depth for depth in open_items if depth >= len(open_tags)]:
                del open_items[depth]
            continue
        parent = open_items.get(len(open_tags) - 1)
        if parent is not None and name not in _PLAIN:
            parent.plain = False
        if name in _VOID:
            continue
        if name == "li" and tag.group(0) == "<li>" and _lists(open_tags) == ["ul"]:
            item = _Item(tag.start())
            items.append(item)
            open_items[len(open_tags)] = item
        open_tags.append(name)
    pieces: list[str] = []
    start = 0
    for item in items:
        if item.plain:
            pieces += [html[start : item.start], WRITTEN]
            start = item.start + len("<li>")
    pieces.append(html[start:])
    return "".join(pieces)


def _lists(open_tags: list[str]) -> list[str]:
    return [name for name in open_tags if name in ("ul", "ol")]
