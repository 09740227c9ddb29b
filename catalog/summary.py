"""Counts that describe a catalog at a glance."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from catalog.snapshot import CatalogSnapshot


@dataclass(frozen=True, slots=True)
class CatalogSummary:
    components: int
    by_family: dict[str, int]
    by_layer: dict[str, int]
    by_status: dict[str, int]
    capabilities: int
    delivery_centres: tuple[str, ...]  # "CZ-BRN (CZ, EU)"
    price_books: tuple[str, ...]  # "EUR (EUR)"
    rules_by_kind: dict[str, int]
    offerings: tuple[str, ...]
    assured_combinations: int


def _counts(values: list[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def summarise(snapshot: CatalogSnapshot) -> CatalogSummary:
    components = snapshot.components
    return CatalogSummary(
        components=len(components),
        by_family=_counts([component.family for component in components]),
        by_layer=_counts([component.layer for component in components]),
        by_status=_counts([component.status for component in components]),
        capabilities=len(snapshot.capabilities),
        delivery_centres=tuple(
            f"{centre.code} ({centre.country}, {centre.region})"
            for centre in snapshot.delivery_centres
        ),
        price_books=tuple(f"{book.code} ({book.currency})" for book in snapshot.price_books),
        rules_by_kind=_counts([rule.kind for rule in snapshot.rules]),
        offerings=tuple(f"{offering.code}: {offering.name}" for offering in snapshot.offerings),
        assured_combinations=len(snapshot.assurances),
    )


def render(summary: CatalogSummary) -> str:
    """Plain-text report, as ``offerwright catalog validate`` prints it."""

    def table(title: str, counts: dict[str, int]) -> list[str]:
        width = max((len(key) for key in counts), default=0)
        return [f"{title}:", *(f"  {key:<{width}}  {count:>5}" for key, count in counts.items())]

    lines = [
        f"{summary.components} components, {summary.capabilities} capabilities, "
        f"{sum(summary.rules_by_kind.values())} rules, {len(summary.offerings)} offerings, "
        f"{summary.assured_combinations} assured combinations",
        *table("Components by family", summary.by_family),
        *table("Components by layer", summary.by_layer),
        *table("Components by status", summary.by_status),
        f"Delivery centres ({len(summary.delivery_centres)}):",
        *(f"  {centre}" for centre in summary.delivery_centres),
        f"Price books ({len(summary.price_books)}):",
        *(f"  {book}" for book in summary.price_books),
        *table("Rules by kind", summary.rules_by_kind),
        f"Offerings ({len(summary.offerings)}):",
        *(f"  {offering}" for offering in summary.offerings),
    ]
    return "\n".join(lines)
