"""Pricing a bundle: explicit lines in a price book over a term, to the cent, explained.

Per line: monthly = the rate schedule's amount for the quantity; one-time = quantity x the
one-time unit price; cost likewise from the unit cost. Totals are sums of lines; the contract
value is one-time + monthly x term months; margin = price - cost, exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from catalog.components import Component, ServiceLevel
from catalog.price_books import PriceBook
from catalog.snapshot import CatalogSnapshot
from pricing.errors import PricingError, PricingProblem
from pricing.money import CurrencyMismatch, Money, percent_of
from pricing.terms import LineTerms, line_terms
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


@dataclass(frozen=True, slots=True)
class PricedLine:
    index: int
    component: Component
    quantity: int
    service_level: ServiceLevel
    delivery_centre: str
    terms: LineTerms
    charge: Charge  # the monthly amount and the bands that made it
    price: Amounts
    cost: Amounts

    @property
    def margin(self) -> Margin:
        return Margin.between(self.price, self.cost)

    @property
    def unit_price(self) -> Money:
        """The monthly price of one unit: the band rate, or for a quantity spread over
        several tier bands (or raised by the volume floor) the effective average."""
        bands = self.charge.bands
        if len(bands) == 1 and not self.charge.floor_applied:
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
    pricer = _LinePricer(snapshot, book, request) if book is not None and not problems else None
    lines: list[PricedLine] = []
    for index, wanted in enumerate(request.lines):
        found = _resolve(snapshot, wanted, f"lines[{index}]")
        if isinstance(found, list):
            problems.extend(found)
        elif pricer is not None:
            priced = pricer.price(index, wanted.quantity, *found)
            if isinstance(priced, list):
                problems.extend(priced)
            else:
                lines.append(priced)
    if problems or book is None:
        raise PricingError(problems)
    empty = Amounts.zero(book.currency)
    return Quote(
        price_book=book.code,
        currency=book.currency,
        term_months=request.term_months,
        discount_percent=request.discount_percent,
        lines=tuple(lines),
        price=sum((line.price for line in lines), empty),
        cost=sum((line.cost for line in lines), empty),
    )


class _LinePricer:
    """Prices lines of one request; each (component, level, centre) is derived once, since
    big bundles repeat the same choices on many lines."""

    def __init__(self, snapshot: CatalogSnapshot, book: PriceBook, request: QuoteRequest) -> None:
        self.snapshot, self.book, self.request = snapshot, book, request
        self.memo: dict[tuple[str, str, str], LineTerms | list[PricingProblem]] = {}

    def price(
        self, index: int, quantity: int, component: Component, level: ServiceLevel, centre: str
    ) -> PricedLine | list[PricingProblem]:
        where = f"lines[{index}]"
        key = (component.code, level.name, centre)
        terms = self.memo.get(key)
        if terms is None:
            terms = self.memo[key] = line_terms(
                component, level, self.snapshot.delivery_centre(centre), self.book,
                term_months=self.request.term_months,
                discount_percent=self.request.discount_percent, field=where,
            )  # fmt: skip
        if isinstance(terms, list):
            return _relocated(terms, where)
        currency, term = self.book.currency, self.request.term_months
        charge = terms.monthly_price.charge(quantity)
        price = Amounts.of(currency, charge.amount, terms.one_time_price * quantity, term)
        cost = Amounts.of(
            currency, terms.monthly_cost * quantity, terms.one_time_cost * quantity, term
        )
        return PricedLine(index, component, quantity, level, centre, terms, charge, price, cost)


def _relocated(problems: list[PricingProblem], where: str) -> list[PricingProblem]:
    # A memoised derivation's problems name the first line that met them; name this one.
    return [PricingProblem(where, problem.message, problem.component) for problem in problems]


def _resolve(
    snapshot: CatalogSnapshot, wanted: LineRequest, where: str
) -> tuple[Component, ServiceLevel, str] | list[PricingProblem]:
    problems: list[PricingProblem] = []
    if not snapshot.has_component(wanted.component):
        return [PricingProblem(f"{where}.component", f"unknown component {wanted.component!r}")]
    component = snapshot.component(wanted.component)
    code = component.code
    quantity = wanted.quantity
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        problems.append(PricingProblem(f"{where}.quantity", "must be a whole number", code))
    else:
        wrong = component.quantity.problem(quantity)
        if wrong is not None:
            problems.append(
                PricingProblem(f"{where}.quantity", f"{code} quantity {wrong} (quantity)", code)
            )
    level = next(
        (level for level in component.service_levels if level.name == wanted.service_level), None
    )
    if level is None:
        names = ", ".join(level.name for level in component.service_levels)
        problems.append(
            PricingProblem(
                f"{where}.service_level",
                f"{code} has no service level {wanted.service_level!r} (it has {names})",
                code,
            )
        )
    try:
        centre = snapshot.delivery_centre(wanted.delivery_centre)
    except KeyError:
        problems.append(
            PricingProblem(
                f"{where}.delivery_centre", f"unknown delivery centre {wanted.delivery_centre!r}"
            )
        )
    else:
        if component.competency not in centre.competencies:
            problems.append(
                PricingProblem(
                    f"{where}.delivery_centre",
                    f"delivery centre {centre.code} does not hold competency "
                    f"{component.competency!r}, which {code} needs (competency)",
                    code,
                )
            )
    if problems or level is None:
        return problems
    return component, level, centre.code
