"""The README's worked example, figure by figure: if pricing changes, this fails, and the
README must be corrected with it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from catalog.snapshot import CatalogSnapshot
from pricing.guardrails import check_guardrails
from pricing.quote import LineRequest, Quote, QuoteRequest, price_quote

README = Path(__file__).parents[2] / "README.md"
REQUEST = QuoteRequest(
    price_book="EUR",
    term_months=36,
    discount_percent=Decimal(5),
    lines=[
        LineRequest("CMP-VM-LNX", 60, "gold", "CZ-BRN"),
        LineRequest("SD-L1-247", 480, "standard", "PL-WRO"),
        LineRequest("NET-MPLS", 3, "silver", "DE-FRA"),
    ],
)


@pytest.fixture(scope="module")
def quote(default_snapshot: CatalogSnapshot) -> Quote:
    return price_quote(default_snapshot, REQUEST)


def shown(amount: object) -> str:
    """As the README writes money: thousands separated by commas."""
    return f"{Decimal(str(amount)):,.2f}"


def test_lines(quote: Quote) -> None:
    vm, desk, wan = quote.lines
    assert [band.rate for band in vm.charge.bands] == [19892, 17963]  # 198.92, 179.63
    assert (str(vm.price.monthly), str(vm.price.one_time)) == ("11742.30", "16530.00")
    assert str(desk.unit_price) == "14.20" and str(desk.one_time_unit_price) == "4.28"
    assert (str(desk.price.monthly), str(desk.price.one_time)) == ("6816.00", "2054.40")
    assert str(wan.unit_price) == "1093.93"
    assert (str(wan.price.monthly), str(wan.price.one_time)) == ("3281.79", "7666.50")
    assert [str(line.cost.monthly) for line in quote.lines] == ["3727.80", "2726.40", "2203.20"]
    assert [str(line.cost.one_time) for line in quote.lines] == ["7800.00", "782.40", "5052.00"]


def test_totals_cost_margin_and_guardrails(quote: Quote, default_snapshot: CatalogSnapshot) -> None:
    assert str(quote.price.monthly) == "21840.09"
    assert str(quote.price.one_time) == "26250.90"
    assert str(quote.price.contract) == "812494.14"
    assert str(quote.cost.contract) == "325300.80"
    assert str(quote.margin.amounts.contract) == "487193.34"
    assert quote.margin.percent == Decimal("59.96")
    guardrails = default_snapshot.price_book("EUR").guardrails
    assert check_guardrails(quote, guardrails, "sales") == ()


def test_the_readme_shows_these_figures(quote: Quote) -> None:
    text = README.read_text()
    figures = [
        *(shown(line.price.monthly) for line in quote.lines),
        *(shown(line.price.one_time) for line in quote.lines),
        *(shown(line.cost.monthly) for line in quote.lines),
        *(shown(line.cost.one_time) for line in quote.lines),
        shown(quote.price.monthly), shown(quote.price.one_time), shown(quote.price.contract),
        shown(quote.cost.monthly), shown(quote.cost.one_time), shown(quote.cost.contract),
        shown(quote.margin.amounts.contract), f"{quote.margin.percent} %",
        "198.92", "179.63", "14.20", "4.28", "1,093.93", "62.13", "5.68", "734.40",
    ]  # fmt: skip
    missing = [figure for figure in figures if figure not in text]
    assert not missing, f"README's worked example lacks {missing}"
