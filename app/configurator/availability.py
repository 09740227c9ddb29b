"""The end-to-end availability a choice of components can reach, for the options engine.

Only components on the availability chain count, each at its chosen service level or, when
none is chosen, at its most available one (levels are independent of every rule, so the
best a bundle can do is each component at its best). The product is exact (``Decimal``);
for CP-SAT the same bound is a sum of scaled -log terms that never refuses a choice the
product accepts (it may admit one the product refuses by rounding: the caller checks).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_FLOOR, Decimal

from app.configurator.constraints import minus_log
from catalog.snapshot import CatalogSnapshot
from pricing.money import factor_text

MAX_WEIGHTS = 64  # (levels, target) pairs whose terms are kept
# Choices the rounded bound admits and the exact product refuses, excluded one by one
# before a search gives up (by the configurator and the options engine alike).
MAX_NEAR_MISSES = 20
NO_PROMISE = Decimal("1e-9")  # a chain level without an availability promises none


def chain_percent(availabilities: Iterable[Decimal | None]) -> Decimal:
    """The end-to-end availability, in percent, of a chain whose lines promise these
    (None: a level without an availability, which promises none)."""
    product = Decimal(1)
    for percent in availabilities:
        product *= (percent or Decimal(0)) / 100
    return product * 100


def floor_percent(value: Decimal) -> Decimal:
    """A percentage to three decimals, rounded down: a figure a bundle truly reaches."""
    return value.quantize(Decimal("0.001"), rounding=ROUND_FLOOR)


def accept_less(reached: Decimal) -> str:
    """The repair that lowers an availability target to ``reached``, the best reachable
    (in the configurator's and the options engine's words alike)."""
    return f"accept {factor_text(reached)} % availability, the best a bundle reaches"


class AvailabilityCheck:
    def __init__(self, snapshot: CatalogSnapshot) -> None:
        self._chain: dict[str, dict[str, Decimal]] = {
            component.code: {
                level.name: level.availability or Decimal(0) for level in component.service_levels
            }
            for component in snapshot.components
            if component.availability_chain
        }
        self._weights: dict[tuple[object, ...], tuple[dict[str, int], int]] = {}

    def _percent(self, code: str, levels: Mapping[str, str]) -> Decimal | None:
        offered = self._chain.get(code)
        if offered is None:
            return None
        return offered[levels[code]] if code in levels else max(offered.values())

    def reaches(self, chosen: Iterable[str], levels: Mapping[str, str], target: Decimal) -> bool:
        """Whether ``chosen``, at ``levels`` (the others at their best), reaches ``target``
        percent."""
        return self.percent(chosen, levels) >= target

    def percent(self, chosen: Iterable[str], levels: Mapping[str, str]) -> Decimal:
        """The availability ``chosen`` reaches at ``levels`` (the others at their best): the
        product of the chain's availabilities, as the configurator reports it."""
        return chain_percent(self._percent(code, levels) for code in chosen if code in self._chain)

    def weights(self, levels: Mapping[str, str], target: Decimal) -> tuple[dict[str, int], int]:
        """Each chain component's -log term (rounded down) and the target's (rounded up):
        a choice that reaches the target sums to at most the bound (an exact tie included);
        one within rounding of it may too, so a solution is checked with ``reaches``."""
        key = (tuple(sorted(levels.items())), target)
        known = self._weights.get(key)
        if known is None:  # the same for every solve of a click: the logarithms once
            terms = {
                code: minus_log(self._percent(code, levels) or NO_PROMISE, up=False)
                for code in self._chain
            }
            known = self._weights[key] = (terms, minus_log(target, up=True))
            if len(self._weights) > MAX_WEIGHTS:
                self._weights = {key: known}
        return known
