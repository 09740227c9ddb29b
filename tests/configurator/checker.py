"""An independent checker of bundles: everything DESIGN.md calls "valid end to end", written
again without the solver or the configurator's code, so a bug in one shows in the other."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from app.configurator.request import ConfigurationRequest, Need
from catalog.expressions import evaluate
from catalog.rules import (
    NONE,
    WILDCARD,
    AttributeRule,
    ChooseRule,
    ExcludesRule,
    ExpressionRule,
    QuantityRule,
    RequiresAnyRule,
    RequiresRule,
    SameCentreRule,
    TableRule,
)
from catalog.snapshot import CatalogSnapshot
from pricing.quote import LineRequest, QuoteRequest, price_quote

Line = tuple[str, str, str, int]  # component, service level, centre, quantity


def violations(
    snapshot: CatalogSnapshot, request: ConfigurationRequest, lines: list[Line]
) -> list[str]:
    found: list[str] = []
    quantity = {code: q for code, _, _, q in lines}
    chosen = set(quantity)
    if len(chosen) != len(lines):
        found.append("a component appears on two lines")

    def supplied(capability: str) -> Decimal:
        return sum(
            (snapshot.component(c).provides.get(capability, Decimal(0)) * q
             for c, q in quantity.items()),
            Decimal(0),
        )  # fmt: skip

    def demanded(capability: str) -> Decimal:
        return sum(
            (snapshot.component(c).requires.get(capability, Decimal(0)) * q
             for c, q in quantity.items()),
            Decimal(0),
        )  # fmt: skip

    for need in request.needs:
        variant = _variant(snapshot, request, need)
        served = sum(
            (snapshot.component(c).provides.get(need.capability, Decimal(0)) * q
             for c, q in quantity.items()
             if all(snapshot.component(c).attributes.get(k) == v for k, v in variant.items())),
            Decimal(0),
        )  # fmt: skip
        if served - demanded(need.capability) < need.quantity:
            found.append(f"need {need.capability} not covered")
    for code in chosen:
        for capability in snapshot.component(code).requires:
            if supplied(capability) < demanded(capability):
                found.append(f"{code}: requirement {capability} not covered")
    for code, level, centre_code, q in lines:
        component = snapshot.component(code)
        bounds = component.quantity
        if not bounds.min <= q <= bounds.max or (q - bounds.min) % bounds.step or q < 1:
            found.append(f"{code}: quantity {q} not orderable")
        if component.status != "active":
            found.append(f"{code} is not active")
        if component.partner is not None and component.partner.status == "no-go":
            found.append(f"{code}: partner is no-go")
        centre = snapshot.delivery_centre(centre_code)
        if component.competency not in centre.competencies:
            found.append(f"{code}: {centre_code} lacks competency")
        if request.residency is not None and centre.region not in request.residency:
            found.append(f"{code}: {centre_code} outside residency")
        if level not in {lv.name for lv in component.service_levels}:
            found.append(f"{code}: no service level {level}")
    for code in request.include:
        if code not in chosen:
            found.append(f"included {code} missing")
    if request.offering is not None:
        for code in snapshot.offering(request.offering).default_components:
            if code not in chosen and code not in request.exclude:
                found.append(f"offering default {code} missing")
    for code in request.exclude:
        if code in chosen:
            found.append(f"excluded {code} chosen")
    load: dict[str, Decimal] = defaultdict(Decimal)
    for code, _, centre_code, q in lines:
        load[centre_code] += sum(snapshot.component(code).effort.monthly.values(), Decimal(0)) * q
    for centre_code, hours in load.items():
        if hours > snapshot.delivery_centre(centre_code).monthly_capacity_hours:
            found.append(f"{centre_code} over capacity")
    if request.min_availability is not None:
        product = Decimal(1)
        for code, level, _, _ in lines:
            component = snapshot.component(code)
            if component.availability_chain:
                availability = component.service_level(level).availability or Decimal(0)
                product *= availability / 100
        if product * 100 < request.min_availability:
            found.append(f"availability {product * 100} under target")
    if request.budget_monthly is not None and lines:
        priced = [LineRequest(c, q, level, centre) for c, level, centre, q in lines]
        quote = price_quote(
            snapshot,
            QuoteRequest(request.price_book, request.term_months, priced, request.discount_percent),
        )
        if quote.price.monthly.amount > request.budget_monthly:
            found.append("over budget")
    found.extend(_rule_violations(snapshot, chosen, quantity))
    found.extend(_split(snapshot, lines))
    return found


def _split(snapshot: CatalogSnapshot, lines: list[Line]) -> list[str]:
    """Co-location: the chosen members of each same_centre rule (its components and every
    component of its families) are on lines of one centre."""
    centre = {code: centre_code for code, _, centre_code, _ in lines}
    found = []
    for rule in snapshot.rules:
        if rule.severity != "error" or not isinstance(rule, SameCentreRule):
            continue
        members = set(rule.components_) | {
            c.code for c in snapshot.components if c.family in rule.families
        }
        if len({centre[code] for code in members if code in centre}) > 1:
            found.append(f"rule {rule.id} broken: its members are split across centres")
    return found


def _variant(
    snapshot: CatalogSnapshot, request: ConfigurationRequest, need: Need
) -> dict[str, str]:
    """The attribute values a need's providers must have: its own; else the capability's
    default, as the offering's first default provider of it has them."""
    if need.attributes:
        return dict(need.attributes)
    default = dict(snapshot.capability(need.capability).default)
    if default and request.offering is not None:
        for code in snapshot.offering(request.offering).default_components:
            attributes = snapshot.component(code).attributes
            if code not in request.exclude and need.capability in snapshot.component(code).provides:
                return {k: attributes[k] for k in default if k in attributes}
    return default


def _rule_violations(
    snapshot: CatalogSnapshot, chosen: set[str], quantity: dict[str, int]
) -> list[str]:
    found = []
    for rule in snapshot.rules:
        if rule.severity != "error":
            continue
        ok = True
        if isinstance(rule, RequiresRule):
            ok = rule.if_ not in chosen or all(code in chosen for code in rule.then)
        elif isinstance(rule, RequiresAnyRule):
            ok = rule.if_ not in chosen or any(code in chosen for code in rule.then)
        elif isinstance(rule, ExcludesRule):
            ok = rule.if_ not in chosen or not any(code in chosen for code in rule.then)
        elif isinstance(rule, ChooseRule):
            if rule.when is None or rule.when in chosen:
                count = sum(code in chosen for code in rule.group)
                ok = rule.min <= count <= rule.max
        elif isinstance(rule, QuantityRule):
            left = sum((c * quantity.get(code, 0) for code, c in rule.left.items()), Decimal(0))
            right = sum((c * quantity.get(code, 0) for code, c in rule.right.items()), Decimal(0))
            right += rule.constant
            ok = {"<=": left <= right, ">=": left >= right, "==": left == right}[rule.op]
        elif isinstance(rule, AttributeRule):
            scope = rule.components_ or tuple(
                c.code for c in snapshot.components if rule.attribute in c.attributes
            )
            values = [
                snapshot.component(code).attributes.get(rule.attribute)
                for code in scope
                if code in chosen
            ]
            if rule.mode == "agree":
                ok = len(set(values)) <= 1
            else:
                ok = all(value in rule.allowed for value in values)
        elif isinstance(rule, ExpressionRule):
            ok = evaluate(rule.ast, dict.fromkeys(chosen, True))
        elif isinstance(rule, TableRule):
            ok = _table_holds(snapshot, rule, chosen)
        if not ok:
            found.append(f"rule {rule.id} broken")
    return found


def _table_holds(snapshot: CatalogSnapshot, rule: TableRule, chosen: set[str]) -> bool:
    cells = []
    for column in rule.columns:
        picked = [code for code in column.components if code in chosen]
        if len(picked) > 1:
            return False
        if not picked:
            cells.append(NONE)
        elif column.attribute is None:
            cells.append(picked[0])
        else:
            cells.append(snapshot.component(picked[0]).attributes.get(column.attribute, ""))
    return any(
        all(cell in (WILDCARD, value) for cell, value in zip(row, cells, strict=True))
        for row in rule.rows
    )
