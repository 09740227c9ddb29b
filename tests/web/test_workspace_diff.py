"""The diff of two revisions, as a pure function of their views."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.web.workspace.diff import revision_diff


def _line(component: str, quantity: int, monthly: str, level: str = "STD") -> dict[str, Any]:
    return {"component": component, "name": component.title(), "version": 1,
            "quantity": quantity, "service_level": level, "delivery_centre": "CZ-BRN",
            "unit_price": "10.00", "monthly": monthly, "one_time": "0.00"}  # fmt: skip


def _view(revision: int, lines: list[dict[str, Any]], monthly: str, discount: str = "0",
          approval: bool = False) -> dict[str, Any]:  # fmt: skip
    return {"revision": revision, "lines": lines, "discount_percent": discount, "term_months": 36,
            "guardrails": {"approval_required": approval},
            "totals": {"currency": "EUR", "monthly": monthly, "one_time": "0.00",
                       "contract_value": str(Decimal(monthly) * 36)}}  # fmt: skip


def test_added_removed_and_changed_lines_and_totals_before_and_after() -> None:
    before = _view(1, [_line("vm", 20, "200.00"), _line("backup", 5, "50.00")], "250.00", "15",
                   approval=True)  # fmt: skip
    after = _view(2, [_line("vm", 25, "250.00", "GOLD"), _line("desk", 1, "30.00")], "280.00", "5")
    diff = revision_diff(before, after)
    assert (diff.before, diff.after, diff.currency) == (1, 2, "EUR")
    assert [line["component"] for line in diff.added] == ["desk"]
    assert [line["component"] for line in diff.removed] == ["backup"]
    (vm,) = diff.changed
    changes = {change.field: change for change in vm.changes}
    assert set(changes) == {"quantity", "service_level", "monthly"}
    assert (changes["quantity"].before, changes["quantity"].after, changes["quantity"].delta) == (
        20,
        25,
        Decimal(5),
    )
    assert changes["service_level"].delta is None and changes["service_level"].after == "GOLD"
    assert changes["monthly"].delta == Decimal("50.00")
    monthly = next(total for total in diff.totals if total.field == "monthly")
    assert (monthly.before, monthly.after, monthly.delta) == (
        Decimal("250.00"),
        Decimal("280.00"),
        Decimal("30.00"),
    )
    assert {t.field: (t.before, t.after) for t in diff.terms} == {
        "discount_percent": (Decimal(15), Decimal(5)),
        "approval_required": (True, False),
    }
    assert not diff.unchanged


def test_the_same_revision_twice_is_unchanged_and_amounts_compare_exactly() -> None:
    view = _view(1, [_line("vm", 20, "200.00")], "200.00", "10.0")
    same = _view(
        2, [_line("vm", 20, "200.0")], "200.0", "10"
    )  # the same amounts, written otherwise
    diff = revision_diff(view, same)
    assert diff.unchanged and diff.changed == () and diff.terms == ()
    assert all(total.delta == 0 for total in diff.totals)
