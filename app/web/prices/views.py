"""What the price-book pages show, pure: a preview's changes and problems as lines, and the
change set the apply form carries.

The apply step takes the previewed change set back from the preview page (a hidden field),
not the file: it is as large as the changes (a few dozen bytes each), not the sheet, and the
server keeps nothing between the two steps, so any process behind the load balancer can
take the second post and nothing is left to expire. It is no trusted input: the import
applies it only after checking, change by change, that the component's active version is
still the one exported, every value is still what the preview said it was before, and every
new value is one the sheet's cell could hold (one per cell, bands in order, the component
valid), so a forged or stale set is refused like a stale or wrong sheet, and the person
could import the same with the API anyway."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from app.kit.inputs import whole_number
from app.portfolio import PriceChange, PriceProblem

FIELDS = {"monthly": "list monthly", "up_to": "band up to", "one_time": "one-time"}
MAX_LISTED_DRAFTS = 100  # in the address the apply step redirects to
MAX_NUMBER = 1_000_000  # a version or band this large is no change set's


def _number(text: str) -> bool:
    return whole_number(text, most=MAX_NUMBER) is not None


@dataclass(frozen=True, slots=True)
class ChangeLine:
    code: str
    version: int
    levels: str
    band: str
    field: str
    before: str
    after: str
    cells: str


@dataclass(frozen=True, slots=True)
class ProblemLine:
    cell: str
    code: str
    message: str


def change_lines(changes: Sequence[PriceChange]) -> list[ChangeLine]:
    return [
        ChangeLine(
            change.code,
            change.version,
            ", ".join(change.service_levels) or "—",
            "—" if change.band is None else str(change.band),
            FIELDS[change.field],
            change.before or "open-ended",
            change.after or "open-ended",
            ", ".join(cell.split("!", 1)[-1] for cell in change.cells),
        )
        for change in changes
    ]


def problem_lines(problems: Sequence[PriceProblem]) -> list[ProblemLine]:
    return [ProblemLine(p.cell, p.code or "—", p.message) for p in problems]


def encoded(changes: Sequence[PriceChange]) -> str:
    """The change set as the apply form carries it: one change per ``;``-separated item,
    its fields separated by spaces (a space is one byte in a posted form, where a JSON
    quote is three: 10,000 changes stay well below the form's 1 MiB), "-" for none."""
    return ";".join(
        " ".join([c.code, str(c.version), c.field, _or_dash(c.band), _or_dash(c.before),
                  _or_dash(c.after), c.cells[0].split("!", 1)[-1] if c.cells else "-"])
        for c in changes
    )  # fmt: skip


def _or_dash(value: object) -> str:
    return "-" if value is None else str(value)


def _none_if_dash(text: str) -> str | None:
    return None if text == "-" else text


def decoded(text: str) -> list[PriceChange] | None:
    """The change set of an apply form, or None when it is not one (the import checks
    every change again against the catalog)."""
    changes = []
    for item in text.split(";"):
        parts = item.split()
        if len(parts) != 7:
            return None
        code, version, field, band, before, after, cell = parts
        if not _number(version) or field not in FIELDS or not (band == "-" or _number(band)):
            return None
        changes.append(
            PriceChange(code, int(version), field, None if band == "-" else int(band),  # type: ignore[arg-type]
                        _none_if_dash(before), _none_if_dash(after), (),
                        () if cell == "-" else (f"Prices!{cell}",))
        )  # fmt: skip
    return changes or None


def drafts_query(drafts: Sequence[tuple[str, int]]) -> str:
    """Where the apply step sends the browser: the book's page, naming the new drafts."""
    shown = drafts[:MAX_LISTED_DRAFTS]
    return urlencode(
        {"drafts": ",".join(f"{code}:{version}" for code, version in shown),
         "made": len(drafts)}
    )  # fmt: skip


def drafts_of(text: str | None) -> list[tuple[str, int]]:
    """The drafts named in the address (anything malformed is left out)."""
    found = []
    for item in (text or "").split(","):
        code, _, version = item.partition(":")
        if code and _number(version):
            found.append((code, int(version)))
    return found
