"""Pricing a bundle: explicit lines in a price book over a term, to the cent, explained.

Per line: monthly = the rate schedule's amount for the quantity; one-time = quantity x the
one-time unit price; cost likewise from the unit cost. Totals are sums of lines; the contract
value is one-time + monthly x term months; margin = price - cost, exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from catalog.components import Component, ServiceLevel
from catalog.snapshot import CatalogSnapshot
from pricing.errors import PricingError, PricingProblem
from pricing.money import CENT, CurrencyMismatch, Money, percent_of
from pricing.terms import LineTerms, Terms
from pricing.tiers import Charge

MAX_TERM_MONTHS = 120


@dataclass(frozen=True, slots=True)
class LineRequest:
    component: str
    quantity: int
    service_level: str
    delivery_centre: str


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    price_book: str
    term_months: int
    lines: Sequence[LineRequest]
    discount_percent: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Amounts:
    """Monthly and one-time amounts and their value over the contract term, in one currency.

    Held as integer cents (every amount the engine produces is already rounded), so sums of
    a thousand lines are integer additions; read as Money."""

    currency: str
    monthly_cents: int
    one_time_cents: int
    contract_cents: int

    @classmethod
    def of(cls, currency: str, monthly: int, one_time: int, term_months: int) -> Amounts:
        return cls(currency, monthly, one_time, one_time + monthly * term_months)

    @classmethod
    def zero(cls, currency: str) -> Amounts:
        return cls(currency, 0, 0, 0)

    @property
    def monthly(self) -> Money:
        return Money.of_cents(self.monthly_cents, self.currency)

    @property
    def one_time(self) -> Money:
        return Money.of_cents(self.one_time_cents, self.currency)

    @property
    def contract(self) -> Money:
        return Money.of_cents(self.contract_cents, self.currency)

    def _same(self, other: Amounts) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"cannot combine {self.currency} and {other.currency}: convert first"
            )

    def __add__(self, other: Amounts) -> Amounts:
        self._same(other)
        return Amounts(
            self.currency,
            self.monthly_cents + other.monthly_cents,
            self.one_time_cents + other.one_time_cents,
            self.contract_cents + other.contract_cents,
        )

    def __sub__(self, other: Amounts) -> Amounts:
        self._same(other)
        return Amounts(
            self.currency,
            self.monthly_cents - other.monthly_cents,
            self.one_time_cents - other.one_time_cents,
            self.contract_cents - other.contract_cents,
        )


@dataclass(frozen=True, slots=True)
class Margin:
    amounts: Amounts
    percent: Decimal | None  # of the contract value; None when the contract value is zero

    @classmethod
    def between(cls, price: Amounts, cost: Amounts) -> Margin:
        amounts = price - cost
        return cls(
            amounts, percent_of(Decimal(amounts.contract_cents), Decimal(price.contract_cents))
        )


@dataclass(frozen=True)  # no slots: ``charge`` is cached on the instance
class PricedLine:
    index: int
    component: Component
    quantity: int
    service_level: ServiceLevel
    delivery_centre: str
    terms: LineTerms
    price: Amounts
    cost: Amounts

    @cached_property
    def charge(self) -> Charge:
        """The monthly amount with the tier bands that made it (for explanations)."""
        return self.terms.monthly_price.charge(self.quantity)

    @property
    def margin(self) -> Margin:
        return Margin.between(self.price, self.cost)

    @property
    def unit_price(self) -> Money:
        """The monthly price of one unit: the band rate, or for a quantity spread over
        several tier bands (or raised by the volume floor) the effective average."""
        charge = self.charge
        bands = charge.bands
        if len(bands) == 1 and not charge.floor_applied:
            return Money.of_cents(bands[0].rate, self.price.monthly.currency)
        if self.quantity == 0:
            return Money.zero(self.price.monthly.currency)
        average = Money(self.price.monthly.amount / self.quantity, self.price.monthly.currency)
        return average.rounded()

    @property
    def one_time_unit_price(self) -> Money:
        return Money.of_cents(self.terms.one_time_price, self.price.one_time.currency)


@dataclass(frozen=True, slots=True)
class Quote:
    price_book: str
    currency: str
    term_months: int
    discount_percent: Decimal
    lines: tuple[PricedLine, ...]
    price: Amounts
    cost: Amounts
    margin: Margin = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "margin", Margin.between(self.price, self.cost))


def _request_problems(request: QuoteRequest) -> list[PricingProblem]:
    problems = []
    term = request.term_months
    if isinstance(term, bool) or not isinstance(term, int) or not 1 <= term <= MAX_TERM_MONTHS:
        problems.append(
            PricingProblem(
                "term_months", f"must be a whole number of months from 1 to {MAX_TERM_MONTHS}"
            )
        )
    discount = request.discount_percent
    if not isinstance(discount, Decimal) or not discount.is_finite():
        problems.append(PricingProblem("discount_percent", "must be a finite decimal number"))
    elif not 0 <= discount <= 100:
        problems.append(PricingProblem("discount_percent", "must be from 0 to 100 percent"))
    elif discount != discount.quantize(CENT):
        problems.append(PricingProblem("discount_percent", "must have at most two decimals"))
    if not request.lines:
        problems.append(PricingProblem("lines", "a quote needs at least one line"))
    return problems


def price_quote(snapshot: CatalogSnapshot, request: QuoteRequest) -> Quote:
    """Price every line of ``request``; PricingError lists every problem at once."""
    problems = _request_problems(request)
    book = None
    try:
        book = snapshot.price_book(request.price_book)
    except KeyError:
        problems.append(PricingProblem("price_book", f"unknown price book {request.price_book!r}"))
    # Every line is checked even when the request is already wrong, to report all at once;
    # lines are only priced when the request's own fields are sound.
    priced_in = book if not problems else None
    terms = (
        Terms(priced_in, term_months=request.term_months, discount_percent=request.discount_percent)
        if priced_in is not None
        else None
    )
    # Big bundles repeat choices: each (component, level, centre) is checked and derived once.
    choices: dict[tuple[str, str, str], _Choice] = {}
    lines: list[PricedLine] = []
    term = request.term_months
    for index, wanted in enumerate(request.lines):
        key = (wanted.component, wanted.service_level, wanted.delivery_centre)
        choice = choices.get(key)
        if choice is None:
            choice = choices[key] = _choose(snapshot, wanted, terms)
        found = _quantity_problems(choice.component, wanted.quantity) + choice.problems
        if found:
            problems.extend(
                PricingProblem(f"lines[{index}]{p.field}", p.message, p.component) for p in found
            )
            continue
        line = choice.terms
        if line is None or priced_in is None or choice.component is None or choice.level is None:
            continue
        quantity, currency = wanted.quantity, priced_in.currency
        price = Amounts.of(
            currency, line.monthly_price.amount(quantity), line.one_time_price * quantity, term
        )
        cost = Amounts.of(
            currency, line.monthly_cost * quantity, line.one_time_cost * quantity, term
        )
        lines.append(
            PricedLine(index, choice.component, quantity, choice.level, choice.centre, line,
                       price, cost)
        )  # fmt: skip
    if problems or book is None:
        raise PricingError(problems)
    return Quote(
        price_book=book.code,
        currency=book.currency,
        term_months=term,
        discount_percent=request.discount_percent,
        lines=tuple(lines),
        price=_sum(book.currency, [line.price for line in lines]),
        cost=_sum(book.currency, [line.cost for line in lines]),
    )


def _sum(currency: str, parts: list[Amounts]) -> Amounts:
    # Integer sums: a thousand lines without a thousand intermediate objects.
    return Amounts(
        currency,
        sum(part.monthly_cents for part in parts),
        sum(part.one_time_cents for part in parts),
        sum(part.contract_cents for part in parts),
    )


@dataclass(frozen=True, slots=True)
class _Choice:
    """A line's (component, service level, centre) checked, with its integer terms when it
    can be priced, or the problems that stop it (fields relative to the line)."""

    component: Component | None
    problems: tuple[PricingProblem, ...] = ()
    level: ServiceLevel | None = None
    centre: str = ""
    terms: LineTerms | None = None


def _choose(snapshot: CatalogSnapshot, wanted: LineRequest, terms: Terms | None) -> _Choice:
    try:
        component = snapshot.component(wanted.component)
    except KeyError:
        message = f"unknown component {wanted.component!r}"
        return _Choice(None, (PricingProblem(".component", message),))
    code = component.code
    problems = []
    level = next(
        (level for level in component.service_levels if level.name == wanted.service_level), None
    )
    if level is None:
        names = ", ".join(level.name for level in component.service_levels)
        problems.append(
            PricingProblem(
                ".service_level",
                f"{code} has no service level {wanted.service_level!r} (it has {names})",
                code,
            )
        )
    try:
        centre = snapshot.delivery_centre(wanted.delivery_centre)
    except KeyError:
        problems.append(
            PricingProblem(
                ".delivery_centre", f"unknown delivery centre {wanted.delivery_centre!r}"
            )
        )
        centre = None
    if centre is not None and component.competency not in centre.competencies:
        problems.append(
            PricingProblem(
                ".delivery_centre",
                f"delivery centre {centre.code} does not hold competency "
                f"{component.competency!r}, which {code} needs (competency)",
                code,
            )
        )
    if problems or level is None or centre is None or terms is None:
        return _Choice(component, tuple(problems))
    derived = terms.of(component, level, centre)
    if isinstance(derived, list):
        return _Choice(component, tuple(derived))
    return _Choice(component, (), level, centre.code, derived)


def _quantity_problems(component: Component | None, quantity: object) -> tuple[PricingProblem, ...]:
    if component is None:
        return ()
    code = component.code
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        return (PricingProblem(".quantity", "must be a whole number", code),)
    wrong = component.quantity.problem(quantity)
    if wrong is None:
        return ()
    return (PricingProblem(".quantity", f"{code} quantity {wrong} (quantity)", code),)
