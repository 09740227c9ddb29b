"""What the delivery pages show, without a server: the window asked on the form, hours as
people read them, the load table's rows and the warning in words. Pure."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.delivery import CentreLoad, CompetencyLoad, MonthLoad, OverbookedMonth, Overbooking
from app.web.delivery.views import hours_label, load_months, warnings, window


def test_the_window_asked_or_the_defaults_and_a_message_per_wrong_field() -> None:
    assert window(None, None, 12) == window("", "", 12)
    asked = window("2027-03", "6", 12)
    assert (asked.since, asked.months, asked.errors) == (date(2027, 3, 1), 6, {})
    wrong = window("2027-3", "37", 12)
    assert wrong.since is None and wrong.months == 12
    assert set(wrong.errors) == {"since", "months"}
    assert wrong.values == {"since": "2027-3", "months": "37"}  # shown back as typed
    assert window("9996-12", None, 12).errors == {}
    assert "9997" in window("9997-01", None, 12).errors["since"]
    assert window(None, "0", 12).errors and window(None, "x", 12).errors


def test_hours_read_plainly() -> None:
    assert [hours_label(Decimal(h)) for h in ("0", "12.500", "36120.5", "1E+3")] == [
        "0", "12.5", "36,120.5", "1,000"]  # fmt: skip


def _load() -> CentreLoad:
    sap = CompetencyLoad("sap-basis", Decimal(110), Decimal("110.0"))
    month = MonthLoad(date(2026, 12, 1), Decimal(110), Decimal("110.0"), True, (sap,))
    over = OverbookedMonth(date(2027, 1, 1), Decimal(120), Decimal("120.0"),
                           (CompetencyLoad("sap-ams", Decimal(30), Decimal("30.0")),))  # fmt: skip
    warning = Overbooking(7, "P-2026-000007", "Acme", "Better", (over,))
    return CentreLoad("ES-MAD", "Madrid", 100, (month,), (warning,))


def test_a_month_lists_its_competencies_then_its_total_marked_overbooked() -> None:
    (month,) = load_months(_load())
    assert month.label == "December 2026" and month.overbooked
    assert [(row.competency, row.total, row.overbooked) for row in month.rows] == [
        ("sap-basis", False, False), ("All competencies", True, True)]  # fmt: skip
    assert month.rows[-1].utilisation == "110.0" and month.rows[-1].meter == "110.0"


def test_the_warning_names_the_proposal_its_option_and_where() -> None:
    (warning,) = warnings(_load())
    assert warning.title == "P-2026-000007 for Acme (option Better)"
    assert warning.months == ["January 2027: 120 of 100 hours (120.0 %), adding 30 h of sap-ams"]
