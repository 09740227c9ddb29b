"""Why each line is in a bundle, and the exact availability of a bundle, in words sales can
repeat."""

from __future__ import annotations

from decimal import Decimal

from app.configurator.availability import chain_percent
from app.configurator.model import ConfigModel
from app.configurator.needs import serves
from catalog.expressions import evaluate
from catalog.rules import (
    ChooseRule,
    ExpressionRule,
    QuantityRule,
    RequiresAnyRule,
    RequiresRule,
    SameCentreRule,
)
from pricing.money import factor_text
from pricing.quote import PricedLine, Quote


def availability_of(quote: Quote) -> Decimal | None:
    """The exact product of the chain lines' availabilities, in percent (None: no chain)."""
    chain = [line.service_level.availability for line in quote.lines
             if line.component.availability_chain]  # fmt: skip
    return chain_percent(chain) if chain else None


def reasons_for(config: ConfigModel, quote: Quote) -> tuple[tuple[str, ...], ...]:
    snapshot, request = config.snapshot, config.request
    chosen = {line.component.code: line for line in quote.lines}
    needs = {need.capability: need for need in request.needs}
    defaults = (
        set(snapshot.offering(request.offering).default_components) if request.offering else set()
    )
    all_reasons = []
    for line in quote.lines:
        component, code = line.component, line.component.code
        reasons: list[str] = []
        for capability in component.provides:
            unit = snapshot.capability(capability).unit
            need = needs.get(capability)
            if need is not None and component in serves(snapshot, need):
                reasons.append(f"covers need {need.ref} ({need.quantity} {unit})")
            for other in quote.lines:
                amount = other.component.requires.get(capability)
                if amount is not None and other is not line:
                    reasons.append(
                        f"provides {capability} for {other.component.code} "
                        f"({factor_text(amount * other.quantity)} {unit})"
                    )
        if code in request.include:
            reasons.append("included on request")
        if request.offering is not None and code in defaults:
            reasons.append(f"part of offering {request.offering}")
        reasons.extend(_rule_reasons(config, code, set(chosen)))
        reasons.extend(_colocation_reasons(config, line, quote.lines))
        all_reasons.append(tuple(reasons or ["part of the best valid bundle"]))
    return tuple(all_reasons)


def _rule_reasons(config: ConfigModel, code: str, chosen: set[str]) -> list[str]:
    reasons = []
    for rule in config.snapshot.rules_for(code):
        if rule.severity != "error":
            continue
        pulled = False
        if isinstance(rule, RequiresRule | RequiresAnyRule):
            pulled = rule.if_ in chosen and code in rule.then
            if pulled:
                reasons.append(f"{rule.if_} needs it: rule {rule.id}, {rule.message}")
                continue
        elif isinstance(rule, ChooseRule):
            pulled = (
                code in rule.group and rule.min > 0 and (rule.when is None or rule.when in chosen)
            )
        elif isinstance(rule, QuantityRule):
            # The side that must grow with the other: right for <=, left for >=, both for ==.
            sides = {"<=": [(rule.right, rule.left)], ">=": [(rule.left, rule.right)]}.get(
                rule.op, [(rule.right, rule.left), (rule.left, rule.right)]
            )
            pulled = any(
                code in grows and any(other in chosen for other in drives)
                for grows, drives in sides
            )
        elif isinstance(rule, ExpressionRule):
            without = {other: True for other in chosen if other != code}
            pulled = evaluate(rule.ast, dict.fromkeys(chosen, True)) and not evaluate(
                rule.ast, without
            )
        if pulled:
            reasons.append(f"rule {rule.id}: {rule.message}")
    return reasons


def _colocation_reasons(
    config: ConfigModel, line: PricedLine, lines: tuple[PricedLine, ...]
) -> list[str]:
    """Why a line is delivered from its centre when a co-location rule holds it there: the
    other members of the rule in the bundle (a rack's centre is its hosts')."""
    snapshot, code = config.snapshot, line.component.code
    reasons = []
    for rule in snapshot.rules_for(code):
        if not isinstance(rule, SameCentreRule) or rule.severity != "error":
            continue
        members = set(snapshot.members(rule))
        together = sorted(
            other.component.code
            for other in lines
            if other is not line and other.component.code in members
        )
        if code in members and together:
            reasons.append(
                f"delivered from {line.delivery_centre} with {', '.join(together)}: "
                f"rule {rule.id}: {rule.message}"
            )
    return reasons
