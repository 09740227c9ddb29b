"""The CP-SAT model of a configuration request: the decision variables in one container and
the objective terms, built from the pricing engine's integer terms.

Per component in scope: ``chosen`` (bool) and ``quantity``, and per service level the same
pair (a tier table reads the quantity at that level). Prices come per service level. Where
the model decides delivery centres (explaining, or when capacity binds), each option (a
level at a centre that holds the competency, or just a centre when the price is the
objective) has ``chosen`` and ``quantity`` too, exactly one option per chosen component
carrying its whole quantity, and costs and capacity come per option. Otherwise costs come at
each level's cheapest centre and ``solve.place`` assigns centres afterwards. The constraint
families live in ``app.configurator.constraints``.

Every constraint that stems from the request (a need, an include, the residency…) or from a
catalog rule belongs to a ``Group``. In an explaining build each group gets an assumption
literal that switches it on, so an infeasible request can be traced to a minimal set of
groups; otherwise groups cost nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, TypeVar

from ortools.sat.python import cp_model, cp_model_helper

from app.configurator.errors import OutOfRange
from app.configurator.memo import per_snapshot
from app.configurator.request import ConfigurationRequest
from app.configurator.scope import reachable
from catalog.centres import DeliveryCentre
from catalog.components import Component, ServiceLevel
from catalog.price_books import PriceBook
from catalog.snapshot import CatalogSnapshot
from pricing.terms import LineTerms, Terms
from pricing.tiers import RateSchedule

GroupKind = Literal[
    "need", "include", "exclude", "residency", "availability", "budget", "rule", "capacity"
]
LinearExpr = cp_model.LinearExpr
MAX_SHARED = 8  # derived values of one kind kept per snapshot (see ``_shared``)
T = TypeVar("T")
SatLiteral = cp_model_helper.Literal


def total(terms: Iterable[LinearExpr | cp_model.IntVar]) -> LinearExpr:
    """The sum of ``terms`` as one linear expression (0 when there are none)."""
    return cp_model.LinearExpr.sum(list(terms))


def solve_model(solver: cp_model.CpSolver, model: cp_model.CpModel) -> cp_model.CpSolverStatus:
    """``solver.solve(model)``; a model CP-SAT refuses for its numbers is OutOfRange, never
    read as "no solution". Any other invalid model is a bug, and says so."""
    status = solver.solve(model)
    if status == cp_model.MODEL_INVALID:
        reason = model.validate()
        if "overflow" in reason:
            raise OutOfRange(
                "the request reaches figures of the catalog (quantities, amounts, hours) "
                "that add up past the solver's 64-bit integers; ask for fewer or smaller "
                "needs, or lower the catalog's largest quantities"
            )
        raise RuntimeError(f"the configurator built an invalid model: {reason}")
    return status


def _zero() -> LinearExpr:
    return total([])


@dataclass(frozen=True, slots=True)
class Group:
    """A constraint of the request or of the catalog that an explanation can name."""

    kind: GroupKind
    ref: str


@dataclass(slots=True)
class Option:
    """Where (and, unless the level is chosen apart, at which level) a component is
    delivered."""

    level: ServiceLevel | None
    centre: DeliveryCentre
    terms: LineTerms
    chosen: cp_model.IntVar
    quantity: cp_model.IntVar
    outside_residency: bool = False


@dataclass(slots=True)
class Choice:
    """The variables of one component in scope."""

    component: Component
    chosen: cp_model.IntVar
    quantity: cp_model.IntVar
    options: list[Option] = field(default_factory=list)
    # Per service level: whether it is the chosen one, and the quantity at it.
    level_chosen: dict[str, cp_model.IntVar] = field(default_factory=dict)
    level_quantity: dict[str, cp_model.IntVar] = field(default_factory=dict)
    # Centres left to placement, with cost: contract cost per unit at each level's cheapest
    # centre, in cents (what the relaxation assumed).
    level_cost: dict[str, int] = field(default_factory=dict)
    monthly_price: LinearExpr = field(default_factory=_zero)
    one_time_price: LinearExpr = field(default_factory=_zero)
    monthly_cost: LinearExpr = field(default_factory=_zero)
    one_time_cost: LinearExpr = field(default_factory=_zero)


@dataclass(slots=True)
class ConfigModel:
    snapshot: CatalogSnapshot
    request: ConfigurationRequest
    book: PriceBook
    terms: Terms  # the pricing engine's integer terms, derived once per model
    explaining: bool
    centres_modelled: bool = True  # False: levels and quantities only, centres by ``place``
    # Only each component's cheapest level, when one is never dearer than the others and
    # nothing else can tell levels apart (see ``_dominant``).
    cheapest_level_only: bool = False
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    choices: dict[str, Choice] = field(default_factory=dict)
    # Components in scope that no option can deliver, and why (hard facts of the catalog).
    undeliverable: dict[str, str] = field(default_factory=dict)
    groups: dict[Group, cp_model.IntVar] = field(default_factory=dict)
    _false: cp_model.IntVar | None = None
    _requirers: dict[str, list[Choice]] | None = None

    def guard(self, group: Group) -> list[cp_model.IntVar]:
        """The enforcement literals of a constraint in ``group`` (none unless explaining)."""
        if not self.explaining:
            return []
        literal = self.groups.get(group)
        if literal is None:
            literal = self.groups[group] = self.model.new_bool_var(f"{group.kind}:{group.ref}")
        return [literal]

    @property
    def false(self) -> cp_model.IntVar:
        if self._false is None:
            self._false = self.model.new_bool_var("false")
            self.model.add(self._false == 0)
        return self._false

    def requirers(self) -> dict[str, list[Choice]]:
        """The choices requiring each capability (built once, after every choice exists)."""
        if self._requirers is None:
            self._requirers = {}
            for choice in self.choices.values():
                for capability in choice.component.requires:
                    self._requirers.setdefault(capability, []).append(choice)
        return self._requirers

    def centres_for(self, component: Component) -> list[DeliveryCentre]:
        """The centres that hold ``component``'s competency inside the residency: where
        placement may put it when the model leaves centres out."""
        regions = self.request.residency
        return [
            centre
            for centre in self.snapshot.centres_with(component.competency)
            if regions is None or centre.region in regions
        ]

    def chosen(self, code: str) -> cp_model.IntVar:
        """Whether ``code`` is chosen; a component out of scope never is."""
        choice = self.choices.get(code)
        return choice.chosen if choice is not None else self.false

    def quantity(self, code: str) -> LinearExpr:
        choice = self.choices.get(code)
        return total([choice.quantity] if choice is not None else [])

    def monthly_price(self) -> LinearExpr:
        return total(choice.monthly_price for choice in self.choices.values())

    def contract_price(self) -> LinearExpr:
        term = self.request.term_months
        return total(
            choice.monthly_price * term + choice.one_time_price for choice in self.choices.values()
        )

    def contract_cost(self) -> LinearExpr:
        term = self.request.term_months
        return total(
            choice.monthly_cost * term + choice.one_time_cost for choice in self.choices.values()
        )


def build_variables(
    snapshot: CatalogSnapshot,
    request: ConfigurationRequest,
    *,
    explaining: bool = False,
    centres: bool | None = None,
) -> ConfigModel:
    """The container with a choice per component in scope; no request constraint yet.

    ``centres``: whether the model decides the delivery centre of each line (default: only
    when explaining). Otherwise it decides levels and quantities alone, pricing cost at each
    level's cheapest centre, and leaves the centre to ``place``: a relaxation (capacity is
    not in it) whose answer holds whenever a placement with room at those costs exists.
    """
    modelled = explaining if centres is None else centres
    book = snapshot.price_book(request.price_book)
    terms = shared_terms(snapshot, book, request.term_months, request.discount_percent)
    config = ConfigModel(
        snapshot, request, book, terms, explaining, centres_modelled=modelled,
        cheapest_level_only=request.min_availability is None and (
            explaining or (request.objective == "min_price" and request.alternatives == 1)
        ),
    )  # fmt: skip
    regions = set(request.residency) if request.residency is not None else None
    with_cost = request.objective != "min_price"
    # A price-only relaxation needs one deliverable centre per level, not all of them.
    first_only = not modelled and not with_cost
    # Where each component can be delivered, for every request asking the same (measured on
    # the 10,000-component catalog: a tenth of model building, 0.12 s of CPU).
    deliveries: dict[str, tuple[tuple[_Candidate, ...], str]] = _shared(
        snapshot, "deliveries",
        (book.code, request.term_months, request.discount_percent,
         None if regions is None else frozenset(regions), explaining, first_only),
        dict,
    )  # fmt: skip
    for code in sorted(reachable(snapshot, request)):
        component = snapshot.component(code)
        known = deliveries.get(code)
        if known is None:
            found, why = _options(snapshot, component, terms, regions, explaining, first_only)
            known = deliveries[code] = (tuple(found), why)
        options, why_not = known
        _add_choice(config, component, options, with_cost=with_cost)
        if not options:
            config.undeliverable[code] = why_not
    return config


def shared_terms(
    snapshot: CatalogSnapshot, book: PriceBook, term_months: int, discount_percent: Decimal
) -> Terms:
    """The integer terms of ``book`` over a term with a discount, shared by every model of
    ``snapshot`` that asks for the same (most requests ask for one of a few): each unit
    price and cost build-up is derived once, not once per request. Measured on the
    10,000-component catalog: pricing was half of model building (1.16 s of CPU)."""
    return _shared(
        snapshot, "terms", (book.code, term_months, discount_percent),
        lambda: Terms(book, term_months=term_months, discount_percent=discount_percent),
    )  # fmt: skip


def _shared(snapshot: CatalogSnapshot, name: str, key: Hashable, build: Callable[[], T]) -> T:
    """``build()`` for ``snapshot`` and ``key``, kept while the snapshot lives; at most
    MAX_SHARED keys per ``name`` (beyond, they start afresh: a request's discount is free)."""
    known: dict[Hashable, T] = per_snapshot(snapshot, name, dict)
    value = known.get(key)
    if value is None:
        if len(known) >= MAX_SHARED:
            known.clear()
        value = known[key] = build()
    return value


_Candidate = tuple[ServiceLevel, DeliveryCentre, LineTerms, bool]


def _options(
    snapshot: CatalogSnapshot,
    component: Component,
    terms: Terms,
    regions: set[str] | None,
    explaining: bool,
    first_only: bool,
) -> tuple[list[_Candidate], str]:
    """The (level, centre) pairs that can deliver ``component`` (with ``first_only``, the
    first such centre per level), and why there are none."""
    if component.partner is not None and component.partner.status == "no-go":
        return [], f"its partner {component.partner.name} is no-go"
    if component.status != "active":
        return [], f"it is {component.status}, not active"
    centres = snapshot.centres_with(component.competency)
    if not centres:
        return [], f"no delivery centre holds competency {component.competency!r}"
    inside = [c for c in centres if explaining or regions is None or c.region in regions]
    found: list[_Candidate] = []
    for level in component.service_levels:
        for centre in inside:
            derived = terms.of(component, level, centre)
            if not isinstance(derived, list):
                outside = regions is not None and centre.region not in regions
                found.append((level, centre, derived, outside))
                if first_only:
                    break
    if not found:
        if regions is not None and all(centre.region not in regions for centre in centres):
            where = ", ".join(sorted(regions))
            return [], (f"no centre in {where} holds competency {component.competency!r}")
        return [], f"it cannot be priced in price book {terms.book.code}"
    return found, ""


def _add_choice(
    config: ConfigModel, component: Component, options: Sequence[_Candidate], *, with_cost: bool
) -> None:
    model, code = config.model, component.code
    bounds = component.quantity
    chosen = model.new_bool_var(f"{code}")
    quantity = model.new_int_var(0, bounds.max, f"{code}.q")
    choice = Choice(component, chosen, quantity)
    config.choices[code] = choice
    if not options:
        model.add(chosen == 0)
        model.add(quantity == 0)
        return
    low = max(1, bounds.min)
    model.add(quantity >= low * chosen)
    model.add(quantity <= bounds.max * chosen)
    if bounds.step > 1:
        steps = model.new_int_var(0, (bounds.max - bounds.min) // bounds.step, f"{code}.steps")
        model.add(quantity == bounds.min * chosen + bounds.step * steps)
    levels = [lv for lv in component.service_levels if any(o[0] is lv for o in options)]
    if config.cheapest_level_only:
        dominant = _dominant(levels, options)
        if dominant is not None:
            levels, options = [dominant], [o for o in options if o[0] is dominant]
    centres = list({option[1].code: option[1] for option in options}.values())
    # The price depends on the level and the cost on the level and the centre. The level is
    # chosen apart from the centre (levels + centres variables instead of levels x centres)
    # when the objective is the price and every pair can deliver, or when the centre is
    # left to placement altogether.
    per_level = not config.centres_modelled or (
        not with_cost and len(options) == len(levels) * len(centres)
    )
    if config.centres_modelled:
        _add_options(config, choice, options, per_level, centres)
    monthly_price: list[LinearExpr] = []
    one_time_price: list[LinearExpr] = []
    monthly_cost: list[LinearExpr] = []
    one_time_cost: list[LinearExpr] = []
    cheapest = None
    for level in levels:
        if len(levels) == 1:
            level_chosen, level_quantity = chosen, quantity
        else:
            level_chosen = model.new_bool_var(f"{code}@{level.name}")
            level_quantity = model.new_int_var(0, bounds.max, f"{code}@{level.name}.q")
        if per_level and len(levels) > 1:
            model.add(level_quantity <= bounds.max * level_chosen)
        elif not per_level:
            at_level = [option for option in choice.options if option.level is level]
            model.add(level_chosen == total(option.chosen for option in at_level))
            model.add(level_quantity == total(option.quantity for option in at_level))
        choice.level_chosen[level.name] = level_chosen
        choice.level_quantity[level.name] = level_quantity
        at = [o[2] for o in options if o[0] is level]
        terms = at[0]  # the price: level, not centre
        monthly_price.append(
            _schedule_amount(model, terms.monthly_price, level_quantity, level_chosen, bounds.max)
        )
        one_time_price.append(terms.one_time_price * level_quantity)
        if not config.centres_modelled and with_cost:
            term = config.request.term_months
            least = min(at, key=lambda t: t.monthly_cost * term + t.one_time_cost)
            choice.level_cost[level.name] = least.monthly_cost * term + least.one_time_cost
            monthly_cost.append(least.monthly_cost * level_quantity)
            one_time_cost.append(least.one_time_cost * level_quantity)
        lowest = min(segment.rate for segment in terms.monthly_price.segments)
        cheapest = lowest if cheapest is None else min(cheapest, lowest)
    if per_level and len(levels) > 1:
        model.add(total(choice.level_chosen.values()) == chosen)
        model.add(total(choice.level_quantity.values()) == quantity)
    choice.monthly_price = total(monthly_price)
    # Redundant, for the LP relaxation: no unit is ever cheaper than the lowest band rate of
    # any level. Tier and floor encodings alone give CP-SAT a weak lower bound.
    if cheapest:
        model.add(choice.monthly_price >= cheapest * quantity)
    choice.one_time_price = total(one_time_price)
    if config.centres_modelled and not per_level:
        choice.monthly_cost = total(o.terms.monthly_cost * o.quantity for o in choice.options)
        choice.one_time_cost = total(o.terms.one_time_cost * o.quantity for o in choice.options)
    elif not config.centres_modelled:
        choice.monthly_cost = total(monthly_cost)
        choice.one_time_cost = total(one_time_cost)


def _dominant(levels: list[ServiceLevel], options: Sequence[_Candidate]) -> ServiceLevel | None:
    """The first level whose price is never above any other level's, if there is one.

    Levels differ in price, cost and availability only: rules, residency and capacity see
    components, quantities and centres. So without an availability target, and when the
    price is all that counts (the objective, or a budget when explaining), any bundle stays
    valid and gets no dearer with each line at its dominant level; the other levels only
    slow the solver down. (Alternatives may differ in levels alone, so they keep them all.)
    """
    price = {level.name: next(o[2].price for o in options if o[0] is level) for level in levels}
    for level in levels:
        mine = price[level.name]
        if all(
            mine.schedule.never_above(theirs.schedule) and mine.one_time <= theirs.one_time
            for theirs in price.values()
        ):
            return level
    return None


def _add_options(
    config: ConfigModel,
    choice: Choice,
    options: Sequence[_Candidate],
    per_level: bool,
    centres: list[DeliveryCentre],
) -> None:
    """The centre (and, unless ``per_level``, the level) variables of ``choice``."""
    model, code, upper = config.model, choice.component.code, choice.component.quantity.max
    placements = (
        [(None, centre, next(o[2] for o in options if o[1] is centre), next(
            o[3] for o in options if o[1] is centre)) for centre in centres]
        if per_level
        else list(options)
    )  # fmt: skip
    for level, centre, terms, outside in placements:
        name = f"{code}@{level.name if level else ''}@{centre.code}"
        option_chosen = model.new_bool_var(name)
        option_quantity = model.new_int_var(0, upper, f"{name}.q")
        model.add(option_quantity <= upper * option_chosen)
        choice.options.append(Option(level, centre, terms, option_chosen, option_quantity, outside))
    model.add(total(option.chosen for option in choice.options) == choice.chosen)
    model.add(total(option.quantity for option in choice.options) == choice.quantity)


def _schedule_amount(
    model: cp_model.CpModel,
    schedule: RateSchedule,
    quantity: cp_model.IntVar,
    active: cp_model.IntVar,
    upper: int,
) -> LinearExpr:
    """The monthly amount in cents of ``quantity`` under ``schedule`` (0 when not active)."""
    segments = schedule.segments
    if len(segments) == 1 and segments[0].offset == 0 and segments[0].floor == 0:
        return segments[0].rate * quantity
    picks: list[cp_model.IntVar] = []
    parts: list[cp_model.IntVar] = []
    amounts: list[LinearExpr] = []
    for segment in segments:
        if segment.lower > upper:
            break
        pick = model.new_bool_var("")
        part = model.new_int_var(0, upper, "")
        model.add(part >= segment.lower * pick)
        model.add(part <= min(segment.upper or upper, upper) * pick)
        linear = segment.offset * pick + segment.rate * part
        if segment.floor == 0:
            # Inside its band the linear amount is never negative: no max needed.
            amounts.append(linear)
        else:
            top = max(abs(segment.offset), segment.floor) + segment.rate * upper
            amount = model.new_int_var(0, top, "")
            model.add_max_equality(amount, [linear, segment.floor * pick])
            amounts.append(amount * 1)
        picks.append(pick)
        parts.append(part)
    model.add(total(picks) == active)
    model.add(total(parts) == quantity)
    return total(amounts)


def scaled(values: Sequence[Decimal]) -> tuple[list[int], int]:
    """Decimals as integers with one common power-of-ten scale, and that scale."""
    places = 0
    for value in values:
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int):
            places = max(places, -exponent)
    scale = 10**places
    return [int(value * scale) for value in values], scale


def scaled_sum(
    terms: Sequence[tuple[Decimal, LinearExpr]], constant: Decimal
) -> tuple[LinearExpr, int]:
    """``sum(coefficient * variable)`` and ``constant`` with their decimals scaled to
    integers by one common power of ten (the relation between them is unchanged)."""
    ints, _ = scaled([*(coefficient for coefficient, _ in terms), constant])
    expression = cp_model.LinearExpr.weighted_sum([v for _, v in terms], ints[: len(terms)])
    return expression, ints[-1]
