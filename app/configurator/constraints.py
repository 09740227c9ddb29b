"""The constraint families of a configuration, one function each, all over a ``ConfigModel``.

Requirements between components are facts of the catalog and always hold; every other
constraint is put under the ``Group`` an explanation would name.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal, localcontext
from typing import cast

from ortools.sat.python import cp_model

from app.configurator.diagram import ACCEPT, TableArcs, snapshot_table_arcs, written
from app.configurator.model import (
    ConfigModel,
    Group,
    LinearExpr,
    SatLiteral,
    scaled,
    scaled_sum,
    total,
)
from app.configurator.needs import serves
from app.configurator.request import Need
from app.configurator.tuples import TableTuples, snapshot_expanded_size, snapshot_table_tuples
from catalog.components import Component
from catalog.expressions import And, Const, Expr, Iff, Implies, Not, Or, Var
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
    Rule,
    SameCentreRule,
    TableRule,
)
from pricing.money import to_cents

# Availability is linearised as a sum of -log(availability) scaled to integers: each line's
# term rounded down and the target's rounded up, so the linear form never refuses a bundle
# whose exact product meets the target (a single 99.9 % line under a 99.9 % target). It may
# admit one short of it by rounding; every answer's exact product is checked, and such a
# bundle is excluded and the solve repeated (``app.configurator.solve``).
AVAILABILITY_SCALE = 10**9


def add_all(config: ConfigModel) -> None:
    needs(config)
    requirements(config)
    includes_and_excludes(config)
    residency(config)
    capacity(config)
    availability(config)
    budget(config)
    for rule in config.snapshot.rules:
        if rule.severity == "error":
            add_rule(config, rule)


def _provided(
    config: ConfigModel, capability: str, providers: Iterable[Component]
) -> tuple[list[Decimal], list[cp_model.IntVar]]:
    coefficients: list[Decimal] = []
    terms: list[cp_model.IntVar] = []
    for provider in providers:
        if provider.code in config.choices:
            coefficients.append(provider.provides[capability])
            terms.append(config.choices[provider.code].quantity)
    return coefficients, terms


def _required(config: ConfigModel, capability: str) -> tuple[list[Decimal], list[cp_model.IntVar]]:
    requirers = config.requirers().get(capability, [])
    return (
        [choice.component.requires[capability] for choice in requirers],
        [choice.quantity for choice in requirers],
    )


def _balance(
    config: ConfigModel, capability: str, extra: Decimal, providers: Iterable[Component]
) -> tuple[LinearExpr, int]:
    """(provided by ``providers`` - required) of ``capability`` and ``extra``, scaled to
    integers."""
    given, provided = _provided(config, capability, providers)
    taken, required = _required(config, capability)
    return scaled_sum(
        [
            *zip(given, provided, strict=True),
            *((-c, q) for c, q in zip(taken, required, strict=True)),
        ],
        extra,
    )


def need_balance(config: ConfigModel, need: Need) -> tuple[LinearExpr, int]:
    """What the providers serving ``need`` give of its capability beyond what the bundle's
    lines require, scaled to integers, and the scale (an explanation maximises it to find
    the largest need met)."""
    return _balance(config, need.capability, Decimal(1), serves(config.snapshot, need))


def needs(config: ConfigModel) -> None:
    """Each need is covered in quantity by the providers that serve it, on top of what
    chosen components require."""
    for need in config.request.needs:
        balance, wanted = _balance(
            config, need.capability, Decimal(need.quantity), serves(config.snapshot, need)
        )
        config.model.add(balance >= wanted).only_enforce_if(
            config.guard(Group("need", need.capability))
        )


def requirements(config: ConfigModel) -> None:
    """Every chosen component's per-unit requirements are covered (transitively, since the
    providers are components with requirements of their own)."""
    wanted: set[str] = set()
    for choice in config.choices.values():
        wanted.update(choice.component.requires)
    for capability in sorted(wanted):
        balance, _ = _balance(
            config, capability, Decimal(0), config.snapshot.providers_of(capability)
        )
        config.model.add(balance >= 0)


def includes_and_excludes(config: ConfigModel) -> None:
    request = config.request
    for code in request.include:
        config.model.add(config.chosen(code) == 1).only_enforce_if(
            config.guard(Group("include", code))
        )
    if request.offering is not None:
        offering = config.snapshot.offering(request.offering)
        for code in offering.default_components:
            if code in request.exclude:
                continue  # an explicit exclude overrides the template
            config.model.add(config.chosen(code) == 1).only_enforce_if(
                config.guard(Group("include", code))
            )
    for code in request.exclude:
        if code in config.choices:
            config.model.add(config.chosen(code) == 0).only_enforce_if(
                config.guard(Group("exclude", code))
            )


def residency(config: ConfigModel) -> None:
    """Options outside the allowed regions exist only in an explaining build, where the
    residency group switches them off."""
    guard = config.guard(Group("residency", ",".join(config.request.residency or ())))
    for choice in config.choices.values():
        for option in choice.options:
            if option.outside_residency:
                config.model.add(option.chosen == 0).only_enforce_if(guard)


def capacity(config: ConfigModel) -> None:
    """Each centre's monthly effort hours stay within its capacity."""
    loads: dict[str, list[tuple[Decimal, cp_model.IntVar]]] = defaultdict(list)
    for choice in config.choices.values():
        hours = sum(choice.component.effort.monthly.values(), Decimal(0))
        if hours == 0:
            continue
        for option in choice.options:
            loads[option.centre.code].append((hours, option.quantity))
    for code, load in sorted(loads.items()):
        centre = config.snapshot.delivery_centre(code)
        ints, scale = scaled([hours for hours, _ in load])
        used = cp_model.LinearExpr.weighted_sum([q for _, q in load], ints)
        config.model.add(used <= centre.monthly_capacity_hours * scale).only_enforce_if(
            config.guard(Group("capacity", code))
        )


def minus_log(percent: Decimal, *, up: bool) -> int:
    """-ln(percent / 100) x AVAILABILITY_SCALE, rounded up or down."""
    with localcontext() as context:
        context.prec = 40
        value = -(percent / Decimal(100)).ln() * AVAILABILITY_SCALE
    return math.ceil(value) if up else math.floor(value)


def availability(config: ConfigModel) -> None:
    target = config.request.min_availability
    if target is None:
        return
    config.model.add(chain_weight(config) <= minus_log(target, up=True)).only_enforce_if(
        config.guard(Group("availability", str(target)))
    )


def chain_weight(config: ConfigModel) -> LinearExpr:
    """The availability chain's scaled -log sum over the chosen levels: the lower, the more
    available (an explanation minimises it to find the best reachable availability)."""
    terms: list[LinearExpr] = []
    for choice in config.choices.values():
        if not choice.component.availability_chain:
            continue
        for level in choice.component.service_levels:
            chosen = choice.level_chosen.get(level.name)
            if chosen is None:
                continue
            # A chain component without an availability cannot promise any.
            percent = level.availability if level.availability is not None else Decimal("1e-9")
            terms.append(minus_log(percent, up=False) * chosen)
    return total(terms)


def budget(config: ConfigModel) -> None:
    limit = config.request.budget_monthly
    if limit is None:
        return
    config.model.add(config.monthly_price() <= to_cents(limit)).only_enforce_if(
        config.guard(Group("budget", str(limit)))
    )


# -- catalog rules ---------------------------------------------------------------------------


def add_rule(config: ConfigModel, rule: Rule) -> None:
    guard = config.guard(Group("rule", rule.id))
    model = config.model
    if isinstance(rule, RequiresRule):
        for code in rule.then:
            model.add_bool_or([config.chosen(code)]).only_enforce_if(
                [config.chosen(rule.if_), *guard]
            )
    elif isinstance(rule, RequiresAnyRule):
        model.add_bool_or([config.chosen(code) for code in rule.then]).only_enforce_if(
            [config.chosen(rule.if_), *guard]
        )
    elif isinstance(rule, ExcludesRule):
        for code in rule.then:
            model.add_bool_or(
                [config.chosen(rule.if_).Not(), config.chosen(code).Not()]
            ).only_enforce_if(guard)
    elif isinstance(rule, ChooseRule):
        _choose(config, rule, guard)
    elif isinstance(rule, QuantityRule):
        _quantity(config, rule, guard)
    elif isinstance(rule, AttributeRule):
        _attribute(config, rule, guard)
    elif isinstance(rule, ExpressionRule):
        model.add_bool_or([_literal(config, rule.ast)]).only_enforce_if(guard)
    elif isinstance(rule, TableRule):
        _table(config, rule, guard)
    elif isinstance(rule, SameCentreRule):
        _same_centre(config, rule, guard)


def _same_centre(config: ConfigModel, rule: SameCentreRule, guard: list[cp_model.IntVar]) -> None:
    """One literal per centre says the rule's members are delivered from it, and at most one
    is true. With centres in the model, a member's option at a centre implies that centre's
    literal: exact. Without, a chosen member implies one of the centres that could deliver
    it inside the residency: exact about the rule alone, while capacity, cost and a member
    shared with another rule are left to placement, which falls back to this model with
    centres when they bind."""
    model = config.model
    members = [config.choices[code] for code in config.snapshot.members(rule)
               if code in config.choices]  # fmt: skip
    if len(members) < 2:
        return
    at: dict[str, cp_model.IntVar] = {}

    def at_centre(code: str) -> cp_model.IntVar:
        if code not in at:
            at[code] = model.new_bool_var(f"{rule.id}@{code}")
        return at[code]

    for choice in members:
        if config.centres_modelled:
            for option in choice.options:
                model.add_bool_or(
                    [option.chosen.Not(), at_centre(option.centre.code)]
                ).only_enforce_if(guard)
        else:
            centres = [at_centre(c.code) for c in config.centres_for(choice.component)]
            model.add_bool_or(centres or [config.false]).only_enforce_if([choice.chosen, *guard])
    model.add_at_most_one(at.values())


def _choose(config: ConfigModel, rule: ChooseRule, guard: list[cp_model.IntVar]) -> None:
    enforce = [*guard, *([config.chosen(rule.when)] if rule.when else [])]
    count = total(config.chosen(code) for code in rule.group)
    if rule.min:
        config.model.add(count >= rule.min).only_enforce_if(enforce)
    config.model.add(count <= rule.max).only_enforce_if(enforce)


def _quantity(config: ConfigModel, rule: QuantityRule, guard: list[cp_model.IntVar]) -> None:
    config.model.add(quantity_relation(rule, config.quantity)).only_enforce_if(guard)


def quantity_relation(
    rule: QuantityRule, quantity: Callable[[str], LinearExpr]
) -> cp_model.BoundedLinearExpression:
    """``rule`` as a linear relation over the quantities ``quantity`` gives each code:
    left - right ``op`` constant, in integers."""
    terms = [(c, quantity(code)) for code, c in rule.left.items()]
    terms += [(-c, quantity(code)) for code, c in rule.right.items()]
    difference, constant = scaled_sum(terms, rule.constant)
    relation = {"<=": difference <= constant, ">=": difference >= constant,
                "==": difference == constant}[rule.op]  # fmt: skip
    return cast(cp_model.BoundedLinearExpression, relation)  # OR-Tools' stubs say bool


def attribute_scope(config: ConfigModel, rule: AttributeRule) -> list[str]:
    if rule.components_:
        return [code for code in rule.components_ if code in config.choices]
    return [
        code
        for code, choice in config.choices.items()
        if rule.attribute in choice.component.attributes
    ]


def _attribute(config: ConfigModel, rule: AttributeRule, guard: list[cp_model.IntVar]) -> None:
    scope = attribute_scope(config, rule)
    values = {code: config.choices[code].component.attributes.get(rule.attribute) for code in scope}
    if rule.mode == "allowed":
        for code in scope:
            if values[code] not in rule.allowed:
                config.model.add(config.chosen(code) == 0).only_enforce_if(guard)
        return
    for index, code in enumerate(scope):
        for other in scope[index + 1 :]:
            if values[code] != values[other]:
                config.model.add_bool_or(
                    [config.chosen(code).Not(), config.chosen(other).Not()]
                ).only_enforce_if(guard)


def _literal(config: ConfigModel, expr: Expr) -> SatLiteral:
    """A literal equal to the truth of ``expr`` (Tseitin encoding)."""
    model = config.model
    match expr:
        case Var(code):
            return config.chosen(code)
        case Const(value):
            return config.false.Not() if value else config.false
        case Not(operand):
            return _literal(config, operand).Not()
        case And(operands):
            parts = [_literal(config, operand) for operand in operands]
            result = model.new_bool_var("")
            model.add_bool_and(parts).only_enforce_if(result)
            model.add_bool_or([part.Not() for part in parts]).only_enforce_if(result.Not())
            return result
        case Or(operands):
            return _literal(config, Not(And(tuple(Not(operand) for operand in operands))))
        case Implies(premise, conclusion):
            return _literal(config, Or((Not(premise), conclusion)))
        case Iff(left, right):
            a, b = _literal(config, left), _literal(config, right)
            result = model.new_bool_var("")
            model.add(a == b).only_enforce_if(result)
            model.add(a != b).only_enforce_if(result.Not())
            return result
    raise TypeError(f"not an expression: {expr!r}")


def _table(config: ConfigModel, rule: TableRule, guard: list[cp_model.IntVar]) -> None:
    """At most one component per column, and the chosen ones (or none) form an allowed row:
    by CP-SAT's table constraint over a number per column (``by_tuples``), else row by row
    or through the table's decision diagram, whichever is the smaller model (a wide table
    of many rows; measured: a 100,000-row variant model solves in 2.5 s instead of 11 s,
    while 50-row tables solve faster row by row). An explaining build keeps the clauses:
    their guard switches the rule off."""
    model = config.model
    for column in rule.columns:
        count = total(config.chosen(code) for code in column.components)
        model.add(count <= 1).only_enforce_if(guard)
    table = snapshot_table_arcs(config.snapshot, rule)
    if not guard and by_tuples(table, snapshot_expanded_size(config.snapshot, rule)):
        _table_tuples(config, rule, snapshot_table_tuples(config.snapshot, rule))
    elif by_diagram(table):
        _table_diagram(config, rule, table, guard)
    else:
        _table_rows(config, rule, guard)


# When CP-SAT's table constraint beats the clauses (measured, one worker, deterministic
# time): on dense 100,000-row variant models it solves in 0.07 to 0.46 instead of 1.4 to
# 2.2, where the LP over the diagram's clauses did the work. Small tables (the 50-row
# tables of the 10,000-component catalog: 0.38 instead of 0.05) and tables of many more
# tuples than diagram arcs keep their clauses: a few bans in a big table, or wildcards
# that would multiply the rows, make a small diagram.
MIN_TUPLES = 100
MAX_TUPLES_PER_ARC = 4


def by_tuples(table: TableArcs, tuples: int) -> bool:
    """Whether CP-SAT's table constraint is the better model of a table than its clauses,
    given the ``tuples`` its rows expand to."""
    return MIN_TUPLES <= tuples <= MAX_TUPLES_PER_ARC * (len(table.arcs) + table.nodes)


def _table_tuples(config: ConfigModel, rule: TableRule, tuples: TableTuples) -> None:
    """One number per column (``app.configurator.tuples``), equal to the index of the value
    its chosen component writes (0: none chosen; at most one is), and CP-SAT's table
    constraint over the numbers."""
    model = config.model
    numbers = []
    for column, values in zip(rule.columns, tuples.values, strict=True):
        index = {value: number for number, value in enumerate(values, start=1)}
        number = model.new_int_var(0, len(values), "")
        model.add(number == total(
            index[written(config.snapshot, column.attribute, code)] * config.chosen(code)
            for code in column.components
        ))  # fmt: skip
        numbers.append(number)
    model.add_allowed_assignments(numbers, tuples.tuples)


def by_diagram(table: TableArcs) -> bool:
    """Whether the diagram is the smaller model of the table (its clauses against the
    rows' cells)."""
    return len(table.arcs) + table.nodes < table.row_cells


def _table_rows(config: ConfigModel, rule: TableRule, guard: list[cp_model.IntVar]) -> None:
    """Each distinct cell (a value, or "-" for an empty column) gets one literal implying it,
    shared by every row that names it: rows cost one clause per cell, not one per component
    of the column (measured: a quarter of the constraints of a 10,000-component model)."""
    model = config.model
    cells: dict[tuple[int, str], SatLiteral] = {}

    def cell_literal(index: int, cell: str) -> SatLiteral:
        literal = cells.get((index, cell))
        if literal is None:
            literal = cells[(index, cell)] = model.new_bool_var("")
            column = rule.columns[index]
            if cell == NONE:
                model.add_bool_and([config.chosen(code).Not() for code in column.components]
                                   ).only_enforce_if(literal)  # fmt: skip
            else:
                fitting: list[SatLiteral] = [
                    config.chosen(code)
                    for code in column.components
                    if written(config.snapshot, column.attribute, code) == cell
                ]
                model.add_bool_or(fitting or [config.false]).only_enforce_if(literal)
        return literal

    rows = []
    for row in rule.rows:
        matches = model.new_bool_var("")
        model.add_bool_and(
            [cell_literal(index, cell) for index, cell in enumerate(row) if cell != WILDCARD]
        ).only_enforce_if(matches)
        rows.append(matches)
    model.add_bool_or(rows).only_enforce_if(guard)


def _table_diagram(
    config: ConfigModel, rule: TableRule, table: TableArcs, guard: list[cp_model.IntVar]
) -> None:
    """A true node and a chosen value imply the next node, a value no row allows there is
    excluded, a node is true only when reached from a true parent, and the guard makes the
    root true (``app.configurator.diagram``)."""
    model = config.model
    if table.root is None:
        model.add_bool_or([config.false]).only_enforce_if(guard)  # no row can ever match
        return
    if table.root == ACCEPT:
        return
    node = {number: model.new_bool_var("") for number in range(1, table.nodes + 1)}
    parents: dict[int, set[int]] = {}
    for arc in table.arcs:
        if arc.child == ACCEPT:
            continue
        when: list[SatLiteral] = (
            [config.chosen(arc.component).Not()]
            if arc.component is not None
            else [config.chosen(code) for code in rule.columns[arc.column].components]
        )
        then: list[SatLiteral] = [] if arc.child is None else [node[arc.child]]
        model.add_bool_or([node[arc.node].Not(), *when, *then])
        if arc.child is not None:
            parents.setdefault(arc.child, set()).add(arc.node)
    for number, literal in node.items():
        if number != table.root:
            model.add_bool_or([literal.Not(), *(node[p] for p in sorted(parents.get(number, ())))])
    model.add_bool_or([node[table.root]]).only_enforce_if(guard)
