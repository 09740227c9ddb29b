"""Which components can matter to a request: only they enter the model, so building it grows
with what the request reaches, not with the catalog.

A component is in scope when it provides a need, is included or a default of the offering,
provides a capability an in-scope component requires, or is named by a rule that names an
in-scope component. A rule that would be broken by an empty bundle (it can force a choice
on its own) puts its components in scope too. Everything else is unchosen in every bundle
the request can have, so leaving it out changes no answer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from decimal import Decimal

from app.configurator.request import ConfigurationRequest
from catalog.expressions import evaluate
from catalog.rules import (
    NONE,
    WILDCARD,
    ChooseRule,
    ExpressionRule,
    QuantityRule,
    Rule,
    TableRule,
)
from catalog.snapshot import CatalogSnapshot


def holds_when_nothing_is_chosen(rule: Rule) -> bool:
    """Whether the empty bundle satisfies ``rule`` (if not, the rule can force a choice)."""
    if isinstance(rule, ChooseRule):
        return rule.min == 0 or rule.when is not None
    if isinstance(rule, QuantityRule):
        constant = rule.constant
        empty = Decimal(0)  # every quantity is 0: the relation reads 0 <op> constant
        return {"<=": empty <= constant, ">=": empty >= constant, "==": empty == constant}[rule.op]
    if isinstance(rule, ExpressionRule):
        return evaluate(rule.ast, {})
    if isinstance(rule, TableRule):
        return any(all(cell in (NONE, WILDCARD) for cell in row) for row in rule.rows)
    return True  # requires, requires_any, excludes and attribute rules need a chosen component


def reachable(snapshot: CatalogSnapshot, request: ConfigurationRequest) -> frozenset[str]:
    seeds: list[str] = []
    for need in request.needs:
        seeds.extend(component.code for component in snapshot.providers_of(need.capability))
    seeds.extend(code for code in request.include if snapshot.has_component(code))
    if request.offering is not None:
        offering = snapshot.offering(request.offering)
        seeds.extend(code for code in offering.default_components if snapshot.has_component(code))
    for rule in snapshot.rules:
        if rule.severity == "error" and not holds_when_nothing_is_chosen(rule):
            seeds.extend(code for code in rule.components() if snapshot.has_component(code))
    return _closure(snapshot, seeds)


def _closure(snapshot: CatalogSnapshot, seeds: Iterable[str]) -> frozenset[str]:
    seen: set[str] = set()
    queue = deque(seeds)
    while queue:
        code = queue.popleft()
        if code in seen:
            continue
        seen.add(code)
        component = snapshot.component(code)
        for capability in component.requires:
            queue.extend(provider.code for provider in snapshot.providers_of(capability))
        for rule in snapshot.rules_for(code):
            if rule.severity == "error":
                queue.extend(other for other in rule.components() if snapshot.has_component(other))
    return frozenset(seen)
