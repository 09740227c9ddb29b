"""When no bundle exists: a minimal conflict and repairs of the request, in words sales can
repeat.

The conflict: every request constraint and catalog rule sits under an assumption literal;
CP-SAT's sufficient assumptions give a core, which is not minimal, so it is shrunk by
deletion (each item whose removal leaves the rest infeasible goes). Repairs are minimal
sets of the request's own constraints (never the catalog's) whose relaxation makes the ask
feasible: a breadth-first hitting-set search over conflicts (Reiter), so the smallest come
first. Each relaxes as little as the rest of the request allows (CP-SAT optimises what it
relaxes: the most of a need, the best availability, the least budget) and comes with the
best bundle it then allows.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from ortools.sat.python import cp_model

from app.configurator.availability import accept_less, chain_percent, floor_percent
from app.configurator.constraints import add_all, chain_weight, minus_log, need_balance
from app.configurator.errors import ConflictItem, Infeasible, Repair
from app.configurator.model import ConfigModel, Group, build_variables, solve_model
from app.configurator.needs import serves
from app.configurator.request import ConfigurationRequest, Limits, Need
from app.configurator.results import Bundle
from app.configurator.search import best_bundles, optimiser
from catalog.components import Component
from catalog.snapshot import CatalogSnapshot
from pricing.money import Money, factor_text, from_cents

REQUEST_KINDS = frozenset({"need", "include", "exclude", "residency", "availability", "budget"})
MAX_REPAIRS = 3
MAX_REPAIR_SIZE = 3
MAX_REPAIR_CHECKS = 8  # feasibility checks the repair search may spend
MAX_LOADS = 4  # components a capacity item names the hours of


def _describe(config: ConfigModel, group: Group) -> ConflictItem:
    snapshot, request = config.snapshot, config.request
    kind, ref = group.kind, group.ref
    currency = config.book.currency
    if kind == "need":
        need = next(n for n in request.needs if n.capability == ref)
        unit = snapshot.capability(ref).unit
        detail = f"need {need.ref} ({need.quantity:,} {unit}){_bound(config, need)}"
        blocked = [
            f"{provider.code}: {config.undeliverable[provider.code]}"
            for provider in serves(snapshot, need)
            if provider.code in config.undeliverable
        ]
        if blocked:
            detail += " (" + "; ".join(blocked) + ")"
    elif kind == "include":
        detail = f"{ref} must be in the bundle"
    elif kind == "exclude":
        detail = f"{ref} must not be in the bundle"
    elif kind == "residency":
        detail = f"delivery only from {', '.join(request.residency or ())}"
        outside = _needs_only_outside(config)
        if outside:
            detail += ": " + "; ".join(outside)
    elif kind == "availability":
        detail = f"end-to-end availability of at least {request.min_availability} %"
    elif kind == "budget":
        detail = f"budget {_money(Money(request.budget_monthly or Decimal(0), currency))}"
    elif kind == "capacity":
        centre = snapshot.delivery_centre(ref)
        detail = f"{ref} can deliver {centre.monthly_capacity_hours:,} effort hours a month"
        detail += _loads(config, ref)
    else:
        rule = next(rule for rule in snapshot.rules if rule.id == ref)
        detail = f"rule {ref}: {rule.message}"
    return ConflictItem(kind, ref, detail)


def _loads(config: ConfigModel, centre: str) -> str:
    """What a unit of each component the centre could deliver takes of its hours."""
    loads = [
        f"each {choice.component.unit} of {code} takes {factor_text(hours)}"
        for code, choice in sorted(config.choices.items())
        if any(option.centre.code == centre for option in choice.options)
        and (hours := sum(choice.component.effort.monthly.values(), Decimal(0)))
    ]
    if len(loads) > MAX_LOADS:
        loads = [*loads[:MAX_LOADS], f"{len(loads) - MAX_LOADS} more"]
    return f" ({'; '.join(loads)})" if loads else ""


def _bound(config: ConfigModel, need: Need) -> str:
    """What caps ``need`` below its quantity, with its figures: the quantity.max of the
    providers serving it summed, or a capability every one of them requires whose own
    providers' quantity.max cannot cover that many (empty when neither binds)."""
    capability, quantity = need.capability, need.quantity
    providers = _deliverable(config, serves(config.snapshot, need))
    unit = config.snapshot.capability(capability).unit
    most, each = _most(providers, capability)
    if providers and most < quantity:
        return f": every provider at its quantity.max covers {most:,f} {unit} at most ({each})"
    shared = set.intersection(*(set(p.requires) for p in providers)) if providers else set()
    for required in sorted(shared):
        per_unit = min(p.requires[required] / p.provides[capability] for p in providers)
        supply, each = _most(_deliverable(config, config.snapshot.providers_of(required)), required)
        if per_unit > 0 and supply / per_unit < quantity:
            needed = config.snapshot.capability(required).unit
            return (
                f": every provider needs {factor_text(per_unit)} {needed} of {required} per "
                f"{unit}, and its providers at their quantity.max cover {supply:,f} {needed} "
                f"at most ({each})"
            )
    return ""


def _deliverable(config: ConfigModel, providers: Iterable[Component]) -> list[Component]:
    """Those of ``providers`` in the model that some centre can deliver."""
    return [
        config.choices[provider.code].component
        for provider in providers
        if provider.code in config.choices and provider.code not in config.undeliverable
    ]


def _most(providers: list[Component], capability: str) -> tuple[Decimal, str]:
    """What ``providers`` cover of ``capability`` at their quantity.max, and each's max."""
    most = sum((p.provides[capability] * p.quantity.max for p in providers), Decimal(0))
    return most, ", ".join(f"{p.code} {p.quantity.max:,}" for p in providers)


def _needs_only_outside(config: ConfigModel) -> list[str]:
    """Capabilities the request reaches that no centre inside the residency can deliver."""
    regions = ", ".join(config.request.residency or ())
    wanted = {need.capability for need in config.request.needs}
    for choice in config.choices.values():
        wanted.update(choice.component.requires)
    found = []
    for capability in sorted(wanted):
        providers = [
            config.choices[provider.code]
            for provider in config.snapshot.providers_of(capability)
            if provider.code in config.choices
        ]
        reachable = [choice for choice in providers if choice.options]
        if reachable and all(
            option.outside_residency for choice in reachable for option in choice.options
        ):
            competencies = sorted({choice.component.competency for choice in reachable})
            found.append(
                f"no {regions} centre can deliver {capability} "
                f"(it needs competency {' or '.join(repr(c) for c in competencies)})"
            )
    return found


class _Explainer:
    def __init__(self, config: ConfigModel, limits: Limits, deadline: float) -> None:
        self.config, self.limits, self.deadline = config, limits, deadline
        self.literals = dict(config.groups)

    def infeasible(self, groups: list[Group]) -> tuple[bool, list[Group]]:
        """Whether ``groups`` (the others relaxed) admit no bundle, and a core if not."""
        model = self.config.model
        model.clear_assumptions()
        model.add_assumptions([self.literals[group] for group in groups])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1  # assumptions need a single worker
        solver.parameters.linearization_level = 2
        # Measured on the default catalog: presolve and probing were two thirds of every
        # check (14 ms of 15 on a model of 590 variables); without them a check takes 3-6 ms.
        solver.parameters.cp_model_presolve = False
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.max_time_in_seconds = max(0.05, self.deadline - time.monotonic())
        status = solve_model(solver, model)
        if status != cp_model.INFEASIBLE:
            return False, []
        by_index = {literal.index: group for group, literal in self.literals.items()}
        core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility()]
        return True, [group for group in groups if group in core] or list(groups)

    def minimal_conflict(self, groups: list[Group]) -> list[Group]:
        infeasible, core = self.infeasible(groups)
        if not infeasible:
            return []
        index = 0
        while index < len(core):
            trial = core[:index] + core[index + 1 :]
            still, smaller = self.infeasible(trial)
            if still:
                # Keep what the solver says suffices, in the order already tested.
                core = [group for group in trial if group in smaller] if smaller else trial
                index = min(index, len(core))
            else:
                index += 1
        return core

    def diagnoses(self, groups: list[Group], conflict: list[Group]) -> list[tuple[Group, ...]]:
        """Up to MAX_REPAIRS minimal sets of request groups whose relaxation is feasible.

        Every repair relaxes some request group of ``conflict`` (a minimal conflict of
        ``groups``), so the search starts from those, not from another check of everything.
        """
        fixed = [group for group in groups if group.kind not in REQUEST_KINDS]
        request = [group for group in groups if group.kind in REQUEST_KINDS]
        found: list[tuple[Group, ...]] = []
        queue: list[tuple[Group, ...]] = [(group,) for group in conflict if group in request]
        tried: set[frozenset[Group]] = set()
        while (
            queue
            and len(found) < MAX_REPAIRS
            and len(tried) < MAX_REPAIR_CHECKS
            and time.monotonic() < self.deadline
        ):
            relaxed = queue.pop(0)
            if frozenset(relaxed) in tried or any(set(d) <= set(relaxed) for d in found):
                continue
            tried.add(frozenset(relaxed))
            kept = [group for group in request if group not in relaxed]
            infeasible, core = self.infeasible(fixed + kept)
            if not infeasible:
                found.append(relaxed)
                continue
            if len(relaxed) >= MAX_REPAIR_SIZE:
                continue
            for group in core:
                if group.kind in REQUEST_KINDS:
                    queue.append((*relaxed, group))
        return found

    def optimised(self, relax: tuple[Group, ...]) -> ConfigurationRequest | None:
        """The request with ``relax`` relaxed as little as the rest allows: each need
        lowered to the most a bundle covers, the availability to the best reachable, the
        budget to the least (in that order, each optimum held for the next); the other
        groups of ``relax`` dropped. None when a solve gives no optimum in time."""
        request: ConfigurationRequest | None = relaxed_request(self.config.request, relax)
        model = self.config.model.clone()
        model.clear_assumptions()
        for group, literal in self.literals.items():
            model.add(literal == int(group not in relax))
        for group in sorted(relax, key=lambda group: _OPTIMISED.get(group.kind, 9)):
            if request is not None and group.kind == "need":
                request = self._most_need(model, request, group.ref)
            elif request is not None and group.kind == "availability":
                request = self._best_availability(model, request)
            elif request is not None and group.kind == "budget":
                request = self._least_budget(model, request)
        return request

    def _most_need(
        self, model: cp_model.CpModel, request: ConfigurationRequest, capability: str
    ) -> ConfigurationRequest | None:
        need = next(n for n in self.config.request.needs if n.capability == capability)
        balance, scale = need_balance(self.config, need)
        model.maximize(balance)
        if (best := self._optimum(model)) is None:
            return None
        most = int(best.objective_value) // scale
        if most <= 0:
            # None covered (or less: other lines take what the serving providers give).
            return request  # the need is dropped
        model.add(balance >= most * scale)
        return replace(request, needs=(*request.needs, replace(need, quantity=most)))

    def _best_availability(
        self, model: cp_model.CpModel, request: ConfigurationRequest
    ) -> ConfigurationRequest | None:
        weight = chain_weight(self.config)
        model.minimize(weight)
        if (best := self._optimum(model)) is None:
            return None
        # Rounded down, so the figure offered is one a bundle truly reaches.
        reached = floor_percent(_chain_percent(self.config, best))
        model.add(weight <= minus_log(reached, up=True))
        return replace(request, min_availability=reached)

    def _least_budget(
        self, model: cp_model.CpModel, request: ConfigurationRequest
    ) -> ConfigurationRequest | None:
        monthly = self.config.monthly_price()
        model.minimize(monthly)
        if (best := self._optimum(model)) is None:
            return None
        least = round(best.objective_value)
        model.add(monthly <= least)
        return replace(request, budget_monthly=from_cents(least))

    def _optimum(self, model: cp_model.CpModel) -> cp_model.CpSolver | None:
        solver = optimiser(self.limits, self.deadline)
        return solver if solve_model(solver, model) == cp_model.OPTIMAL else None


_OPTIMISED = {"need": 0, "availability": 1, "budget": 2}  # the order a repair optimises in


def _chain_percent(config: ConfigModel, solver: cp_model.CpSolver) -> Decimal:
    """The exact availability of the chain lines ``solver`` chose."""
    return chain_percent(
        choice.component.service_level(name).availability
        for choice in config.choices.values()
        if choice.component.availability_chain
        for name, chosen in choice.level_chosen.items()
        if solver.boolean_value(chosen)
    )


def conflicts(
    snapshot: CatalogSnapshot,
    request: ConfigurationRequest,
    items: list[ConflictItem],
    limits: Limits | None = None,
) -> bool:
    """Whether ``items`` alone (every other request constraint and rule relaxed) admit no
    bundle: what a conflict claims, and what minimality is checked against."""
    limits = limits or Limits()
    config = build_variables(snapshot, request, explaining=True)
    add_all(config)
    explainer = _Explainer(config, limits, time.monotonic() + limits.time_limit_seconds)
    infeasible, _ = explainer.infeasible([Group(item.kind, item.ref) for item in items])  # type: ignore[arg-type]
    return infeasible


def relaxed_request(
    request: ConfigurationRequest, groups: tuple[Group, ...]
) -> ConfigurationRequest:
    """``request`` without the constraints of ``groups``."""
    kinds = {group.kind for group in groups}
    refs = {(group.kind, group.ref) for group in groups}
    return replace(
        request,
        needs=tuple(n for n in request.needs if ("need", n.capability) not in refs),
        include=tuple(c for c in request.include if ("include", c) not in refs),
        exclude=tuple(c for c in request.exclude if ("exclude", c) not in refs),
        residency=None if "residency" in kinds else request.residency,
        min_availability=None if "availability" in kinds else request.min_availability,
        budget_monthly=None if "budget" in kinds else request.budget_monthly,
        alternatives=1,
    )


def explain_infeasible(
    snapshot: CatalogSnapshot, request: ConfigurationRequest, limits: Limits, deadline: float
) -> Infeasible:
    config = build_variables(snapshot, request, explaining=True)
    add_all(config)
    # Explaining shares the request's deadline: past it, each check gives up at once and the
    # conflict found so far (still a conflict, perhaps not minimal) is what is reported.
    explainer = _Explainer(config, limits, deadline)
    groups = sorted(config.groups, key=lambda group: (group.kind, group.ref))
    conflict = explainer.minimal_conflict(groups)
    found = (_repair(explainer, relax) for relax in explainer.diagnoses(groups, conflict))
    repairs = sorted(
        (repair for repair in found if repair is not None),
        key=lambda repair: (len(repair.relax), repair.bundle.quote.price.contract_cents),
    )
    items = [_with_best(_describe(config, group), repairs) for group in conflict]
    summary = "no bundle meets the request: " + "; ".join(item.detail for item in items)
    return Infeasible(summary if items else "no bundle meets the request", items, repairs)


def _repair(explainer: _Explainer, relax: tuple[Group, ...]) -> Repair | None:
    """``relax`` relaxed as little as the rest allows, with the best bundle then (None when
    there is none, or when dropping everything asked for leaves nothing to sell)."""
    config = explainer.config
    relaxed = explainer.optimised(relax)
    if relaxed is None:
        return None
    found = best_bundles(config.snapshot, relaxed, explainer.limits, explainer.deadline)
    if not found.bundles:
        return None
    bundle = found.bundles[0]
    return Repair(tuple(_repair_item(config, group, relaxed, bundle) for group in relax), bundle)


def _with_best(item: ConflictItem, repairs: list[Repair]) -> ConflictItem:
    """A budget or availability item that says what the best bundle without it reaches."""
    if item.kind not in ("budget", "availability"):
        return item
    alone = next((r for r in repairs if [i.kind for i in r.relax] == [item.kind]), None)
    if alone is None:
        return item
    bundle = alone.bundle
    if item.kind == "budget":
        cheapest = _money(bundle.quote.price.monthly)
        return replace(item, detail=f"{item.detail} is below the cheapest valid bundle, {cheapest}")
    best = factor_text(floor_percent(bundle.availability or Decimal(100)))
    return replace(item, detail=f"{item.detail}; the best a bundle reaches is {best} %")


def _repair_item(
    config: ConfigModel, group: Group, relaxed: ConfigurationRequest, bundle: Bundle
) -> ConflictItem:
    """What to change, with the figure the relaxed request settled on (its optimum)."""
    if group.kind == "need":
        unit = config.snapshot.capability(group.ref).unit
        lowered = next((n for n in relaxed.needs if n.capability == group.ref), None)
        if lowered is None:
            return ConflictItem("need", group.ref, f"drop the {_describe(config, group).detail}")
        text = (
            f"lower the need {lowered.ref} to {lowered.quantity:,} {unit}, the most a bundle covers"
        )
        return ConflictItem("need", group.ref, text)
    if group.kind == "availability":
        text = accept_less(relaxed.min_availability or Decimal(0))
        return ConflictItem("availability", group.ref, text)
    if group.kind == "budget":
        budget = _money(Money(relaxed.budget_monthly or Decimal(0), config.book.currency))
        return ConflictItem("budget", group.ref, f"raise the budget to {budget}")
    wording = {
        "include": f"leave {group.ref} out",
        "exclude": f"allow {group.ref}",
        "residency": "allow delivery from other regions" + _centres_outside(config, bundle),
    }[group.kind]
    return ConflictItem(group.kind, group.ref, wording)


def _centres_outside(config: ConfigModel, bundle: Bundle) -> str:
    """The centres outside the residency that ``bundle`` delivers from, with their region."""
    allowed = set(config.request.residency or ())
    centres = [config.snapshot.delivery_centre(line.delivery_centre) for line in bundle.quote.lines]
    outside = sorted({f"{c.code} in {c.region}" for c in centres if c.region not in allowed})
    return f" (its bundle delivers from {', '.join(outside)})" if outside else ""


def _money(amount: Money) -> str:
    """A monthly amount with its currency, e.g. "19,337.00 EUR a month"."""
    return f"{from_cents(amount.cents):,} {amount.currency} a month"
