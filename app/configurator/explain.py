"""When no bundle exists: a minimal conflict and repairs of the request, in words sales can
repeat.

The conflict: every request constraint and catalog rule sits under an assumption literal;
CP-SAT's sufficient assumptions give a core, which is not minimal, so it is shrunk by
deletion (each item whose removal leaves the rest infeasible goes). Repairs are minimal
sets of the request's own constraints (never the catalog's) whose relaxation makes the ask
feasible: a breadth-first hitting-set search over conflicts (Reiter), so the smallest come
first, each with the best bundle it then allows.
"""

from __future__ import annotations

import time
from dataclasses import replace
from decimal import Decimal

from ortools.sat.python import cp_model

from app.configurator.constraints import add_all
from app.configurator.errors import ConflictItem, Infeasible, Repair
from app.configurator.model import ConfigModel, Group, build_variables, solve_model
from app.configurator.request import ConfigurationRequest, Limits
from app.configurator.results import Bundle
from app.configurator.search import best_bundles, optimiser
from catalog.snapshot import CatalogSnapshot
from pricing.money import cents_text, factor_text, to_cents

REQUEST_KINDS = frozenset({"need", "include", "exclude", "residency", "availability", "budget"})
MAX_REPAIRS = 3
MAX_REPAIR_SIZE = 3
MAX_REPAIR_CHECKS = 8  # feasibility checks the repair search may spend


def _describe(config: ConfigModel, group: Group) -> ConflictItem:
    snapshot, request = config.snapshot, config.request
    kind, ref = group.kind, group.ref
    currency = config.book.currency
    if kind == "need":
        need = next(n for n in request.needs if n.capability == ref)
        unit = snapshot.capability(ref).unit
        detail = f"need {ref} ({need.quantity} {unit})"
        blocked = [
            f"{provider.code}: {config.undeliverable[provider.code]}"
            for provider in snapshot.providers_of(ref)
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
        detail = (
            f"budget {cents_text(to_cents(request.budget_monthly or Decimal(0)))} {currency}/month"
        )
    elif kind == "capacity":
        centre = snapshot.delivery_centre(ref)
        detail = f"{ref} can deliver {centre.monthly_capacity_hours:,} effort hours a month"
    else:
        rule = next(rule for rule in snapshot.rules if rule.id == ref)
        detail = f"rule {ref}: {rule.message}"
    return ConflictItem(kind, ref, detail)


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
    items = [_describe(config, group) for group in conflict]
    items = [
        _with_cheapest(snapshot, request, limits, deadline, item) if item.kind == "budget" else item
        for item in items
    ]
    repairs = []
    for relax in explainer.diagnoses(groups, conflict):
        found = best_bundles(snapshot, relaxed_request(request, relax), limits, deadline)
        if not found.bundles:
            continue  # no bundle, or dropping everything asked for: no repair
        bundle = found.bundles[0]
        repairs.append(
            Repair(tuple(_repair_item(config, group, bundle) for group in relax), bundle)
        )
    repairs.sort(key=lambda repair: (len(repair.relax), repair.bundle.quote.price.contract_cents))
    summary = "no bundle meets the request: " + "; ".join(item.detail for item in items)
    return Infeasible(summary if items else "no bundle meets the request", items, repairs)


def _with_cheapest(
    snapshot: CatalogSnapshot,
    request: ConfigurationRequest,
    limits: Limits,
    deadline: float,
    item: ConflictItem,
) -> ConflictItem:
    """A budget item that says what the cheapest valid bundle costs a month."""
    # With centres, so capacity holds: the figure is a bundle that could really be sold.
    unbudgeted = build_variables(snapshot, replace(request, budget_monthly=None), centres=True)
    add_all(unbudgeted)
    unbudgeted.model.minimize(unbudgeted.monthly_price())
    solver = optimiser(limits, deadline)
    if solve_model(solver, unbudgeted.model) != cp_model.OPTIMAL:
        return item
    cheapest = cents_text(round(solver.objective_value))
    detail = f"{item.detail} is below the cheapest valid bundle, {cheapest}"
    return ConflictItem(item.kind, item.ref, detail)


def _repair_item(config: ConfigModel, group: Group, bundle: Bundle) -> ConflictItem:
    described = _describe(config, group)
    currency = config.book.currency
    wording = {
        "need": f"drop the {described.detail}",
        "include": f"leave {group.ref} out",
        "exclude": f"allow {group.ref}",
        "residency": "allow delivery from other regions",
        "availability": "accept the availability the bundle reaches, "
        f"{_percent(bundle.availability)} %",
        "budget": f"raise the budget to {bundle.quote.price.monthly} {currency}/month",
    }[group.kind]
    return ConflictItem(group.kind, group.ref, wording)


def _percent(value: Decimal | None) -> str:
    return "100" if value is None else factor_text(value.quantize(Decimal("0.001")))
