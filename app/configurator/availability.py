"""The end-to-end availability a choice of components can reach, for the options engine.

Only components on the availability chain count, each at its chosen service level or, when
none is chosen, at its most available one (levels are independent of every rule, so the
best a bundle can do is each component at its best). The product is exact (``Decimal``);
for CP-SAT the same bound is a sum of scaled -log terms that never refuses a choice the
product accepts (it may admit one the product refuses by rounding: the caller checks).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from app.configurator.constraints import minus_log
from catalog.snapshot import CatalogSnapshot

NO_PROMISE = Decimal("1e-9")  # a chain level without an availability promises none


class AvailabilityCheck:
    def __init__(self, snapshot: CatalogSnapshot) -> None:
        self._chain: dict[str, dict[str, Decimal]] = {
            component.code: {
                level.name: level.availability or Decimal(0) for level in component.service_levels
            }
            for component in snapshot.components
            if component.availability_chain
        }

    def _percent(self, code: str, levels: Mapping[str, str]) -> Decimal | None:
        offered = self._chain.get(code)
        if offered is None:
            return None
        return offered[levels[code]] if code in levels else max(offered.values())

    def reaches(self, chosen: Iterable[str], levels: Mapping[str, str], target: Decimal) -> bool:
        """Whether ``chosen``, at ``levels`` (the others at their best), reaches ``target``
        percent: the product of the chain's availabilities, as the configurator reports it."""
        product = Decimal(1)
        for code in chosen:
            percent = self._percent(code, levels)
            if percent is not None:
                product *= percent / 100
        return product * 100 >= target

    def weights(self, levels: Mapping[str, str], target: Decimal) -> tuple[dict[str, int], int]:
        """Each chain component's -log term (rounded down) and the target's (rounded up):
        a choice that reaches the target sums to at most the bound (an exact tie included);
        one within rounding of it may too, so a solution is checked with ``reaches``."""
        terms = {}
        for code in self._chain:
            percent = self._percent(code, levels)
            assert percent is not None
            terms[code] = minus_log(percent or NO_PROMISE, up=False)
        return terms, minus_log(target, up=True)
