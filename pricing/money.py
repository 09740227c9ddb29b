"""Money: an exact ``Decimal`` amount with its currency, and the one rounding policy.

Rounding policy (the only place that rounds money): a line's per-unit rate, once every
factor and discount is applied, is rounded **half-up to the cent**, so an amount is quantity
x the unit rate shown, exact to the cent. A tier table rounds each band's rate, and a line
spread over several bands (or raised by a volume floor) is the sum of its bands: its unit
price is then an average, shown for information, and the bands are what multiply out.
Totals are sums of those amounts and are never rounded again. Percentages shown (margin %)
are rounded half-up to two decimals for display only; guardrails compare exact amounts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from catalog.currencies import ISO_4217

CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


class CurrencyMismatch(ValueError):
    """Arithmetic between two currencies: convert first, with a price book's FX rate."""


def to_cents(amount: Decimal) -> int:
    """``amount`` rounded half-up to the cent, as integer cents: the rounding policy."""
    return int((amount * _HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def cents_text(cents: int) -> str:
    """Integer cents as text with exactly two decimals, e.g. -5 -> "-0.05"."""
    whole, part = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{whole}.{part:02d}"


def from_cents(cents: int) -> Decimal:
    """Integer cents as a Decimal with exactly two places."""
    return Decimal(cents).scaleb(-2)


def amount_text(amount: Decimal) -> str:
    """A catalog amount (list price, cost, rate) as text: at least two decimals, more only
    when the catalog gives them (0.125 stays 0.125), never an exponent."""
    exponent = amount.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{amount:.{places}f}"


def factor_text(value: Decimal) -> str:
    """A factor or a percentage as text, without trailing zeros or an exponent."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def amount_problem(value: object) -> str | None:
    """Why ``value`` cannot be a catalog amount (price, cost, rate, hours), or None."""
    if type(value) is Decimal and value.is_finite() and value >= 0:
        return None  # the common case, first: the catalog validated it already
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return f"must be a decimal number, not {type(value).__name__}"
    if isinstance(value, Decimal) and not value.is_finite():
        return f"must be finite, not {value}"
    if value < 0:
        return f"must not be negative, not {value}"
    return None


def amount_problems(
    amounts: Iterable[tuple[tuple[str, ...], object]],
) -> list[tuple[str, str]]:
    """(dotted path, problem) of every amount that cannot be a catalog amount; ``None``
    stands for an amount the catalog leaves out. Paths are joined only for problems."""
    found = []
    for path, value in amounts:
        wrong = None if value is None else amount_problem(value)
        if wrong is not None:
            found.append((".".join(path), wrong))
    return found


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole``, half-up to two decimals; None when whole is 0."""
    if whole == 0:
        return None
    return (part * _HUNDRED / whole).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency. Arithmetic across currencies raises CurrencyMismatch;
    floats, NaN and infinities are refused at construction."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            # bool and float are refused: a float has already lost the exact amount.
            raise TypeError(f"money needs a Decimal amount, not {type(self.amount).__name__}")
        if not self.amount.is_finite():
            raise ValueError(f"money must be finite, not {self.amount}")
        if self.currency not in ISO_4217:
            raise ValueError(f"unknown currency {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal("0.00"), currency)

    @classmethod
    def of_cents(cls, cents: int, currency: str) -> Money:
        return cls(from_cents(cents), currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"cannot combine {self.currency} and {other.currency}: convert first"
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, Decimal | int):
            raise TypeError(f"money multiplies by a Decimal or an int, not {factor!r}")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    @property
    def cents(self) -> int:
        """The amount in integer cents, half-up (exact when the amount is already rounded)."""
        return to_cents(self.amount)

    def rounded(self) -> Money:
        return Money(from_cents(self.cents), self.currency)

    def __str__(self) -> str:
        """The amount with exactly two decimals, as the API and documents show it."""
        return cents_text(self.cents)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec) if spec else str(self)


def total(amounts: list[Money] | tuple[Money, ...], currency: str) -> Money:
    """The sum of ``amounts``, all in ``currency`` (zero when there are none)."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result
