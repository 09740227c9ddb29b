"""What changed between two revisions of a proposal, from their API views (the dicts
``app.proposals.read_proposal`` answers): lines added, removed and changed (quantity,
service level, centre, version, prices), the totals before and after, the discount and the
term. Pure: no database, no HTTP; amounts stay exact (Decimal from the views' strings)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# The line facts compared, in the order a reader wants them, with their labels.
LINE_FIELDS: tuple[tuple[str, str], ...] = (
    ("quantity", "quantity"),
    ("service_level", "service level"),
    ("delivery_centre", "delivery centre"),
    ("version", "version"),
    ("unit_price", "unit price"),
    ("monthly", "monthly"),
    ("one_time", "one-time"),
)
TOTALS: tuple[tuple[str, str], ...] = (
    ("monthly", "monthly"),
    ("one_time", "one-time"),
    ("contract_value", "contract value"),
)
_MONEY = frozenset({"unit_price", "monthly", "one_time", "contract_value"})


@dataclass(frozen=True, slots=True)
class Change:
    """One fact before and after; ``delta`` for amounts and quantities."""

    field: str
    label: str
    before: Any
    after: Any
    delta: Decimal | None = None


@dataclass(frozen=True, slots=True)
class LineChange:
    component: str
    name: str
    changes: tuple[Change, ...]


@dataclass(frozen=True, slots=True)
class RevisionDiff:
    before: int
    after: int
    currency: str
    added: tuple[Mapping[str, Any], ...]
    removed: tuple[Mapping[str, Any], ...]
    changed: tuple[LineChange, ...]
    totals: tuple[Change, ...]  # every total, changed or not: a reader compares all three
    terms: tuple[Change, ...]  # discount, term, approval needed: only those that changed

    @property
    def unchanged(self) -> bool:
        no_totals = all(change.delta == 0 for change in self.totals)
        return not (self.added or self.removed or self.changed or self.terms) and no_totals


def _key(line: Mapping[str, Any]) -> str:
    return str(line["component"])


def _value(field: str, value: Any) -> Any:
    return Decimal(str(value)) if field in _MONEY and value is not None else value


def _change(field: str, label: str, before: Any, after: Any) -> Change | None:
    old, new = _value(field, before), _value(field, after)
    if old == new:
        return None
    numeric = all(isinstance(v, int | Decimal) and not isinstance(v, bool) for v in (old, new))
    return Change(field, label, old, new, Decimal(new) - Decimal(old) if numeric else None)


def _lines(view: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    lines: Sequence[Mapping[str, Any]] = view["lines"]
    return {_key(line): line for line in lines}


def line_change(before: Mapping[str, Any], after: Mapping[str, Any]) -> LineChange | None:
    changes = [_change(field, label, before.get(field), after.get(field))
               for field, label in LINE_FIELDS]  # fmt: skip
    found = tuple(change for change in changes if change is not None)
    return LineChange(_key(after), str(after.get("name", _key(after))), found) if found else None


def revision_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> RevisionDiff:
    """``before`` and ``after``: two revisions' views of the same proposal."""
    old, new = _lines(before), _lines(after)
    added = tuple(line for key, line in new.items() if key not in old)
    removed = tuple(line for key, line in old.items() if key not in new)
    changed = tuple(
        found
        for key, line in new.items()
        if key in old and (found := line_change(old[key], line)) is not None
    )
    totals = tuple(
        Change(field, label, b, a, a - b)
        for field, label in TOTALS
        for b, a in [(Decimal(before["totals"][field]), Decimal(after["totals"][field]))]
    )
    terms = (
        _change("discount_percent", "discount %", Decimal(str(before["discount_percent"])),
                Decimal(str(after["discount_percent"]))),
        _change("term_months", "term (months)", before["term_months"], after["term_months"]),
        _change("approval_required", "needs approval",
                before["guardrails"]["approval_required"],
                after["guardrails"]["approval_required"]),
    )  # fmt: skip
    return RevisionDiff(
        before=int(before["revision"]),
        after=int(after["revision"]),
        currency=str(after["totals"]["currency"]),
        added=added,
        removed=removed,
        changed=changed,
        totals=totals,
        terms=tuple(change for change in terms if change is not None),
    )
