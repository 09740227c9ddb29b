"""Properties of the pricing engine over random catalogs and bundles (hypothesis)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.snapshot import CatalogSnapshot
from pricing.quote import Amounts, LineRequest, QuoteRequest, price_quote
from pricing.tiers import RateSchedule
from tests.pricing.factories import book, centre, component

D = Decimal
LEVELS = ("standard", "gold")

amounts = st.decimals(min_value=0, max_value=10_000, places=4, allow_nan=False)
factors = st.decimals(min_value=D("0.5"), max_value=3, places=2)
percents = st.decimals(min_value=0, max_value=100, places=2)


@st.composite
def band_tables(draw: Any, *, falling: bool = False) -> list[tuple[int | None, int]]:
    """(up_to, rate in cents) bands: increasing ends, last open; rates falling if asked."""
    ends = sorted(draw(st.sets(st.integers(1, 500), min_size=0, max_size=4)))
    rates = draw(st.lists(st.integers(0, 100_000), min_size=len(ends) + 1, max_size=len(ends) + 1))
    if falling:
        rates = sorted(rates, reverse=True)
    return list(zip([*ends, None], rates, strict=True))


@st.composite
def prices(draw: Any, currency: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["flat", "tiered", "volume"]))
    one_time = draw(amounts)
    if kind == "flat":
        return {currency: {"monthly": draw(amounts), "one_time": one_time}}
    bands = draw(band_tables(falling=kind == "volume"))
    tiers: dict[str, Any] = {
        "style": kind,
        "bands": [
            {"monthly": Decimal(rate).scaleb(-2), **({"up_to": up_to} if up_to else {})}
            for up_to, rate in bands
        ],
    }
    if kind == "volume":
        tiers["floor_at_previous_band"] = draw(st.booleans())
    return {currency: {"one_time": one_time, "tiers": tiers}}


@st.composite
def quotes(draw: Any) -> tuple[CatalogSnapshot, QuoteRequest]:
    currency = draw(st.sampled_from(["EUR", "GBP", "USD"]))
    count = draw(st.integers(1, 4))
    components = []
    for index in range(count):
        data = component(
            code=f"CMP-{index}",
            family=draw(st.sampled_from(["compute", "storage"])),
            prices=draw(prices(currency)),
            effort={"monthly": {"linux-admin": draw(amounts)},
                    "one_time": {"linux-admin": draw(amounts)}},
            non_labour_cost={"currency": "USD", "monthly": draw(amounts),
                             "one_time": draw(amounts)},
        )  # fmt: skip
        data["service_levels"][1]["price_factor"] = draw(factors)
        data["service_levels"][1]["cost_factor"] = draw(factors)
        components.append(data)
    fx = {"CZK": draw(st.decimals(D("0.01"), D(2), places=4)), "USD": D("0.9")}
    fx.pop(currency, None)
    catalog = CatalogSnapshot.model_validate({
        "components": components,
        "delivery_centres": [centre()],
        "price_books": [book(code=currency, currency=currency, fx_rates=fx,
                             term_discounts={24: draw(percents), 36: draw(percents)})],
    })  # fmt: skip
    lines = [
        LineRequest(
            f"CMP-{draw(st.integers(0, count - 1))}",
            draw(st.integers(1, 1000)),
            draw(st.sampled_from(LEVELS)),
            "CZ-X",
        )
        for _ in range(draw(st.integers(1, 8)))
    ]
    request = QuoteRequest(currency, draw(st.integers(1, 72)), lines, draw(percents))
    return catalog, request


def _sum(parts: list[Amounts], currency: str) -> Amounts:
    return sum(parts, Amounts.zero(currency))


@settings(max_examples=150, deadline=None)
@given(quotes())
def test_totals_are_sums_of_lines_and_margin_is_price_minus_cost(
    case: tuple[CatalogSnapshot, QuoteRequest],
) -> None:
    catalog, request = case
    quote = price_quote(catalog, request)
    assert quote.price == _sum([line.price for line in quote.lines], quote.currency)
    assert quote.cost == _sum([line.cost for line in quote.lines], quote.currency)
    assert quote.margin.amounts == quote.price - quote.cost
    for line in quote.lines:
        assert line.margin.amounts == line.price - line.cost
        assert line.price.contract == line.price.one_time + line.price.monthly * request.term_months
    # every amount is in whole cents and in the book's currency
    for amounts in (quote.price, quote.cost, quote.margin.amounts):
        for money in (amounts.monthly, amounts.one_time, amounts.contract):
            assert money.currency == quote.currency
            assert money.amount == money.rounded().amount


@settings(max_examples=100, deadline=None)
@given(quotes())
def test_pricing_the_same_bundle_twice_gives_identical_results(
    case: tuple[CatalogSnapshot, QuoteRequest],
) -> None:
    catalog, request = case
    assert price_quote(catalog, request) == price_quote(catalog, request)


@settings(max_examples=150, deadline=None)
@given(quotes())
def test_lines_are_exactly_the_integer_terms_the_solver_reads(
    case: tuple[CatalogSnapshot, QuoteRequest],
) -> None:
    catalog, request = case
    quote = price_quote(catalog, request)
    for line in quote.lines:
        terms, quantity = line.terms, line.quantity
        assert line.price.monthly.cents == terms.monthly_price.amount(quantity)
        assert line.price.one_time.cents == terms.one_time_price * quantity
        assert line.cost.monthly.cents == terms.monthly_cost * quantity
        assert line.cost.one_time.cents == terms.one_time_cost * quantity
    total = sum(
        line.terms.monthly_price.amount(line.quantity) * request.term_months
        + line.terms.one_time_price * line.quantity
        for line in quote.lines
    )
    assert quote.price.contract.cents == total


@given(band_tables(), st.integers(0, 2000))
def test_tiered_total_never_falls_as_quantity_grows(
    bands: list[tuple[int | None, int]], quantity: int
) -> None:
    schedule = RateSchedule.build("tiered", bands)
    assert schedule.amount(quantity + 1) >= schedule.amount(quantity)


@given(band_tables(falling=True), st.integers(1, 2000), st.integers(1, 500))
def test_volume_unit_price_never_rises_as_quantity_grows(
    bands: list[tuple[int | None, int]], quantity: int, more: int
) -> None:
    schedule = RateSchedule.build("volume", bands)
    assert schedule.segment_of(quantity + more).rate <= schedule.segment_of(quantity).rate


@given(band_tables(falling=True), st.integers(0, 2000), st.integers(1, 500))
def test_volume_floor_keeps_the_total_from_falling(
    bands: list[tuple[int | None, int]], quantity: int, more: int
) -> None:
    schedule = RateSchedule.build("volume", bands, floor_at_previous_band=True)
    assert schedule.amount(quantity + more) >= schedule.amount(quantity)


@given(band_tables(), st.integers(0, 2000))
def test_piecewise_form_matches_the_band_by_band_charge(
    bands: list[tuple[int | None, int]], quantity: int
) -> None:
    for style in ("tiered", "volume"):
        schedule = RateSchedule.build(style, bands)
        charge = schedule.charge(quantity)
        assert charge.amount == schedule.amount(quantity)
        assert sum(band.quantity for band in charge.bands) == quantity
        assert sum(band.amount for band in charge.bands) == charge.amount


@given(
    band_tables(falling=True),
    st.lists(st.integers(0, 3_000), min_size=5, max_size=5),
    st.sampled_from(["tiered", "volume", "volume-floor"]),
    st.integers(0, 2000),
)
def test_never_above_is_sound_and_holds_for_lower_rates(
    bands: list[tuple[int | None, int]], cuts: list[int], style: str, quantity: int
) -> None:
    # The solver keeps only a component's cheapest level when its schedule is never above
    # the others': that must hold at every quantity, and be seen for rates cut band by band.
    floor = style == "volume-floor"
    kind = "volume" if floor else style
    rates = [max(0, rate - cut) for (_, rate), cut in zip(bands, cuts, strict=False)]
    if kind == "volume":  # volume rates must still fall: each band at most the one before
        rates = [min(rates[: index + 1]) for index in range(len(rates))]
    cheaper_bands = [(up_to, rate) for (up_to, _), rate in zip(bands, rates, strict=True)]
    schedule = RateSchedule.build(kind, bands, floor_at_previous_band=floor)
    cheaper = RateSchedule.build(kind, cheaper_bands, floor_at_previous_band=floor)
    for mine, theirs in ((cheaper, schedule), (schedule, cheaper)):
        if mine.never_above(theirs):
            assert mine.amount(quantity) <= theirs.amount(quantity)
    assert cheaper.never_above(schedule)
