"""Add-ons: optional lines a customer may tick, priced by the pricing engine exactly as the
bundle's lines are (same price book, term and sales discount).

Sales name a component and a quantity; the service level defaults to the cheapest the
component offers, the delivery centre to the centre of lowest cost that holds the
component's competency within the request's residency. Every problem of every add-on is
reported at once, under ``add_ons[i]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.configurator import ConfigurationRequest
from app.kit.errors import FieldProblem, Invalid
from catalog import CatalogSnapshot, Component
from pricing import LineRequest, PricedLine, PricingError, QuoteRequest, price_quote


@dataclass(frozen=True, slots=True)
class WantedAddOn:
    component: str
    quantity: int
    service_level: str | None = None
    delivery_centre: str | None = None


def price_add_ons(
    snapshot: CatalogSnapshot, request: ConfigurationRequest, wanted: Sequence[WantedAddOn]
) -> tuple[PricedLine, ...]:
    problems: list[FieldProblem] = []
    priced: list[PricedLine] = []
    for index, add_on in enumerate(wanted):
        field = f"add_ons[{index}]"
        if not snapshot.has_component(add_on.component):
            problems.append(
                FieldProblem(f"{field}.component", f"no active component {add_on.component!r}")
            )
            continue
        component = snapshot.component(add_on.component)
        level = add_on.service_level or _cheapest_level(component)
        centres = _centres(snapshot, component, request, add_on.delivery_centre)
        if not centres:
            problem = _no_centre(component, request)
            problems.append(FieldProblem(f"{field}.delivery_centre", problem))
            continue
        line, found = _cheapest(snapshot, request, add_on, level, centres)
        if line is None:
            problems.extend(FieldProblem(f"{field}{problem.field.partition(']')[2]}",
                                         problem.message) for problem in found)  # fmt: skip
            continue
        priced.append(line)
    if problems:
        raise Invalid(f"{len(problems)} add-on problem(s)", problems)
    return tuple(priced)


def _cheapest_level(component: Component) -> str:
    return min(component.service_levels, key=lambda level: level.price_factor).name


def _centres(
    snapshot: CatalogSnapshot,
    component: Component,
    request: ConfigurationRequest,
    asked: str | None,
) -> tuple[str, ...]:
    if asked is not None:
        return (asked,)  # the pricing engine says what is wrong with it, if anything
    regions = request.residency
    return tuple(
        centre.code
        for centre in snapshot.centres_with(component.competency)
        if regions is None or centre.region in regions
    )


def _no_centre(component: Component, request: ConfigurationRequest) -> str:
    where = "" if request.residency is None else f" in {', '.join(request.residency)}"
    return f"no delivery centre{where} holds the competency {component.competency!r}"


def _cheapest(
    snapshot: CatalogSnapshot,
    request: ConfigurationRequest,
    add_on: WantedAddOn,
    level: str,
    centres: tuple[str, ...],
) -> tuple[PricedLine | None, list[FieldProblem]]:
    """The add-on priced at the centre of lowest cost (the price is the price book's, the
    same from every centre), or the problems of the last centre tried."""
    best: PricedLine | None = None
    problems: list[FieldProblem] = []
    for centre in centres:
        try:
            quote = price_quote(
                snapshot,
                QuoteRequest(
                    price_book=request.price_book,
                    term_months=request.term_months,
                    lines=[LineRequest(add_on.component, add_on.quantity, level, centre)],
                    discount_percent=request.discount_percent,
                ),
            )
        except PricingError as error:
            problems = [FieldProblem(item.field, item.message) for item in error.problems]
            continue
        (line,) = quote.lines
        if best is None or line.cost.contract_cents < best.cost.contract_cents:
            best = line
    return best, problems
