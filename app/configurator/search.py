"""The search for a request's bundles: the best one and good/better/best alternatives, each
priced by the pricing engine and explained line by line.

The objective is in exact integer cents from the pricing engine, so the solver's optimum is
the engine's total to the cent. The same request on the same catalog gives the same bundle:
with one worker (the default) CP-SAT's search is deterministic; with several, ties are
broken by a second solve with the optimum fixed (fewer components, then fewer units, then
the catalog's order of options).
"""

from __future__ import annotations

import time
from dataclasses import replace
from decimal import Decimal

from ortools.sat.python import cp_model

from app.configurator.availability import MAX_NEAR_MISSES, chain_percent
from app.configurator.constraints import add_all
from app.configurator.model import (
    ConfigModel,
    LinearExpr,
    SatLiteral,
    build_variables,
    scaled,
    solve_model,
    total,
)
from app.configurator.reasons import availability_of, reasons_for
from app.configurator.request import ConfigurationRequest, Limits
from app.configurator.results import Bundle, Solution, Status
from catalog.rules import SameCentreRule
from catalog.snapshot import CatalogSnapshot
from pricing.quote import LineRequest, QuoteRequest, price_quote


class _NoPlacement(Exception):
    """The relaxation's bundle cannot be delivered at the costs it assumed (capacity binds):
    the centres must be decided in the model."""


def best_bundles(
    snapshot: CatalogSnapshot, request: ConfigurationRequest, limits: Limits, deadline: float
) -> Solution:
    """Up to ``request.alternatives`` bundles, best first (none when there is no valid one,
    or when nothing is asked).

    First without centres in the model, the usual case: levels and quantities decide the
    price, and centres are placed afterwards. Only when a placement fails (a centre's
    capacity binds) is the model with centres solved.
    """
    try:
        return _solve(build_variables(snapshot, request, centres=False), limits, deadline)
    except _NoPlacement:
        return _solve(build_variables(snapshot, request, centres=True), limits, deadline)


def _solve(config: ConfigModel, limits: Limits, deadline: float) -> Solution:
    add_all(config)
    bundles: list[Bundle] = []
    status: Status = "optimal"
    timed_out = False
    short = 0  # bundles the rounded availability admitted and the exact product refused
    while len(bundles) < config.request.alternatives and short <= MAX_NEAR_MISSES:
        found = solve_best(config, limits, deadline)
        if found is None or not found[0]:
            break  # none, or only the empty bundle (a request relaxed to nothing asks none)
        chosen, proven = found
        exclude_same_bundle(config, chosen)
        if not _reaches_target(config, chosen):
            short += 1
            continue
        if not proven:
            status, timed_out = "feasible", True
        bundles.append(bundle_of(config, place_cheaply(config, chosen, limits, deadline)))
        if timed_out:
            break
    return Solution(status, tuple(bundles), timed_out)


Chosen = tuple[tuple[str, str, str, int], ...]  # (component, level, centre, quantity)


def _reaches_target(config: ConfigModel, chosen: Chosen) -> bool:
    """Whether ``chosen`` reaches the availability target by its exact product."""
    target = config.request.min_availability
    if target is None:
        return True
    chain = [config.choices[code].component.service_level(level).availability
             for code, level, *_ in chosen
             if config.choices[code].component.availability_chain]  # fmt: skip
    return chain_percent(chain) >= target


def objective_of(config: ConfigModel) -> LinearExpr:
    """What to minimise, in cents over the contract."""
    objective = config.request.objective
    if objective == "min_cost":
        return config.contract_cost()
    if objective == "max_margin":
        return config.contract_cost() - config.contract_price()
    return config.contract_price()


def _tie_break(config: ConfigModel) -> LinearExpr:
    terms: list[LinearExpr] = []
    rank = 0
    for code in sorted(config.choices):
        choice = config.choices[code]
        terms.append(choice.chosen * 1_000_000)
        terms.append(choice.quantity * 1)
        for literal in [*(o.chosen for o in choice.options), *choice.level_chosen.values()]:
            rank += 1
            terms.append(literal * rank)
    return total(terms)


def optimiser(limits: Limits, deadline: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = limits.workers
    solver.parameters.max_time_in_seconds = max(0.01, deadline - time.monotonic())
    solver.parameters.random_seed = 7
    # Measured (benchmarks/configurator.py): the LP does the work on these models. One
    # presolve pass without probing or symmetry detection halves the solve on the default
    # catalog; the full linearisation (level 2) finds the optimum of the 10,000-component
    # catalog in about 1.5 s, where level 1 has not reached it after 20 s.
    solver.parameters.linearization_level = 2
    solver.parameters.max_presolve_iterations = 1
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    # The LP holds every linear constraint from the start instead of adding the violated
    # ones round by round: on the 10,000-component catalog the solve takes 0.6 s of CPU
    # instead of 1.5 s (deterministic time 0.05 instead of 0.19), the same optimum.
    solver.parameters.add_lp_constraints_lazily = False
    return solver


def solve_best(config: ConfigModel, limits: Limits, deadline: float) -> tuple[Chosen, bool] | None:
    """The best assignment (and whether it is proven optimal), or None if there is none."""
    model = config.model
    objective = objective_of(config)
    model.minimize(objective)
    solver = optimiser(limits, deadline)
    status = solve_model(solver, model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    proven = status == cp_model.OPTIMAL
    best = round(solver.objective_value)
    chosen = _read(config, solver)
    if proven and limits.workers > 1 and time.monotonic() < deadline:
        # One worker searches deterministically. Parallel workers race, so among the optimal
        # bundles pick the same one every time: a copy of the model (same variable indices)
        # with the optimum fixed, minimising the tie-break.
        ties = model.clone()
        ties.add(objective == best)
        _hint(config, ties, solver)
        ties.minimize(_tie_break(config))
        second = optimiser(limits, deadline)
        if solve_model(second, ties) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            chosen = _read(config, second)
    return chosen, proven


def _hint(config: ConfigModel, model: cp_model.CpModel, solver: cp_model.CpSolver) -> None:
    model.clear_hints()  # type: ignore[no-untyped-call]  # untyped in OR-Tools' stubs
    hinted: set[int] = set()
    for choice in config.choices.values():
        # A component with one level uses its own variables for that level: each variable
        # is hinted once (CP-SAT refuses a model hinting one twice).
        for var in [choice.chosen, choice.quantity, *(o.chosen for o in choice.options),
                    *choice.level_chosen.values()]:  # fmt: skip
            if var.index not in hinted:
                hinted.add(var.index)
                model.add_hint(var, solver.value(var))


def _read(config: ConfigModel, solver: cp_model.CpSolver) -> Chosen:
    lines = []
    for code in sorted(config.choices):
        choice = config.choices[code]
        if not solver.boolean_value(choice.chosen):
            continue
        centre = next((o.centre.code for o in choice.options if solver.boolean_value(o.chosen)), "")
        level = next(
            name for name, literal in choice.level_chosen.items() if solver.boolean_value(literal)
        )
        lines.append((code, level, centre, solver.value(choice.quantity)))
    return tuple(lines)


def place_cheaply(config: ConfigModel, chosen: Chosen, limits: Limits, deadline: float) -> Chosen:
    """With levels and quantities fixed, deliver each line from the centre that costs least
    (within the residency, every centre's capacity and co-location): the same price, the
    best margin.

    A model without centres gets its centres here; if they do not fit, or cost more than the
    model assumed, ``_NoPlacement`` says the model must decide them. A model with centres
    has placed its lines already; when only the price counted, they are moved to cheaper
    centres if there are any."""
    if not chosen or (config.centres_modelled and config.request.objective != "min_price"):
        return chosen
    request, terms = config.request, config.terms
    model = cp_model.CpModel()
    picks: dict[tuple[str, str], cp_model.IntVar] = {}
    costs: list[LinearExpr] = []
    loads: dict[str, list[tuple[Decimal, int, cp_model.IntVar]]] = {}
    assumed = 0
    for code, level_name, _, quantity in chosen:
        choice = config.choices[code]
        component = choice.component
        level = component.service_level(level_name)
        hours = sum(component.effort.monthly.values(), Decimal(0))
        assumed += choice.level_cost.get(level_name, 0) * quantity
        centres = (
            [option.centre for option in choice.options]
            if config.centres_modelled
            else config.centres_for(component)
        )
        for centre in centres:
            derived = terms.of(component, level, centre)
            if isinstance(derived, list):
                continue
            pick = picks[(code, centre.code)] = model.new_bool_var("")
            contract = derived.monthly_cost * request.term_months + derived.one_time_cost
            costs.append(pick * (contract * quantity))
            loads.setdefault(centre.code, []).append((hours, quantity, pick))
        model.add_exactly_one(p for (c, _), p in picks.items() if c == code)
    _together(config, model, picks)
    for centre_code, load in loads.items():
        ints, scale = scaled([hours for hours, _, _ in load])
        capacity = config.snapshot.delivery_centre(centre_code).monthly_capacity_hours
        model.add(
            total(pick * (h * q) for h, (_, q, pick) in zip(ints, load, strict=True))
            <= capacity * scale
        )
    model.minimize(total(costs))
    solver = optimiser(replace(limits, workers=1), deadline)  # one worker: deterministic
    if solve_model(solver, model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if config.centres_modelled:
            return chosen  # the solver's own placement is valid; keep it
        raise _NoPlacement
    dearer = round(solver.objective_value) > assumed and request.objective != "min_price"
    if dearer and not config.centres_modelled:
        raise _NoPlacement
    return tuple(
        (code, level, next(c for (k, c), p in picks.items() if k == code and solver.value(p)), q)
        for code, level, _, q in chosen
    )


def _together(
    config: ConfigModel, model: cp_model.CpModel, picks: dict[tuple[str, str], cp_model.IntVar]
) -> None:
    """Co-location in the placement: the picks of a rule's members share one centre."""
    for rule in config.snapshot.rules:
        if not isinstance(rule, SameCentreRule) or rule.severity != "error":
            continue
        members = set(config.snapshot.members(rule))
        at: dict[str, cp_model.IntVar] = {}
        for (code, centre), pick in picks.items():
            if code in members:
                if centre not in at:
                    at[centre] = model.new_bool_var("")
                model.add_implication(pick, at[centre])
        model.add_at_most_one(at.values())


def exclude_same_bundle(config: ConfigModel, chosen: Chosen) -> None:
    """The next alternative differs in its components or their service levels (not only in
    where they are delivered from)."""
    picked = {(code, level) for code, level, _, _ in chosen}
    differ: list[SatLiteral] = []
    for code, choice in config.choices.items():
        for level, literal in choice.level_chosen.items():
            differ.append(literal.Not() if (code, level) in picked else literal)
    if differ:
        config.model.add_bool_or(differ)


def bundle_of(config: ConfigModel, chosen: Chosen) -> Bundle:
    request = config.request
    quote = price_quote(
        config.snapshot,
        QuoteRequest(
            request.price_book,
            request.term_months,
            [
                LineRequest(code, quantity, level, centre)
                for code, level, centre, quantity in chosen
            ],
            request.discount_percent,
        ),
    )
    return Bundle(quote, reasons_for(config, quote), availability_of(quote))
