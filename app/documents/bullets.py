"""The bullets of a printed document's lists, written into the text instead of drawn by CSS.

WeasyPrint lays a ``::before`` marker out as a box of its own: an inline box, its text and
its style for every item, about one box in seven of a proposal and an eighth of the time it
takes to render one of 25 lines. Written as the item's first characters, the bullet is part
of the item's first line of text, and the stylesheet hangs it in the list's padding with a
negative first-line indent, where the marker stood (proposal.css: ``ul > li``).

Only the items of an outermost bulleted list are written so: numbered and nested lists keep
their CSS markers, whose widths vary. The HTML is the templates' own output, where catalog
text is escaped or sanitised, so a ``<`` in it always opens one of its tags.
"""

from __future__ import annotations

import re

BULLET = "\u2022 "  # "•" and a space, as wide as the hanging indent (0.504 em)
_LIST_TAGS = re.compile(r"<(/?)(ul|ol|li)\b[^>]*>")


def with_written_bullets(html: str) -> str:
    open_lists: list[str] = []
    pieces: list[str] = []
    start = 0
    for tag in _LIST_TAGS.finditer(html):
        closing, name = tag.group(1), tag.group(2)
        if name == "li":
            if not closing and open_lists == ["ul"]:
                pieces.append(html[start : tag.end()])
                pieces.append(BULLET)
                start = tag.end()
        elif closing:
            if open_lists and open_lists[-1] == name:
                open_lists.pop()
        else:
            open_lists.append(name)
    pieces.append(html[start:])
    return "".join(pieces)
