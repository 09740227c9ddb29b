"""Whether a choice of components can be given quantities that add up: each within its
bounds and steps, the needs covered, every per-unit requirement covered by the chosen
providers (summed over every requirer), every quantity rule holding.

The options engine asks ``fits`` about each bundle its SAT solver proposes (a small integer
program, cached per bundle); when a proposal fails it, ``exists`` answers exactly whether
any bundle under the same assumptions fits: the choice clauses and the quantities in one
CP-SAT model.
"""

from __future__ import annotations

from decimal import Decimal

from ortools.sat.python import cp_model

from app.configurator.choices import ChoiceModel
from app.configurator.constraints import quantity_relation
from app.configurator.model import LinearExpr, scaled_sum, total
from app.configurator.request import Need
from catalog.rules import QuantityRule

MAX_CACHED = 100_000


class QuantityCheck:
    def __init__(self, choices: ChoiceModel) -> None:
        self.choices = choices
        self.snapshot = choices.snapshot
        self._rules = [
            rule
            for rule in self.snapshot.rules
            if isinstance(rule, QuantityRule) and rule.severity == "error"
        ]
        self._cache: dict[tuple[frozenset[str], tuple[Need, ...]], bool] = {}

    def fits(self, chosen: frozenset[str], needs: tuple[Need, ...]) -> bool:
        """Whether exactly ``chosen`` can be given quantities that add up."""
        key = (chosen, needs)
        known = self._cache.get(key)
        if known is None:
            if len(self._cache) >= MAX_CACHED:
                self._cache.clear()
            model = cp_model.CpModel()
            quantity = {code: self._quantity(model, code, None) for code in sorted(chosen)}
            self._add_quantities(model, quantity, needs)
            known = self._cache[key] = _solvable(model)
        return known

    def exists(self, assumptions: list[int], needs: tuple[Need, ...]) -> frozenset[str] | None:
        """A choice under ``assumptions`` (and every clause of the choice model) whose
        quantities add up, or None if there is none."""
        model = cp_model.CpModel()
        literals: dict[int, cp_model.IntVar] = {}

        def literal(signed: int) -> cp_model.IntVar | object:
            var = literals.get(abs(signed))
            if var is None:
                var = literals[abs(signed)] = model.new_bool_var(str(abs(signed)))
            return var if signed > 0 else var.Not()

        for clause in self.choices.clauses:
            model.add_bool_or([literal(lit) for lit in clause])  # type: ignore[misc]
        for assumed in assumptions:
            model.add_bool_or([literal(assumed)])  # type: ignore[list-item]
        chosen = {code: literal(self.choices.var(code)) for code in self.choices.codes}
        quantity = {
            code: self._quantity(model, code, chosen[code])  # type: ignore[arg-type]
            for code in self.choices.codes
        }
        self._add_quantities(model, quantity, needs)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 10.0
        if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return frozenset(code for code in self.choices.codes if solver.value(quantity[code]) > 0)

    def _quantity(
        self, model: cp_model.CpModel, code: str, chosen: cp_model.IntVar | None
    ) -> cp_model.IntVar:
        bounds = self.snapshot.component(code).quantity
        low = max(1, bounds.min)
        q = model.new_int_var(0 if chosen is not None else low, bounds.max, code)
        if chosen is not None:
            model.add(q >= low * chosen)
            model.add(q <= bounds.max * chosen)
        if bounds.step > 1:
            steps = model.new_int_var(0, (bounds.max - bounds.min) // bounds.step, "")
            base = bounds.min * chosen if chosen is not None else bounds.min
            model.add(q == base + bounds.step * steps)
        return q

    def _add_quantities(
        self, model: cp_model.CpModel, quantity: dict[str, cp_model.IntVar], needs: tuple[Need, ...]
    ) -> None:
        wanted = {need.capability: Decimal(need.quantity) for need in needs}
        capabilities = set(wanted)
        for code in quantity:
            capabilities.update(self.snapshot.component(code).requires)
        for capability in sorted(capabilities):
            terms: list[tuple[Decimal, LinearExpr]] = []
            for code, q in quantity.items():
                component = self.snapshot.component(code)
                amount = component.provides.get(capability, Decimal(0)) - component.requires.get(
                    capability, Decimal(0)
                )
                if amount:
                    terms.append((amount, q))
            supplied, wanted_ints = scaled_sum(terms, wanted.get(capability, Decimal(0)))
            model.add(supplied >= wanted_ints)
        for rule in self._rules:
            model.add(
                quantity_relation(
                    rule, lambda code: total([quantity[code]] if code in quantity else [])
                )
            )


def _solvable(model: cp_model.CpModel) -> bool:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0
    return solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
