"""Money: exact, single-currency, rounded in one place."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricing.money import (
    CurrencyMismatch,
    Money,
    amount_problem,
    amount_text,
    cents_text,
    factor_text,
    from_cents,
    percent_of,
    to_cents,
    total,
)

D = Decimal


class TestRounding:
    @pytest.mark.parametrize(
        ("amount", "cents"),
        [
            ("0.125", 13),  # half-up: banker's rounding would give 12
            ("0.135", 14),
            ("0.124999", 12),
            ("2.675", 268),  # the float 2.675 is 2.67499...; a Decimal is exact
            ("199.91575", 19992),
            ("-0.125", -13),  # half away from zero for credits too
            ("0", 0),
        ],
    )
    def test_half_up_to_the_cent(self, amount: str, cents: int) -> None:
        assert to_cents(D(amount)) == cents

    def test_cents_back_to_two_places(self) -> None:
        assert str(from_cents(0)) == "0.00"
        assert str(from_cents(5)) == "0.05"
        assert str(from_cents(-5)) == "-0.05"
        assert str(from_cents(123456789012)) == "1234567890.12"

    def test_shown_with_exactly_two_decimals(self) -> None:
        assert str(Money(D("8480"), "EUR")) == "8480.00"
        assert str(Money(D("0.1"), "EUR")) == "0.10"
        assert f"{Money(D('1.005'), 'EUR')}" == "1.01"

    def test_percent_is_rounded_for_display_and_none_of_zero(self) -> None:
        assert percent_of(D("821.28"), D("12143.28")) == D("6.76")
        assert percent_of(D("1"), D("3")) == D("33.33")
        assert percent_of(D("1"), D("0")) is None


class TestMoney:
    def test_same_currency_arithmetic_is_exact(self) -> None:
        a, b = Money(D("0.10"), "EUR"), Money(D("0.20"), "EUR")
        assert a + b == Money(D("0.30"), "EUR")
        assert b - a == Money(D("0.10"), "EUR")
        assert -a == Money(D("-0.10"), "EUR")
        assert a * 3 == Money(D("0.30"), "EUR") == 3 * a
        assert a * D("1.5") == Money(D("0.150"), "EUR")
        assert a < b and b > a and a <= a and b >= a

    @pytest.mark.parametrize(
        "operation",
        [
            lambda a, b: a + b,
            lambda a, b: a - b,
            lambda a, b: a < b,
            lambda a, b: a <= b,
            lambda a, b: a > b,
            lambda a, b: a >= b,
        ],
    )
    def test_currencies_never_mix(self, operation) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(CurrencyMismatch, match="EUR and GBP"):
            operation(Money(D(1), "EUR"), Money(D(1), "GBP"))

    def test_floats_and_non_finite_amounts_are_refused(self) -> None:
        with pytest.raises(TypeError, match="Decimal"):
            Money(1.5, "EUR")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="Decimal"):
            Money(True, "EUR")  # type: ignore[arg-type]
        for bad in ("NaN", "Infinity", "-Infinity", "sNaN"):
            with pytest.raises(ValueError, match="finite"):
                Money(D(bad), "EUR")
        with pytest.raises(TypeError):
            Money(D(1), "EUR") * 1.5  # type: ignore[operator]
        with pytest.raises(TypeError):
            Money(D(1), "EUR") + 1  # type: ignore[operator]

    @pytest.mark.parametrize("code", ["EUX", "eur", "EURO", ""])
    def test_unknown_currency_is_refused(self, code: str) -> None:
        with pytest.raises(ValueError, match="unknown currency"):
            Money(D(1), code)

    def test_total_of_nothing_is_zero_in_the_currency(self) -> None:
        assert total([], "GBP") == Money(D(0), "GBP")
        amounts = [Money(D("0.01"), "GBP")] * 3
        assert total(amounts, "GBP") == Money(D("0.03"), "GBP")
        with pytest.raises(CurrencyMismatch):
            total([Money(D(1), "EUR")], "GBP")

    def test_negative_money_is_allowed_a_margin_can_be_a_loss(self) -> None:
        loss = Money(D(5), "EUR") - Money(D(7), "EUR")
        assert str(loss) == "-2.00"
        assert loss.cents == -200


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (D("-1"), "negative"),
        (D("NaN"), "finite"),
        (D("Infinity"), "finite"),
        (1.5, "decimal number"),
        (True, "decimal number"),
        (None, "decimal number"),
    ],
)
def test_amount_problem_names_what_is_wrong(value: object, problem: str) -> None:
    message = amount_problem(value)
    assert message is not None and problem in message


def test_amount_problem_accepts_zero_and_decimals() -> None:
    assert amount_problem(D(0)) is None
    assert amount_problem(D("12.345678")) is None
    assert amount_problem(7) is None


@pytest.mark.parametrize(
    ("cents", "text"),
    [(0, "0.00"), (5, "0.05"), (-5, "-0.05"), (100, "1.00"), (-12345, "-123.45"),
     (123456789012, "1234567890.12")],
)  # fmt: skip
def test_cents_text_matches_the_decimal(cents: int, text: str) -> None:
    assert cents_text(cents) == text == str(from_cents(cents))


@pytest.mark.parametrize(
    ("amount", "text"), [("165.0", "165.00"), ("0.125", "0.125"), ("7", "7.00"), ("1E+2", "100.00")]
)
def test_catalog_amounts_show_at_least_two_decimals(amount: str, text: str) -> None:
    assert amount_text(D(amount)) == text


@pytest.mark.parametrize(
    ("value", "text"), [("1.0", "1"), ("1.35", "1.35"), ("100", "100"), ("2.50", "2.5"), ("0", "0")]
)
def test_factors_show_without_trailing_zeros(value: str, text: str) -> None:
    assert factor_text(D(value)) == text
