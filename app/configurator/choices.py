"""The choice model of a catalog: which components can be in a valid bundle together, as
clauses over one boolean per component, for an incremental SAT solver (PySAT).

It is built once per catalog snapshot. Everything a request or a click can switch on or
off is an assumption literal, so one solver answers every click: needs, includes and
excludes, chosen and rejected components, residency, and every catalog rule and fact, each
under a selector literal of its own, so that an unsatisfiable core names them.

What it covers exactly: the choice of components under every rule kind (``quantity`` rules
by the components they bring in: a chosen component on the driving side needs one on the
growing side, unless the rule's constant leaves room), per-unit requirements (a chosen
component needs a provider of what it requires), needs, residency and competencies,
inactive components and no-go partners, and co-location (the members of a ``same_centre``
rule share a centre holding each one's competency, inside the residency). Quantities and
availability targets are checked on the solver's proposals (``app.configurator.options``);
capacity and budgets are left to the configurator, which completes the bundle.
"""

from __future__ import annotations

from dataclasses import dataclass

from pysat.card import CardEnc, EncType
from pysat.formula import IDPool

from app.configurator.diagram import ACCEPT, snapshot_table_arcs
from app.configurator.needs import serves
from app.configurator.request import Need
from catalog.expressions import And, Const, Expr, Iff, Implies, Not, Or, Var
from catalog.rules import (
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
from catalog.snapshot import CatalogSnapshot

Clause = list[int]
PAIRWISE_UP_TO = 8  # at most one of up to 8 literals: 28 binary clauses, no new variable


@dataclass(frozen=True, slots=True)
class Item:
    """Something that can be switched on by an assumption and named in an explanation."""

    kind: str  # need, include, exclude, chosen, rejected, residency, rule, requirement, fact
    ref: str


class ChoiceModel:
    """The clauses of a snapshot's choice model, and the selector of every named item."""

    def __init__(self, snapshot: CatalogSnapshot) -> None:
        self.snapshot = snapshot
        self.pool = IDPool()
        self.clauses: list[Clause] = []
        self.selectors: dict[Item, int] = {}  # item -> literal assumed to switch it on
        self.facts: dict[str, str] = {}  # component -> why it can never be chosen
        self.codes = [component.code for component in snapshot.components]
        self._vars: dict[str, int] = {}  # component -> its variable (the first ones, in order)
        self._located: set[str] = set()  # members of co-location rules: centres of their own
        for code in self.codes:
            self.var(code)
        self._facts()
        self._requirements()
        for rule in snapshot.rules:
            if rule.severity == "error":
                self._rule(rule)

    def var(self, code: str) -> int:
        known = self._vars.get(code)
        if known is None:
            known = self._vars[code] = int(self.pool.id(("x", code)))
        return known

    def fresh(self) -> int:
        return int(self.pool.id(("aux", len(self.pool.obj2id))))

    def selector(self, item: Item) -> int:
        literal = self.selectors.get(item)
        if literal is None:
            literal = self.selectors[item] = int(self.pool.id(("sel", item.kind, item.ref)))
        return literal

    def guarded(self, item: Item, clauses: list[Clause]) -> None:
        """``clauses`` hold whenever ``item`` is switched on."""
        off = -self.selector(item)
        self.clauses.extend([off, *clause] for clause in clauses)

    # -- facts and requirements of the catalog ------------------------------------------

    def _facts(self) -> None:
        for component in self.snapshot.components:
            why = None
            if component.status != "active":
                why = f"it is {component.status}, not active"
            elif component.partner is not None and component.partner.status == "no-go":
                why = f"its partner {component.partner.name} is no-go"
            elif not self.snapshot.centres_with(component.competency):
                why = f"no delivery centre holds competency {component.competency!r}"
            if why is not None:
                self.facts[component.code] = why
                self.guarded(Item("fact", component.code), [[-self.var(component.code)]])

    def _requirements(self) -> None:
        for component in self.snapshot.components:
            for capability in component.requires:
                providers = [self.var(p.code) for p in self.snapshot.providers_of(capability)]
                self.guarded(
                    Item("requirement", f"{component.code}:{capability}"),
                    [[-self.var(component.code), *providers]],
                )

    def need(self, need: Need) -> list[Clause]:
        """Some component serving ``need`` is chosen (none serves it: impossible)."""
        return [[self.var(p.code) for p in serves(self.snapshot, need)]]

    def residency(self, regions: frozenset[str]) -> Item:
        """The item that keeps out components no centre in ``regions`` can deliver (its
        clauses are added the first time a set of regions is asked for)."""
        item = Item("residency", ",".join(sorted(regions)))
        if item not in self.selectors:
            outside = [
                [-self.var(component.code)]
                for component in self.snapshot.components
                if not any(
                    centre.region in regions
                    for centre in self.snapshot.centres_with(component.competency)
                )
            ]
            outside.extend(
                [-self.placed(code, centre.code)]
                for code in sorted(self._located)
                for centre in self.snapshot.centres_with(self.snapshot.component(code).competency)
                if centre.region not in regions
            )
            self.guarded(item, outside)
        return item

    # -- catalog rules ------------------------------------------------------------------

    def _rule(self, rule: Rule) -> None:
        item = Item("rule", rule.id)
        x = self.var
        if isinstance(rule, RequiresRule):
            self.guarded(item, [[-x(rule.if_), x(code)] for code in rule.then])
        elif isinstance(rule, RequiresAnyRule):
            self.guarded(item, [[-x(rule.if_), *(x(code) for code in rule.then)]])
        elif isinstance(rule, ExcludesRule):
            self.guarded(item, [[-x(rule.if_), -x(code)] for code in rule.then])
        elif isinstance(rule, ChooseRule):
            self.guarded(item, self._choose(rule))
        elif isinstance(rule, QuantityRule):
            self.guarded(item, self._quantity(rule))
        elif isinstance(rule, AttributeRule):
            self.guarded(item, self._attribute(rule))
        elif isinstance(rule, ExpressionRule):
            clauses: list[Clause] = []
            clauses.append([self._literal(rule.ast, clauses)])
            self.guarded(item, clauses)
        elif isinstance(rule, TableRule):
            self.guarded(item, self._table(rule))
        elif isinstance(rule, SameCentreRule):
            self.guarded(item, self._same_centre(rule))

    def placed(self, code: str, centre: str) -> int:
        """Whether ``code`` is delivered from ``centre`` (for co-location only)."""
        return int(self.pool.id(("at", code, centre)))

    def _same_centre(self, rule: SameCentreRule) -> list[Clause]:
        """A chosen member is delivered from a centre holding its competency, which sets
        the rule's literal of that centre, and at most one of those is true. A member's
        centre literals are shared by every co-location rule it is in: each one it sets is
        set in all of them, so at most one is (no clause of its own needed), and two rules
        with a member in common meet at its centre. ``residency`` switches centres off."""
        rule_at: dict[str, int] = {}
        clauses: list[Clause] = []
        for code in self.snapshot.members(rule):
            if not self.snapshot.has_component(code):
                continue
            competency = self.snapshot.component(code).competency
            centres = [c.code for c in self.snapshot.centres_with(competency)]
            here = [self.placed(code, centre) for centre in centres]
            clauses.append([-self.var(code), *here])
            self._located.add(code)
            for centre, literal in zip(centres, here, strict=True):
                shared = rule_at.setdefault(centre, self.fresh())
                clauses.append([-literal, shared])
        clauses.extend(self._at_most(list(rule_at.values()), 1))
        return clauses

    def _choose(self, rule: ChooseRule) -> list[Clause]:
        literals = [self.var(code) for code in rule.group]
        when = [-self.var(rule.when)] if rule.when else []
        clauses: list[Clause] = []
        if rule.max < len(literals):
            clauses.extend([*when, *clause] for clause in self._at_most(literals, rule.max))
        if rule.min > 0:
            least = CardEnc.atleast(literals, bound=rule.min, vpool=self.pool,
                                    encoding=EncType.seqcounter)  # fmt: skip
            clauses.extend([*when, *clause] for clause in least.clauses)
        return clauses

    def _at_most(self, literals: list[int], bound: int) -> list[Clause]:
        """At most ``bound`` of ``literals``: pairwise for one of a few (no auxiliary
        variables, whose remembered phases would steer the solver back to old solutions
        and defeat solution-guided probing), a sequential counter otherwise."""
        if bound == 1 and len(literals) <= PAIRWISE_UP_TO:
            return [[-a, -b] for i, a in enumerate(literals) for b in literals[i + 1 :]]
        most = CardEnc.atmost(literals, bound=bound, vpool=self.pool, encoding=EncType.seqcounter)
        return [list(clause) for clause in most.clauses]

    def _quantity(self, rule: QuantityRule) -> list[Clause]:
        """A chosen component on the side that must be matched needs one on the other side
        (quantities are free within their bounds), unless the constant already makes room."""
        x = self.var
        sides = {"<=": [(rule.left, rule.right, rule.constant)],
                 ">=": [(rule.right, rule.left, -rule.constant)],
                 "==": [(rule.left, rule.right, rule.constant),
                        (rule.right, rule.left, -rule.constant)]}[rule.op]  # fmt: skip
        clauses: list[Clause] = []
        for drives, grows, room in sides:
            for code, coefficient in drives.items():
                if not self.snapshot.has_component(code):
                    continue
                least = max(1, self.snapshot.component(code).quantity.min)
                if coefficient * least > room:  # even its smallest quantity needs the other side
                    clauses.append([-x(code), *(x(other) for other in grows)])
        return clauses

    def _attribute(self, rule: AttributeRule) -> list[Clause]:
        codes = list(rule.components_) or [
            c.code for c in self.snapshot.components if rule.attribute in c.attributes
        ]
        values = {
            code: self.snapshot.component(code).attributes.get(rule.attribute)
            for code in codes
            if self.snapshot.has_component(code)
        }
        if rule.mode == "allowed":
            allowed = set(rule.allowed)
            return [[-self.var(code)] for code, value in values.items() if value not in allowed]
        # agree: one literal per value; a chosen component sets its value's, and at most one
        # value is set (linear, not one clause per pair).
        by_value: dict[object, int] = {}
        clauses: list[Clause] = []
        for code, value in values.items():
            literal = by_value.setdefault(value, self.fresh())
            clauses.append([-self.var(code), literal])
        if len(by_value) > 1:
            clauses.extend(self._at_most(list(by_value.values()), 1))
        return clauses

    def _literal(self, expr: Expr, clauses: list[Clause]) -> int:
        """A literal equal to the truth of ``expr`` (Tseitin), its definition in ``clauses``."""
        match expr:
            case Var(code):
                return self.var(code)
            case Const(value):
                literal = self.fresh()
                clauses.append([literal if value else -literal])
                return literal
            case Not(operand):
                return -self._literal(operand, clauses)
            case And(operands):
                parts = [self._literal(operand, clauses) for operand in operands]
                result = self.fresh()
                clauses.extend([-result, part] for part in parts)
                clauses.append([result, *(-part for part in parts)])
                return result
            case Or(operands):
                return -self._literal(And(tuple(Not(o) for o in operands)), clauses)
            case Implies(premise, conclusion):
                return self._literal(Or((Not(premise), conclusion)), clauses)
            case Iff(left, right):
                a, b = self._literal(left, clauses), self._literal(right, clauses)
                result = self.fresh()
                clauses.extend([[-result, -a, b], [-result, a, -b], [result, a, b],
                                [result, -a, -b]])  # fmt: skip
                return result
        raise TypeError(f"not an expression: {expr!r}")

    def _table(self, rule: TableRule) -> list[Clause]:
        """At most one component per column, and the columns' values (a component's code or
        attribute, or none chosen) on a path of the table's decision diagram: a true node
        sends each value to its next node, and a value no row allows there is excluded."""
        x = self.var
        clauses: list[Clause] = []
        for column in rule.columns:  # at most one component per column
            literals = [x(code) for code in column.components]
            if len(literals) > 1:
                clauses.extend(self._at_most(literals, 1))
        table = snapshot_table_arcs(self.snapshot, rule)
        if table.root is None:
            return [[]]  # no row can match: the rule can never hold
        literal = {number: self.fresh() for number in range(1, table.nodes + 1)}
        for arc in table.arcs:
            if arc.child == ACCEPT:
                continue
            when = (
                [-x(arc.component)]
                if arc.component is not None
                else [x(code) for code in rule.columns[arc.column].components]
            )
            then = [] if arc.child is None else [literal[arc.child]]
            clauses.append([-literal[arc.node], *when, *then])
        if table.root != ACCEPT:
            clauses.append([literal[table.root]])
        return clauses
