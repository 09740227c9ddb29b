"""What a version's lifecycle page shows: its where-used impact in words and rows, the
price changes against the active version, and the lifecycle buttons this role may press
(the API's rules: app.portfolio's ``next_statuses`` and ``may_move``, four eyes included).
Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.auth import Principal
from app.portfolio import WhereUsed, may_move, next_statuses

STATUS_LABELS = {
    "draft": "Draft",
    "in_review": "In review",
    "assured": "Assured",
    "active": "Active",
    "retired": "Retired",
}
# The button that moves a version to each status, and what it means.
MOVES: dict[str, tuple[str, str]] = {
    "in_review": ("Submit for review", "An approver other than its author then assures it."),
    "draft": ("Return to draft", "Its author edits it again before another review."),
    "assured": ("Assure", "You have reviewed it: it may then be activated."),
    "active": ("Activate", "New quotes and proposals use it; the active version retires."),
    "retired": ("Retire", "No new quote or proposal can use it."),
}
NOTICES = {status: f"Moved to {label.lower()}." for status, label in STATUS_LABELS.items()}


@dataclass(frozen=True, slots=True)
class Move:
    to: str
    label: str
    hint: str
    danger: bool


@dataclass(frozen=True, slots=True)
class Buttons:
    moves: list[Move]
    own_version: bool  # four eyes: the author may not assure it (said, not offered)


def buttons(principal: Principal, found: WhereUsed) -> Buttons:
    """The moves of the version's status this role may make; assuring one's own version is
    never offered."""
    moves: list[Move] = []
    own = False
    for to in next_statuses(found.status):
        if not may_move(principal, to):
            continue
        if to == "assured" and found.author == principal.name:
            own = True
            continue
        label, hint = MOVES[to]
        moves.append(Move(to, label, hint, danger=to in ("retired", "draft")))
    return Buttons(moves, own)


def price_text(price: dict[str, Any] | None) -> str:
    """A list price as people read it: "monthly 120.00; one-time 290.0", tiers by band."""
    if price is None:
        return "no price in this book"
    parts = []
    if price.get("monthly") is not None:
        parts.append(f"monthly {price['monthly']}")
    tiers = price.get("tiers")
    if tiers:
        bands = []
        for band in tiers["bands"]:
            reach = f"up to {band['up_to']}" if band.get("up_to") is not None else "above"
            bands.append(f"{reach} at {band['monthly']}")
        parts.append(f"{tiers['style']} monthly: " + ", ".join(bands))
    if price.get("one_time") is not None:
        parts.append(f"one-time {price['one_time']}")
    return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class PriceRow:
    price_book: str
    before: str
    after: str


def price_rows(found: WhereUsed) -> list[PriceRow]:
    return [
        PriceRow(change.price_book, price_text(change.before), price_text(change.after))
        for change in found.price_changes
    ]


def summary(found: WhereUsed) -> str:
    """The impact in one sentence."""
    counts = found.counts
    return (
        f"{counts['open_proposals']} open proposal(s), {counts['accepted_proposals']} accepted "
        f"proposal(s) with {counts['work_packages']} work package(s), "
        f"{counts['offerings']} offering(s) and {counts['rules']} rule(s)"
    )


def stranded(extra: dict[str, Any]) -> list[dict[str, Any]]:
    """The open proposals a refused retirement names (its problem's ``proposals``)."""
    return list(extra.get("proposals", []))


def broken(extra: dict[str, Any]) -> list[dict[str, Any]]:
    """The assured combinations a refused change names (its problem's ``broken``)."""
    return list(extra.get("broken", []))
