"""Whether a choice of components can be given quantities that add up: each within its
bounds and steps, the needs covered, every per-unit requirement covered by the chosen
providers (summed over every requirer), every quantity rule holding.

The options engine asks ``fits`` about each bundle its SAT solver proposes. A bundle splits
into independent parts (components tied by a capability some of them need or require, or
by a quantity rule); each part is a small integer program, decided once and cached, so the
many bundles a click's probes propose mostly reuse parts already decided. When a proposal
fails, ``exists`` answers exactly whether any bundle under the same assumptions fits: the
choice clauses and the quantities in one CP-SAT model; ``most_available`` finds, in the
same model, the bundle with the best availability (what an unreachable target is lowered to).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ortools.sat.python import cp_model

from app.configurator.availability import MAX_NEAR_MISSES
from app.configurator.choices import ChoiceModel
from app.configurator.constraints import quantity_relation
from app.configurator.errors import SolverTimeout
from app.configurator.model import LinearExpr, SatLiteral, scaled_sum, solve_model, total
from app.configurator.needs import serves
from app.configurator.request import Need
from app.configurator.scope import holds_when_nothing_is_chosen
from catalog.rules import QuantityRule

MAX_CACHED = 100_000
MAX_REUSABLE = 32  # choice models kept for reuse (a few needs and targets at a time)
MAX_SECONDS = 10.0  # one CP-SAT call at most, whatever the click's own limit
Part = tuple[frozenset[str], tuple[Need, ...]]


@dataclass(frozen=True, slots=True)
class _Bounds:
    low: int  # the least quantity of a chosen component (at least one)
    base: int  # steps count from here
    high: int
    step: int

    @property
    def least(self) -> int:
        """The smallest admissible quantity of a chosen component (may exceed ``high``)."""
        return self.base + max(0, -(-(self.low - self.base) // self.step)) * self.step

    @property
    def most(self) -> int:
        return self.base + (self.high - self.base) // self.step * self.step

    def admits_some(self) -> bool:
        return self.least <= self.high


class QuantityCheck:
    def __init__(self, choices: ChoiceModel) -> None:
        self.choices = choices
        snapshot = choices.snapshot
        self._rules = [
            rule
            for rule in snapshot.rules
            if isinstance(rule, QuantityRule) and rule.severity == "error"
        ]
        # Plain data read once: a snapshot lookup costs a pydantic attribute access.
        self._bounds: dict[str, _Bounds] = {}
        self._net: dict[str, dict[str, Decimal]] = {}  # provided minus required, per unit
        self._requires: dict[str, tuple[str, ...]] = {}
        self._touching: defaultdict[str, set[str]] = defaultdict(set)  # capability -> codes
        # For needs, which count only the providers that serve them: each component's own
        # amounts, and every component that provides or requires a capability.
        self._gives: dict[str, dict[str, Decimal]] = {}
        self._takes: dict[str, dict[str, Decimal]] = {}
        self._involved: defaultdict[str, set[str]] = defaultdict(set)
        self._serving: dict[tuple[str, tuple[tuple[str, str], ...]], frozenset[str]] = {}
        for component in snapshot.components:
            code, bounds = component.code, component.quantity
            self._bounds[code] = _Bounds(max(1, bounds.min), bounds.min, bounds.max, bounds.step)
            net: dict[str, Decimal] = {}
            for capability in {*component.provides, *component.requires}:
                amount = component.provides.get(capability, Decimal(0)) - component.requires.get(
                    capability, Decimal(0)
                )
                if amount:
                    net[capability] = amount
                    self._touching[capability].add(code)
            self._net[code] = net
            self._requires[code] = tuple(component.requires)
            self._gives[code] = dict(component.provides)
            self._takes[code] = dict(component.requires)
            for capability in {*component.provides, *component.requires}:
                self._involved[capability].add(code)
        self._rule_codes = [frozenset({*rule.left, *rule.right}) for rule in self._rules]
        self._rules_of: defaultdict[str, list[int]] = defaultdict(list)
        for index, codes in enumerate(self._rule_codes):
            for code in codes:
                self._rules_of[code].append(index)
        self._broken_when_empty = [
            index
            for index, rule in enumerate(self._rules)
            if not holds_when_nothing_is_chosen(rule)
        ]
        self._cache: dict[Part, bool] = {}
        self._reusables: dict[object, Any] = {}
        self._loose = frozenset(
            code
            for code, bounds in self._bounds.items()
            if bounds.admits_some() and not self._requires[code] and code not in self._rules_of
        )

    def fits(
        self, chosen: frozenset[str], needs: tuple[Need, ...], seconds: float = MAX_SECONDS
    ) -> bool:
        """Whether exactly ``chosen`` can be given quantities that add up (SolverTimeout if
        CP-SAT cannot tell within ``seconds``)."""
        # A component tied to nothing (no requirement, no quantity rule, providing nothing
        # needed or required) fits by its bounds alone: left out of the parts (measured: a
        # variant model of 400 such components spent a millisecond per proposal building
        # parts of one).
        tied = chosen - self._loose
        capabilities = {need.capability for need in needs}.union(
            *(self._requires[code] for code in tied)
        )
        touched = set().union(*(self._touching.get(c, ()) for c in capabilities))
        parts = self._parts(tied | (chosen & touched), needs)
        return parts is not None and all(self._part_fits(part, seconds) for part in parts)

    def _parts(self, chosen: frozenset[str], needs: tuple[Need, ...]) -> list[Part] | None:
        """The independent parts of ``chosen`` (None: some need or rule fails outright)."""
        if any(not self._rule_codes[index] & chosen for index in self._broken_when_empty):
            return None  # a rule that reads "0 <op> constant" and is false
        parent = {code: code for code in chosen}

        def root(code: str) -> str:
            while parent[code] != code:
                parent[code] = parent[parent[code]]
                code = parent[code]
            return code

        def join(codes: Iterable[str]) -> None:
            first: str | None = None
            for code in codes:
                if first is None:
                    first = root(code)
                else:
                    parent[root(code)] = first

        if any(not self._serves(need) & chosen for need in needs):
            return None
        for need in needs:
            join(self._involved[need.capability] & chosen)
        for capability in {c for code in chosen for c in self._requires[code]}:
            join(self._touching.get(capability, set()) & chosen)
        for code in chosen:
            for index in self._rules_of.get(code, ()):
                join(self._rule_codes[index] & chosen)
        grouped: defaultdict[str, set[str]] = defaultdict(set)
        for code in chosen:
            grouped[root(code)].add(code)
        need_part = {need: root(next(iter(self._serves(need) & chosen))) for need in needs}
        return [
            (frozenset(codes), tuple(need for need in needs if need_part[need] == key))
            for key, codes in grouped.items()
        ]

    def _part_fits(self, part: Part, seconds: float) -> bool:
        codes, needs = part
        if len(codes) == 1 and not needs:
            (code,) = codes
            if not self._requires[code] and code not in self._rules_of:
                return self._bounds[code].admits_some()  # nothing ties it: its bounds alone
        known = self._cache.get(part)
        if known is None:
            if len(self._cache) >= MAX_CACHED:
                self._cache.clear()
            if self._plainly_fits(codes, needs):
                known = self._cache[part] = True
                return known
            model = cp_model.CpModel()
            quantity = {code: self._quantity(model, code, None) for code in sorted(codes)}
            self._add_quantities(model, quantity, needs)
            known = self._cache[part] = _solvable(model, seconds)
        return known

    def _plainly_fits(self, codes: frozenset[str], needs: tuple[Need, ...]) -> bool:
        """Whether one of two obvious quantity choices works (a "yes" is exact, a "no" is
        left to CP-SAT): everything at its least, or, besides, every component that only
        provides at its most. Most parts pass, and a CpModel costs about a millisecond."""
        if not all(self._bounds[code].admits_some() for code in codes):
            return False
        capabilities = set().union(*(self._requires[code] for code in codes))
        rules = {index for code in codes for index in self._rules_of.get(code, ())}
        least = {code: self._bounds[code].least for code in codes}
        if self._covers(least, codes, needs, capabilities, rules):
            return True
        # Only when the least fails (most parts pass it: the generous try is left unbuilt).
        generous = {
            code: self._bounds[code].most
            if all(amount > 0 for amount in self._net[code].values())
            else least[code]
            for code in codes
        }
        return generous != least and self._covers(generous, codes, needs, capabilities, rules)

    def _covers(
        self,
        quantity: dict[str, int],
        codes: frozenset[str],
        needs: tuple[Need, ...],
        capabilities: set[str],
        rules: set[int],
    ) -> bool:
        """Whether ``quantity`` covers every requirement and need and holds every rule."""
        return all(
            sum(
                (self._net[code][capability] * quantity[code]
                 for code in self._touching.get(capability, set()) & codes),
                Decimal(0),
            ) >= 0
            for capability in capabilities
        ) and all(
            sum((amount * quantity[code] for amount, code in self._need_terms(need, codes)),
                Decimal(0)) >= need.quantity
            for need in needs
        ) and all(_holds(self._rules[index], quantity) for index in rules)  # fmt: skip

    def exists(
        self,
        assumptions: list[int],
        needs: tuple[Need, ...],
        availability: tuple[dict[str, int], int] | None = None,
        seconds: float = MAX_SECONDS,
        accept: Callable[[frozenset[str]], bool] = lambda _: True,
        fixed: frozenset[int] = frozenset(),
        hints: dict[str, bool] | None = None,
    ) -> frozenset[str] | None:
        """A choice under ``assumptions`` (and every clause of the choice model) whose
        quantities add up, or None if there is none; with ``availability`` (each chain
        component's -log term and the bound, ``AvailabilityCheck.weights``), whose terms
        also stay within the bound. A choice ``accept`` refuses (the exact availability
        product, which the rounded bound can overshoot by a hair) is excluded and the
        search repeated. ``fixed``: assumptions every call with these needs makes (the
        catalog's own items), built into the model once instead of assumed each time.
        ``hints``: components the caller would like in (True) or out (False), so that one
        answer settles as many of its questions as it can.
        SolverTimeout if CP-SAT cannot tell within ``seconds``."""
        # First on the model of these needs and this bound, built once and asked again
        # under each call's assumptions (profiled: building it was 56 % of a click with an
        # availability target, which escalates most probes here).
        model, chosen, quantity, literal = self._reusable(needs, availability, fixed)
        model.clear_assumptions()
        model.add_assumptions([literal(a) for a in assumptions if a not in fixed])
        model.clear_hints()  # type: ignore[no-untyped-call]
        for code, wanted in (hints or {}).items():
            if code in chosen:
                model.add_hint(chosen[code], wanted)
        solver = _solver(seconds)
        # Asked dozens of times a click: presolve and probing were most of each small solve
        # (measured, as for the explanations' assumption checks).
        solver.parameters.cp_model_presolve = False
        solver.parameters.cp_model_probing_level = 0
        if not _decided(solve_model(solver, model)):
            return None
        found = frozenset(c for c in self.choices.codes if solver.value(quantity[c]) > 0)
        if accept(found):
            return found
        # A near miss (the exact product below the target): searched again on a model of
        # its own, where excluding it cannot outlive this question.
        model, chosen, quantity = self._choice_model(assumptions, needs)
        if availability is not None:
            terms, bound = availability
            model.add(_chain_sum(chosen, terms) <= bound)
        for _ in range(MAX_NEAR_MISSES + 1):
            solver = _solver(seconds)
            if not _decided(solve_model(solver, model)):
                return None
            found = frozenset(c for c in self.choices.codes if solver.value(quantity[c]) > 0)
            if accept(found):
                return found
            other = [chosen[c].Not() if c in found else chosen[c] for c in self.choices.codes]
            model.add_bool_or(other)  # another choice than this one
        raise SolverTimeout("too many choices at the edge of the availability target")

    def most_available(
        self,
        assumptions: list[int],
        needs: tuple[Need, ...],
        terms: dict[str, int],
        seconds: float = MAX_SECONDS,
    ) -> frozenset[str] | None:
        """The choice under ``assumptions`` whose quantities add up with the least sum of
        chain ``terms`` (the -log terms of ``AvailabilityCheck.weights``: the most
        available), or None if no choice fits. The configurator's repair minimises the same
        rounded terms, so both find the same best availability.
        SolverTimeout if CP-SAT cannot prove the optimum within ``seconds`` (a choice found
        but not proved the best gives no figure: it would claim too little)."""
        model, chosen, quantity = self._choice_model(assumptions, needs)
        model.minimize(_chain_sum(chosen, terms))
        solver = _solver(seconds)
        status = solve_model(solver, model)
        if status == cp_model.INFEASIBLE:
            return None
        if status != cp_model.OPTIMAL:
            raise SolverTimeout("the best availability was not proved within the time limit")
        return frozenset(c for c in self.choices.codes if solver.value(quantity[c]) > 0)

    def _reusable(
        self,
        needs: tuple[Need, ...],
        availability: tuple[dict[str, int], int] | None,
        fixed: frozenset[int],
    ) -> tuple[
        cp_model.CpModel,
        dict[str, SatLiteral],
        dict[str, cp_model.IntVar],
        Callable[[int], SatLiteral],
    ]:
        """The choice model of ``needs`` (and the availability bound), without assumptions:
        built once, then asked under each call's assumptions (CP-SAT's own)."""
        # Clauses are only ever appended (a residency or level first asked adds its own):
        # their count tells a model built before them.
        key = (len(self.choices.clauses), needs, fixed, None if availability is None else
               (tuple(sorted(availability[0].items())), availability[1]))  # fmt: skip
        known = self._reusables.get(key)
        if known is None:
            if len(self._reusables) >= MAX_REUSABLE:
                self._reusables.clear()
            model, chosen, quantity, literal = self._choice_parts(sorted(fixed), needs)
            if availability is not None:
                terms, bound = availability
                model.add(_chain_sum(chosen, terms) <= bound)
            known = self._reusables[key] = (model, chosen, quantity, literal)
        return known

    def _choice_model(
        self, assumptions: list[int], needs: tuple[Need, ...]
    ) -> tuple[cp_model.CpModel, dict[str, SatLiteral], dict[str, cp_model.IntVar]]:
        model, chosen, quantity, _ = self._choice_parts(assumptions, needs)
        return model, chosen, quantity

    def _choice_parts(
        self, assumptions: list[int], needs: tuple[Need, ...]
    ) -> tuple[
        cp_model.CpModel,
        dict[str, SatLiteral],
        dict[str, cp_model.IntVar],
        Callable[[int], SatLiteral],
    ]:
        """The choice clauses under ``assumptions`` and the quantities, in one CP-SAT model:
        the model, each component's chosen literal and its quantity."""
        model = cp_model.CpModel()
        literals: dict[int, cp_model.IntVar] = {}

        def literal(signed: int) -> SatLiteral:
            var = literals.get(abs(signed))
            if var is None:
                var = literals[abs(signed)] = model.new_bool_var(str(abs(signed)))
            return var if signed > 0 else var.Not()

        for clause in self.choices.clauses:
            model.add_bool_or([literal(lit) for lit in clause])
        for assumed in assumptions:
            model.add_bool_or([literal(assumed)])
        chosen = {code: literal(self.choices.var(code)) for code in self.choices.codes}
        quantity = {code: self._quantity(model, code, chosen[code]) for code in self.choices.codes}
        self._add_quantities(model, quantity, needs)
        return model, chosen, quantity, literal

    def _quantity(
        self, model: cp_model.CpModel, code: str, chosen: SatLiteral | None
    ) -> cp_model.IntVar:
        bounds = self._bounds[code]
        q = model.new_int_var(0 if chosen is not None else bounds.low, bounds.high, code)
        if chosen is not None:
            model.add(q >= bounds.low * chosen)
            model.add(q <= bounds.high * chosen)
        if bounds.step > 1:
            steps = model.new_int_var(0, (bounds.high - bounds.base) // bounds.step, "")
            base = bounds.base * chosen if chosen is not None else bounds.base
            model.add(q == base + bounds.step * steps)
        return q

    def _add_quantities(
        self, model: cp_model.CpModel, quantity: dict[str, cp_model.IntVar], needs: tuple[Need, ...]
    ) -> None:
        capabilities: set[str] = set()
        for code in quantity:
            capabilities.update(self._requires[code])
        for capability in sorted(capabilities):
            members = sorted(self._touching.get(capability, set()) & quantity.keys())
            terms: list[tuple[Decimal, LinearExpr]] = [
                (self._net[code][capability], quantity[code]) for code in members
            ]
            supplied, wanted_ints = scaled_sum(terms, Decimal(0))
            model.add(supplied >= wanted_ints)
        for need in needs:
            served = [(amount, quantity[code]) for amount, code in
                      self._need_terms(need, quantity.keys())]  # fmt: skip
            supplied, wanted_ints = scaled_sum(served, Decimal(need.quantity))
            model.add(supplied >= wanted_ints)
        for index, rule in enumerate(self._rules):
            if self._rule_codes[index] & quantity.keys():
                model.add(quantity_relation(rule, lambda code: total([quantity[code]]
                                                                      if code in quantity
                                                                      else [])))  # fmt: skip

    def _serves(self, need: Need) -> frozenset[str]:
        variant = (need.capability, need.attributes)  # not the quantity: a few variants
        known = self._serving.get(variant)
        if known is None:
            served = serves(self.choices.snapshot, need)
            known = self._serving[variant] = frozenset(provider.code for provider in served)
        return known

    def _need_terms(self, need: Need, codes: Iterable[str]) -> list[tuple[Decimal, str]]:
        """Each of ``codes``' part in covering ``need``, per unit: what it provides if it
        serves the need, less what it requires of the capability."""
        capability, serving = need.capability, self._serves(need)
        terms = []
        for code in sorted(self._involved[capability].intersection(codes)):
            given = self._gives[code].get(capability, Decimal(0)) if code in serving else 0
            amount = given - self._takes[code].get(capability, Decimal(0))
            if amount:
                terms.append((amount, code))
        return terms


def _chain_sum(chosen: dict[str, SatLiteral], terms: dict[str, int]) -> LinearExpr:
    """The chosen chain components' -log terms summed (the lower, the more available)."""
    on_chain = [code for code in terms if code in chosen]
    return cp_model.LinearExpr.weighted_sum(
        [chosen[code] for code in on_chain], [terms[code] for code in on_chain]
    )


def _solver(seconds: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.0, min(seconds, MAX_SECONDS))
    return solver


def _decided(status: cp_model.CpSolverStatus) -> bool:
    """Whether a solve found quantities (True) or proved there are none (False); a solve
    cut short by its time limit is neither, and never read as a "no"."""
    if status == cp_model.UNKNOWN:
        raise SolverTimeout("the quantities were not decided within the time limit")
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def _solvable(model: cp_model.CpModel, seconds: float) -> bool:
    return _decided(solve_model(_solver(seconds), model))


def _holds(rule: QuantityRule, quantity: dict[str, int]) -> bool:
    """``rule`` at the given quantities (a component not in ``quantity`` counts 0)."""
    difference = sum(
        (c * quantity.get(code, 0) for code, c in rule.left.items()), Decimal(0)
    ) - sum((c * quantity.get(code, 0) for code, c in rule.right.items()), Decimal(0))
    return {"<=": difference <= rule.constant, ">=": difference >= rule.constant,
            "==": difference == rule.constant}[rule.op]  # fmt: skip
