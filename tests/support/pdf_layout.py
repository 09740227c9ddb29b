"""The layout of a rendered PDF, checked by machine (pdfplumber for where each character and
rule is drawn, pypdf for the outline). Each check returns what it found wrong, as text a
failing assertion can show, so a test reads ``assert not overflows(pdf)``.

The page geometry is the one proposal.css gives every page but the cover: A4 with margins
of 24 mm (top), 18 mm (sides) and 22 mm (bottom); the running header and footer are the
only text drawn in the top and bottom margins."""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pdfplumber
from pypdf import PdfReader

MM = 72 / 25.4
TOP, SIDE, BOTTOM = 24 * MM, 18 * MM, 22 * MM
SLACK = 0.75  # points: rounding in glyph metrics, never a visible overflow
SMALLEST_TEXT = 6.0  # points: anything smaller is not meant to be read
NAVY = (0.043137, 0.145098, 0.270588)  # the table header's background (#0b2545)
TEAL = (0.058824, 0.486275, 0.54902)  # the chapter heading's rule (#0f7c8c)


@dataclass(frozen=True)
class Page:
    """What the checks read of a page, extracted once."""

    width: float
    height: float
    chars: list[dict[str, Any]]
    rects: list[dict[str, Any]]
    lines: list[dict[str, Any]]
    words: list[dict[str, Any]]
    text: str


@functools.lru_cache(maxsize=4)  # each document is read once, whatever checks it
def _read(pdf: bytes) -> tuple[Page, ...]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return tuple(
            Page(float(page.width), float(page.height), page.chars, page.rects, page.lines,
                 page.extract_words(), page.extract_text() or "")
            for page in document.pages
        )  # fmt: skip


def pages(pdf: bytes) -> Iterator[Page]:
    yield from _read(pdf)


def _words(page: Page) -> list[dict[str, Any]]:
    return page.words


def _is_cover(index: int) -> bool:
    return index == 0


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float


def content_box(page: Page) -> Box:
    return Box(SIDE, TOP, page.width - SIDE, page.height - BOTTOM)


def outside_page(pdf: bytes) -> list[str]:
    """Characters drawn (even partly) outside their page."""
    found = []
    for index, page in enumerate(pages(pdf)):
        for char in page.chars:
            if (char["x0"] < -SLACK or char["x1"] > page.width + SLACK
                    or char["top"] < -SLACK or char["bottom"] > page.height + SLACK):  # fmt: skip
                found.append(
                    f"page {index + 1}: {char['text']!r} at x {char['x0']:.1f}-{char['x1']:.1f}"
                )
    return found


def outside_content(pdf: bytes, running: set[str]) -> list[str]:
    """Words outside the content box of their page (the cover has none), other than the
    running header and footer: those may only stand in the top and bottom margins, between
    the side margins, and say only what ``running`` allows (each word, with the page
    numbers as digits)."""
    found = []
    for index, page in enumerate(pages(pdf)):
        if _is_cover(index):
            continue
        box = content_box(page)
        for word in _words(page):
            where = f"page {index + 1}: {word['text']!r} at x {word['x0']:.1f}-{word['x1']:.1f}, y {word['top']:.1f}-{word['bottom']:.1f}"  # noqa: E501
            if word["x0"] < box.left - SLACK or word["x1"] > box.right + SLACK:
                found.append(where + " (past a side margin)")
            elif word["top"] < box.top - SLACK or word["bottom"] > box.bottom + SLACK:
                in_margin = word["bottom"] <= box.top + SLACK or word["top"] >= box.bottom - SLACK
                if not in_margin or not (word["text"] in running or word["text"].isdigit()):
                    found.append(where + " (in the top or bottom margin)")
    return found


def _colour(item: dict[str, Any]) -> tuple[float, ...]:
    colour = item.get("non_stroking_color") or ()
    return (
        tuple(round(float(value), 6) for value in colour)
        if isinstance(colour, tuple | list)
        else ()
    )


def _close(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return len(a) == len(b) and all(abs(x - y) < 0.002 for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class Table:
    """A table as drawn on one page: its header row's cells (the columns), how far down its
    rules go, and where its footer begins (the first heavy rule: totals)."""

    columns: tuple[tuple[float, float], ...]
    top: float
    bottom: float
    footer: float

    @property
    def left(self) -> float:
        return self.columns[0][0]

    @property
    def right(self) -> float:
        return self.columns[-1][1]


def tables(page: Page) -> list[Table]:
    """The data tables of a page, found by their navy header cells and their rules."""
    headers: dict[tuple[float, float], list[tuple[float, float]]] = {}
    for rect in page.rects:
        if rect.get("fill") and _close(_colour(rect), NAVY) and rect["height"] > 8:
            key = (round(rect["top"], 1), round(rect["bottom"], 1))
            headers.setdefault(key, []).append((rect["x0"], rect["x1"]))
    rules = [
        item for item in [*page.rects, *page.lines]
        if item["height"] <= 1.6 and item["width"] >= 3 and not _close(_colour(item), TEAL)
    ]  # fmt: skip
    found = []
    starts = sorted(headers)
    for number, (top, bottom) in enumerate(starts):
        columns = tuple(sorted(headers[(top, bottom)]))
        limit = starts[number + 1][0] if number + 1 < len(starts) else page.height
        left, right = columns[0][0], columns[-1][1]
        own = [
            rule
            for rule in rules
            if bottom <= rule["top"] < limit and left - 1 <= rule["x0"] and rule["x1"] <= right + 1
        ]
        end = max((rule["bottom"] for rule in own), default=bottom)
        heavy = [rule["top"] for rule in own if rule["height"] > 1.0]
        found.append(Table(columns, top, end, min(heavy, default=end + 1)))
    return found


def table_overflows(pdf: bytes) -> list[str]:
    """Words of a table outside it, or across one of its columns' edges (in its header and
    body rows; a footer's cells may span columns)."""
    found = []
    for index, page in enumerate(pages(pdf)):
        words = _words(page)
        for table in tables(page):
            for word in words:
                if word["bottom"] <= table.top or word["top"] >= table.bottom:
                    continue
                where = f"page {index + 1}: {word['text']!r} at x {word['x0']:.1f}-{word['x1']:.1f}"
                if word["x0"] < table.left - SLACK or word["x1"] > table.right + SLACK:
                    found.append(f"{where}, outside the table ({table.left:.1f}-{table.right:.1f})")
                elif word["top"] < table.footer and not any(
                    x0 - SLACK <= word["x0"] and word["x1"] <= x1 + SLACK
                    for x0, x1 in table.columns
                ):
                    found.append(f"{where}, across a column's edge")
    return found


def tables_found(pdf: bytes) -> int:
    return sum(len(tables(page)) for page in pages(pdf))


def fullness(page: Page) -> float:
    """How far down the content box its content reaches, from 0 to 1."""
    box = content_box(page)
    bottoms = [
        char["bottom"] for char in page.chars if box.top - SLACK <= char["top"] <= box.bottom
    ]
    bottoms += [rect["bottom"] for rect in page.rects if box.top <= rect["top"] <= box.bottom]
    if not bottoms:
        return 0.0
    return float((max(bottoms) - box.top) / (box.bottom - box.top))


def chapter_starts(pdf: bytes) -> set[int]:
    """The pages (from 0) on which an entry of the outline's first level begins."""
    reader = PdfReader(io.BytesIO(pdf))
    numbers = (reader.get_destination_page_number(item) for item in reader.outline
               if not isinstance(item, list))  # fmt: skip
    return {number for number in numbers if number is not None}


def nearly_empty(pdf: bytes, at_least: float = 1 / 3) -> list[str]:
    """Pages less than ``at_least`` full that are not the last page of a chapter (the page
    before one on which a chapter begins, or the document's last) nor the cover."""
    starts = chapter_starts(pdf)
    shown = list(pages(pdf))
    found = []
    for index, page in enumerate(shown):
        last_of_chapter = index + 1 == len(shown) or index + 1 in starts
        if _is_cover(index) or last_of_chapter:
            continue
        if (share := fullness(page)) < at_least:
            found.append(f"page {index + 1} is {share:.0%} full")
    return found


HEADING = 10.4  # points: headings are drawn at 10.5 pt and more, text at 9.6 pt and less


def stranded_headings(pdf: bytes) -> list[str]:
    """Pages whose last line is a heading: a heading kept apart from what it opens."""
    found = []
    for index, page in enumerate(pages(pdf)):
        if _is_cover(index):
            continue
        box = content_box(page)
        chars = [
            char
            for char in page.chars
            if box.top - SLACK <= char["top"]
            and char["bottom"] <= box.bottom + SLACK
            and char["text"].strip()
        ]
        if not chars:
            continue
        last = max(char["bottom"] for char in chars)
        line = [char for char in chars if abs(char["bottom"] - last) < 2]
        # A heading's words stand on the left; a total (large type too) reaches the right.
        short = max(char["x1"] for char in line) < box.right - 20 * MM
        if short and all(char["size"] >= HEADING for char in line):
            found.append(f"page {index + 1} ends with {''.join(c['text'] for c in line)!r}")
    return found


def too_small(pdf: bytes) -> list[str]:
    """Text too small to be read (invisible text, made to carry something else)."""
    found = []
    for index, page in enumerate(pages(pdf)):
        small = "".join(char["text"] for char in page.chars if char["size"] < SMALLEST_TEXT)
        if small:
            found.append(f"page {index + 1}: {small[:80]!r}")
    return found


def first_text(pdf: bytes) -> tuple[str, str]:
    """Page 1's text as a reader's copy begins: in reading order (pdfplumber, by position)
    and in the order it is drawn (pypdf, as most viewers copy it)."""
    positioned = next(pages(pdf)).text
    drawn = PdfReader(io.BytesIO(pdf)).pages[0].extract_text() or ""
    return " ".join(positioned.split()), " ".join(drawn.split())
