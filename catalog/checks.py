"""Whole-catalog checks: references, duplicates, consistency, and cheaply detectable
contradictions. Pure: records in, problems out (lines are resolved by the loader)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from catalog.assurance import AssuredCombination
from catalog.capabilities import Capability, Competency
from catalog.centres import DeliveryCentre
from catalog.components import Component, CostBlock
from catalog.limits import MAX_HOURS, MAX_LINE_AMOUNT, MAX_LINE_UNITS
from catalog.located import Located, Source
from catalog.offerings import Offering
from catalog.price_books import PriceBook
from catalog.problems import Problem
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


@dataclass
class Records:
    """Validated records with their sources, in file order."""

    capabilities: list[Located[Capability]] = field(default_factory=list)
    competencies: list[Located[Competency]] = field(default_factory=list)
    delivery_centres: list[Located[DeliveryCentre]] = field(default_factory=list)
    price_books: list[Located[PriceBook]] = field(default_factory=list)
    components: list[Located[Component]] = field(default_factory=list)
    rules: list[Located[Rule]] = field(default_factory=list)
    offerings: list[Located[Offering]] = field(default_factory=list)
    assurances: list[Located[AssuredCombination]] = field(default_factory=list)
    # Records that failed their own validation (already reported): their codes and what
    # they claim to provide still count, so one broken file does not cascade into
    # "unknown component" problems everywhere it is referenced.
    invalid_codes: set[str] = field(default_factory=set)
    invalid_provides: set[str] = field(default_factory=set)

    def items(self) -> Iterator[tuple[str, list[Located[Any]]]]:
        for each in fields(self):
            if isinstance(getattr(self, each.name), list):
                yield each.name, getattr(self, each.name)


def check(records: Records) -> list[Problem]:
    """Every cross-record problem of the catalog."""
    context = _Context(records)
    problems: list[Problem] = []
    for checker in (
        _duplicates,
        _centres,
        _price_books,
        _components,
        _capabilities_provided,
        _capability_defaults,
        _rules,
        _offerings,
        _contradictions,
        _magnitudes,
    ):
        problems.extend(checker(context))
    return problems


class _Context:
    """Indexes over the records shared by the checks."""

    def __init__(self, records: Records) -> None:
        self.records = records
        self.capabilities = {entry.item.code: entry.item for entry in records.capabilities}
        self.competencies = {entry.item.code for entry in records.competencies}
        self.centres = [entry.item for entry in records.delivery_centres]
        self.price_books = {entry.item.code: entry.item for entry in records.price_books}
        self.components = {entry.item.code: entry.item for entry in records.components}
        self.known_codes = set(self.components) | records.invalid_codes


def _duplicates(context: _Context) -> Iterator[Problem]:
    for name, entries in context.records.items():
        key = "id" if name in ("rules", "assurances") else "code"
        first: dict[str, Located[Any]] = {}
        for entry in entries:
            value = getattr(entry.item, key)
            if value in first:
                earlier = first[value].source
                yield entry.source.problem(
                    (key,), f"duplicate {key} {value!r}, already defined in {earlier.file}"
                )
            else:
                first[value] = entry


def _convertible(context: _Context, currency: str) -> list[str]:
    """Price books that cannot convert ``currency`` into their own."""
    return [book.code for book in context.price_books.values() if book.fx_rate(currency) is None]


def _unknown(
    source: Source, field: str, codes: Iterable[str], known: Container[str], what: str
) -> Iterator[Problem]:
    for index, code in enumerate(codes):
        if code not in known:
            yield source.problem((field, index), f"unknown {what} {code!r}")


def _centres(context: _Context) -> Iterator[Problem]:
    for entry in context.records.delivery_centres:
        centre, source = entry.item, entry.source
        yield from _unknown(
            source, "competencies", centre.competencies, context.competencies, "competency"
        )
        missing = _convertible(context, centre.cost_currency)
        if missing:
            yield source.problem(
                ("cost_currency",),
                f"price book(s) {', '.join(missing)} have no FX rate for {centre.cost_currency}",
            )


def _price_books(context: _Context) -> Iterator[Problem]:
    # A misspelt family would silently leave its floor unenforced: say so (a warning, since
    # a floor may be set before the family's first component is written).
    families = {component.family for component in context.components.values()}
    for entry in context.records.price_books:
        for family in entry.item.guardrails.family_margin_floors:
            if family not in families:
                yield entry.source.problem(
                    ("guardrails", "family_margin_floors", family),
                    f"no component is in family {family!r}",
                    "warning",
                )


def _components(context: _Context) -> Iterator[Problem]:
    for entry in context.records.components:
        yield from _component(context, entry)


def _component(context: _Context, entry: Located[Component]) -> Iterator[Problem]:
    component, source = entry.item, entry.source
    for relation in ("provides", "requires"):
        for capability in getattr(component, relation):
            if capability not in context.capabilities:
                yield source.problem((relation, capability), f"unknown capability {capability!r}")
    if component.competency not in context.competencies:
        yield source.problem(("competency",), f"unknown competency {component.competency!r}")
    else:
        holders = [
            centre for centre in context.centres if component.competency in centre.competencies
        ]
        if not holders:
            yield source.problem(
                ("competency",), f"no delivery centre holds competency {component.competency!r}"
            )
        for period in ("monthly", "one_time"):
            for skill in getattr(component.effort, period):
                unrated = [centre.code for centre in holders if skill not in centre.labour_rates]
                if unrated:
                    yield source.problem(
                        ("effort", period, skill),
                        f"skill {skill!r} has no labour rate at {', '.join(unrated)}, "
                        f"which hold(s) competency {component.competency!r}",
                    )
    for book, price in component.prices.items():
        # A book that failed its own validation is reported there, not again here.
        if book not in context.price_books and book not in context.records.invalid_codes:
            yield source.problem(("prices", book), f"unknown price book {book!r}")
        if "monthly" in component.charges and not price.has_monthly:
            yield source.problem(
                ("prices", book), "the component charges monthly but has no monthly price"
            )
        if "monthly" not in component.charges and price.has_monthly:
            yield source.problem(
                ("prices", book), "a monthly price, but the component has no monthly charge"
            )
        if "one_time" in component.charges and price.one_time is None:
            yield source.problem(
                ("prices", book), "the component charges one-time but has no one_time price"
            )
        if "one_time" not in component.charges and price.one_time is not None:
            yield source.problem(
                ("prices", book, "one_time"),
                "a one-time price, but the component has no one-time charge",
            )
    costs = [("non_labour_cost", component.non_labour_cost)]
    if component.partner is not None:
        costs.append(("partner", component.partner.cost))
    for name, cost in costs:
        if cost is not None and (missing := _convertible(context, cost.currency)):
            path = (name, "currency") if name == "non_labour_cost" else (name, "cost", "currency")
            yield source.problem(
                path, f"price book(s) {', '.join(missing)} have no FX rate for {cost.currency}"
            )
    if component.availability_chain:
        for index, level in enumerate(component.service_levels):
            if level.availability is None:
                yield source.problem(
                    ("service_levels", index, "availability"),
                    "components in the availability chain need an availability "
                    "on every service level",
                )


def _capabilities_provided(context: _Context) -> Iterator[Problem]:
    provided = {
        capability for component in context.components.values() for capability in component.provides
    }
    provided |= context.records.invalid_provides
    for entry in context.records.capabilities:
        if entry.item.code not in provided:
            yield entry.source.problem(
                ("code",), f"no component provides capability {entry.item.code!r}"
            )


def _capability_defaults(context: _Context) -> Iterator[Problem]:
    """A capability's general-purpose default is a variant some component provides."""
    for entry in context.records.capabilities:
        default = entry.item.default
        if default and not any(
            entry.item.code in component.provides
            and all(component.attributes.get(name) == value for name, value in default.items())
            for component in context.components.values()
        ):
            named = ", ".join(f"{name}={value}" for name, value in default.items())
            yield entry.source.problem(
                ("default",), f"no component provides {entry.item.code!r} with {named}"
            )


def _rules(context: _Context) -> Iterator[Problem]:
    for entry in context.records.rules:
        rule = entry.item
        yield from _rule_references(context, entry)
        if isinstance(rule, QuantityRule):
            yield from _quantity_units(context, rule, entry)
        elif isinstance(rule, AttributeRule):
            yield from _attribute_scope(context, rule, entry)
        elif isinstance(rule, TableRule):
            yield from _table_cells(context, rule, entry)
        elif isinstance(rule, SameCentreRule):
            yield from _same_centre(context, rule, entry)


def _rule_references(context: _Context, entry: Located[Rule]) -> Iterator[Problem]:
    rule, source = entry.item, entry.source
    for path, code in _component_fields(rule):
        if code not in context.known_codes:
            yield source.problem(path, f"rule {rule.id} names unknown component {code!r}")


def _component_fields(rule: Rule) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(field path, component code) for every component a rule names."""
    if isinstance(rule, RequiresRule | RequiresAnyRule | ExcludesRule):
        yield ("if",), rule.if_
        for index, code in enumerate(rule.then):
            yield ("then", index), code
    elif isinstance(rule, ChooseRule):
        if rule.when is not None:
            yield ("when",), rule.when
        for index, code in enumerate(rule.group):
            yield ("group", index), code
    elif isinstance(rule, QuantityRule):
        for side in ("left", "right"):
            for code in getattr(rule, side):
                yield (side, code), code
    elif isinstance(rule, AttributeRule):
        for index, code in enumerate(rule.components_):
            yield ("components", index), code
    elif isinstance(rule, ExpressionRule):
        for code in rule.components():
            yield ("expression",), code
    elif isinstance(rule, TableRule):
        for column_index, column in enumerate(rule.columns):
            for index, code in enumerate(column.components):
                yield ("columns", column_index, "components", index), code
    elif isinstance(rule, SameCentreRule):
        for index, code in enumerate(rule.components_):
            yield ("components", index), code


def _quantity_units(
    context: _Context, rule: QuantityRule, entry: Located[Rule]
) -> Iterator[Problem]:
    for side, unit in (("left", rule.unit), ("right", rule.per or rule.unit)):
        for code in getattr(rule, side):
            component = context.components.get(code)
            if component is not None and component.unit != unit:
                yield entry.source.problem(
                    (side, code),
                    f"unit mismatch: {code} counts in {component.unit!r}, "
                    f"the {side} side in {unit!r}",
                )


def _attribute_scope(
    context: _Context, rule: AttributeRule, entry: Located[Rule]
) -> Iterator[Problem]:
    scope = [context.components[code] for code in rule.components_ if code in context.components]
    if not rule.components_:
        scope = [
            component
            for component in context.components.values()
            if rule.attribute in component.attributes
        ]
        if not scope:
            yield entry.source.problem(
                ("attribute",), f"no component has attribute {rule.attribute!r}"
            )
    for index, component in enumerate(scope):
        if rule.attribute not in component.attributes:
            yield entry.source.problem(
                ("components", index), f"{component.code} has no attribute {rule.attribute!r}"
            )


MAX_SPLIT_PAIRS = 10  # a family rule over a big catalog: the first pairs say enough


def _same_centre(
    context: _Context, rule: SameCentreRule, entry: Located[Rule]
) -> Iterator[Problem]:
    """Every family names a component, the rule has two members at least, and no two members
    are kept apart by the centres' competencies: such a pair could never be in one bundle,
    which is a contradiction of the catalog, not a choice (warnings stay warnings)."""
    source, severity = entry.source, rule.severity
    components = list(context.components.values())
    for index, family in enumerate(rule.families):
        if not any(component.family == family for component in components):
            yield source.problem(("families", index), f"no component has family {family!r}")
    named = rule.members(components)  # an unknown code is reported, and still counts
    if len(named) < 2:
        yield source.problem(
            ("components" if rule.components_ else "families",),
            f"co-location needs two components at least, rule {rule.id} has {len(named)}",
            severity,
        )
    members = [context.components[code] for code in named if code in context.components]
    holders = {
        member.competency: {c.code for c in context.centres if member.competency in c.competencies}
        for member in members
    }
    split = 0
    for index, first in enumerate(members):
        for second in members[index + 1 :]:
            apart = holders[first.competency], holders[second.competency]
            # A member no centre can deliver at all is a problem of its own, not of the rule.
            if not all(apart) or apart[0] & apart[1] or split >= MAX_SPLIT_PAIRS:
                continue
            split += 1
            yield source.problem(
                _member_path(rule, first),
                f"{first.code} and {second.code} can never share a centre: no delivery centre "
                f"holds both {first.competency!r} and {second.competency!r}",
                severity,
            )


def _member_path(rule: SameCentreRule, component: Component) -> tuple[str | int, ...]:
    """Where a member is named: its place in ``components``, else its family's."""
    if component.code in rule.components_:
        return ("components", rule.components_.index(component.code))
    return ("families", rule.families.index(component.family))


def _table_cells(context: _Context, rule: TableRule, entry: Located[Rule]) -> Iterator[Problem]:
    allowed: list[set[str]] = []
    for column_index, column in enumerate(rule.columns):
        values = {NONE, WILDCARD}
        for code in column.components:
            component = context.components.get(code)
            if component is None:
                continue
            if column.attribute is None:
                values.add(code)
            elif (value := component.attributes.get(column.attribute)) in (NONE, WILDCARD):
                # A row could not tell this value from "none chosen" or "anything".
                reads = "nothing chosen" if value == NONE else "any value"
                yield entry.source.problem(
                    ("columns", column_index, "attribute"),
                    f"{code}'s {column.attribute} is {value!r}, which a table row reads as {reads}",
                )
            elif column.attribute in component.attributes:
                values.add(component.attributes[column.attribute])
            else:
                yield entry.source.problem(
                    ("columns", column_index, "attribute"),
                    f"{code} has no attribute {column.attribute!r}",
                )
        allowed.append(values)
    reported = 0
    for row_index, row in enumerate(rule.rows):
        for column_index, value in enumerate(row):
            if value not in allowed[column_index] and reported < 10:
                reported += 1
                yield entry.source.problem(
                    ("rows",),
                    f"row {row_index + 1}: {value!r} is not a value of column "
                    f"{rule.columns[column_index].name!r}",
                )


def _offerings(context: _Context) -> Iterator[Problem]:
    for entry in context.records.offerings:
        offering, source = entry.item, entry.source
        yield from _unknown(
            source, "capabilities", offering.capabilities, context.capabilities, "capability"
        )
        provided: set[str] = set()
        for listing in ("default_components", "optional_components"):
            for index, code in enumerate(getattr(offering, listing)):
                component = context.components.get(code)
                if component is not None:
                    provided.update(component.provides)
                elif code not in context.known_codes:
                    yield source.problem((listing, index), f"unknown component {code!r}")
        for index, capability in enumerate(offering.capabilities):
            if (
                capability in context.capabilities
                and capability not in provided
                and not (
                    context.records.invalid_codes
                    & set(offering.default_components + offering.optional_components)
                )
            ):
                yield source.problem(
                    ("capabilities", index),
                    f"none of the offering's components provides {capability!r}",
                )
        both = set(offering.default_components) & set(offering.optional_components)
        if both:
            yield source.problem(
                ("optional_components",),
                f"{', '.join(sorted(both))} listed as default and optional",
            )


def _contradictions(context: _Context) -> Iterator[Problem]:
    """Components no bundle can ever contain because the rules contradict each other.

    Cheap, sound but incomplete: follows ``requires`` transitively and looks for a required
    component that is excluded, a ``requires_any`` whose every option is excluded, or more
    required members of a ``choose`` group than its maximum.
    """
    requires: dict[str, set[str]] = defaultdict(set)
    excludes: dict[str, dict[str, str]] = defaultdict(dict)  # code -> excluded code -> rule id
    requires_any: dict[str, list[RequiresAnyRule]] = defaultdict(list)  # by `if`
    chooses: dict[str, list[ChooseRule]] = defaultdict(list)  # by group member
    for entry in context.records.rules:
        rule = entry.item
        if rule.severity != "error":
            continue
        if isinstance(rule, RequiresRule):
            requires[rule.if_].update(rule.then)
        elif isinstance(rule, ExcludesRule):
            for code in rule.then:
                excludes[rule.if_][code] = rule.id
                excludes[code][rule.if_] = rule.id
        elif isinstance(rule, RequiresAnyRule):
            requires_any[rule.if_].append(rule)
        elif isinstance(rule, ChooseRule):
            for code in rule.group:
                chooses[code].append(rule)
    for located in context.records.components:
        code = located.item.code
        closure = _closure(code, requires)
        reason = (
            _clash(closure, excludes)
            or _choose_overflow(closure, chooses)
            or _any_blocked(closure, excludes, requires_any)
        )
        if reason:
            yield located.source.problem(("code",), f"{code} can never be chosen: {reason}")


def _closure(code: str, requires: dict[str, set[str]]) -> set[str]:
    seen = {code}
    stack = [code]
    while stack:
        for needed in requires.get(stack.pop(), ()):
            if needed not in seen:
                seen.add(needed)
                stack.append(needed)
    return seen


def _clash(closure: set[str], excludes: dict[str, dict[str, str]]) -> str | None:
    for code in sorted(closure):
        for other, rule_id in sorted(excludes.get(code, {}).items()):
            if other in closure:
                if other == code:
                    return f"rule {rule_id} excludes {code} from every bundle"
                return f"it needs both {code} and {other}, which rule {rule_id} excludes"
    return None


def _choose_overflow(closure: set[str], chooses: dict[str, list[ChooseRule]]) -> str | None:
    for code in sorted(closure):
        for rule in chooses.get(code, ()):
            if rule.when is None or rule.when in closure:
                taken = closure & set(rule.group)
                if len(taken) > rule.max:
                    return (
                        f"it needs {', '.join(sorted(taken))}, "
                        f"but rule {rule.id} allows at most {rule.max}"
                    )
    return None


def _any_blocked(
    closure: set[str],
    excludes: dict[str, dict[str, str]],
    requires_any: dict[str, list[RequiresAnyRule]],
) -> str | None:
    blocked = {other for code in closure for other in excludes.get(code, {})}
    for code in sorted(closure):
        for rule in requires_any.get(code, ()):
            if set(rule.then) <= blocked:
                return f"rule {rule.id} needs one of {', '.join(rule.then)}, and each is excluded"
    return None


# -- what one line can amount to ---------------------------------------------------------------


def _magnitudes(context: _Context) -> Iterator[Problem]:
    """One line at its largest quantity stays within what the solver's integers hold
    (``catalog.limits``): the capability units it provides or requires or a quantity rule
    counts, the effort hours it takes a month, and its price and cost a month or once."""
    for located in context.records.components:
        yield from _line_magnitudes(context, located)
    for entry in context.records.rules:
        rule = entry.item
        if not isinstance(rule, QuantityRule):
            continue
        for side in ("left", "right"):
            for code, coefficient in getattr(rule, side).items():
                component = context.components.get(code)
                if component is not None and coefficient * component.quantity.max > MAX_LINE_UNITS:
                    yield entry.source.problem(
                        (side, code),
                        _too_much(
                            f"{coefficient} a unit of {code}",
                            component,
                            MAX_LINE_UNITS,
                            coefficient * component.quantity.max,
                        ),
                    )


def _too_much(per_unit: str, component: Component, limit: int, total: Decimal) -> str:
    return (
        f"{per_unit} x quantity.max {component.quantity.max:,} is {total:,.0f}, more than "
        f"the {limit:,} one line may amount to (so that the solver's 64-bit integers hold "
        "it): lower quantity.max or the figure"
    )


def _line_magnitudes(context: _Context, entry: Located[Component]) -> Iterator[Problem]:
    component, source = entry.item, entry.source
    most = component.quantity.max
    for relation in ("provides", "requires"):
        for capability, amount in getattr(component, relation).items():
            if amount * most > MAX_LINE_UNITS:
                yield source.problem(
                    (relation, capability),
                    _too_much(f"{amount} a unit", component, MAX_LINE_UNITS, amount * most),
                )
    hours = sum(component.effort.monthly.values(), Decimal(0))
    if hours * most > MAX_HOURS:
        yield source.problem(
            ("effort", "monthly"),
            _too_much(f"{hours} hours a unit a month", component, MAX_HOURS, hours * most),
        )
    factor = max(level.price_factor for level in component.service_levels)
    for book, price in component.prices.items():
        rates: list[tuple[tuple[str | int, ...], Decimal, Decimal]] = []
        if price.monthly is not None:
            rates.append((("monthly",), price.monthly, factor))
        if price.tiers is not None:
            rates += [
                (("tiers", "bands", index, "monthly"), band.monthly, factor)
                for index, band in enumerate(price.tiers.bands)
            ]
        if price.one_time is not None:
            rates.append((("one_time",), price.one_time, Decimal(1)))
        for path, rate, times in rates:
            if rate * times * most > MAX_LINE_AMOUNT:
                what = f"{rate} a unit" + (
                    f" x price factor {times}" if path[-1] == "monthly" else ""
                )
                yield source.problem(
                    ("prices", book, *path),
                    _too_much(what, component, MAX_LINE_AMOUNT, rate * times * most),
                )
    worst = _dearest_line(context, component)
    if worst is not None:
        unit, where = worst
        yield source.problem(
            ("quantity", "max"), _too_much(where, component, MAX_LINE_AMOUNT, unit * most)
        )


def _dearest_line(context: _Context, component: Component) -> tuple[Decimal, str] | None:
    """The highest unit cost, a month or once, at any centre holding the competency in any
    price book, and its words, if a line at its largest quantity would pass MAX_LINE_AMOUNT
    (the pricing engine's build-up, every part at the dearest cost factor)."""
    most = component.quantity.max
    factor = max(level.cost_factor for level in component.service_levels)
    blocks: list[CostBlock] = [
        block
        for block in (
            component.non_labour_cost,
            component.partner.cost if component.partner is not None else None,
        )
        if block is not None
    ]
    effort = component.effort
    worst: tuple[Decimal, str] | None = None
    for centre in context.centres:
        if component.competency not in centre.competencies:
            continue
        rates = centre.labour_rates
        labour = [
            sum(
                (hours * rates.get(skill, Decimal(0)) for skill, hours in period.items()),
                Decimal(0),
            )
            for period in (effort.monthly, effort.one_time)
        ]
        for book in context.price_books.values():
            centre_fx = book.fx_rate(centre.cost_currency) or Decimal(0)
            monthly, once = (part * centre_fx for part in labour)
            for block in blocks:
                fx = book.fx_rate(block.currency) or Decimal(0)
                monthly += block.monthly * fx
                once += block.one_time * fx
            for unit, period in ((monthly * factor, "a month"), (once, "once")):
                if unit * most > MAX_LINE_AMOUNT and (worst is None or unit > worst[0]):
                    where = (
                        f"a unit costing {unit:,.2f} {book.currency} {period} from "
                        f"{centre.code} (price book {book.code})"
                    )
                    worst = (unit, where)
    return worst


def records_of(collections: dict[str, Iterable[Any]]) -> Records:
    """Records of already validated models (e.g. read back from a database), each named
    ``<collection>/<code>`` in place of a file, so the same checks apply to them."""
    records = Records()
    for field_name, items in collections.items():
        located = getattr(records, field_name)
        for item in items:
            key = getattr(item, "code", None) or getattr(item, "id", "?")
            located.append(Located(item, Source(f"{field_name}/{key}", ())))
    return records
