"""What a customer chooses from, and what a choice comes to.

Sales offer up to three bundles (good/better/best, from the configurator's alternatives),
optional add-ons and non-standard lines (``Choices``, as asked or kept from the previous
revision). The customer picks one bundle and ticks add-ons (``Choice``); what that comes
to (``choice_totals``) is the bundle's totals, the non-standard lines and the add-ons
ticked, summed in cents. ``differences`` says what the bundles do not share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.configurator import ConfigurationRequest
from app.documents import availability, availability_places
from app.kit.errors import FieldProblem, Invalid
from app.proposals.add_ons import WantedAddOn
from app.proposals.content import HandPriced
from app.proposals.revision import CustomLine, FrozenRevision, Line, PricedBundle, Totals
from app.proposals.schemas import ProposalCreate, ProposalRevise
from pricing import from_cents, to_cents

DEFAULT_NAMES = ("Good", "Better", "Best")


@dataclass(frozen=True, slots=True)
class Choices:
    """The options, add-ons and non-standard lines a revision offers, as asked."""

    option_names: tuple[str, ...] | None
    add_ons: tuple[WantedAddOn, ...]
    custom_lines: tuple[HandPriced, ...]

    @classmethod
    def asked(
        cls,
        body: ProposalCreate | ProposalRevise,
        request: ConfigurationRequest,
        kept: FrozenRevision | None = None,
    ) -> Choices:
        """The choices of ``body``; what it leaves out is ``kept`` from the revision before."""
        names = None if body.option_names is None else tuple(body.option_names)
        if names is None and kept is not None and kept.alternatives:
            before = tuple(name for name, _ in kept.options(show_cost=False))
            names = before if len(before) == request.alternatives else None
        if names is not None and len(names) != request.alternatives:
            raise Invalid(
                "one name per bundle offered",
                [FieldProblem("option_names", f"give {request.alternatives} name(s), one per "
                              "bundle of `request.alternatives`, or leave it out")],
            )  # fmt: skip
        if names is not None and len(set(names)) != len(names):
            problem = FieldProblem("option_names", "each option needs its own name")
            raise Invalid("option names must differ", [problem])
        return cls(names, _add_ons(body, kept), _custom_lines(body, kept))

    def names_for(self, found: int) -> tuple[str, ...]:
        """The names of the ``found`` bundles the solver gave (it may find fewer than
        asked); none for a single bundle that was not named."""
        if self.option_names is not None:
            return self.option_names[:found]
        return DEFAULT_NAMES[:found] if found > 1 else ()


def _add_ons(
    body: ProposalCreate | ProposalRevise, kept: FrozenRevision | None
) -> tuple[WantedAddOn, ...]:
    if body.add_ons is not None:
        return tuple(
            WantedAddOn(add_on.component, add_on.quantity, add_on.service_level,
                        add_on.delivery_centre)
            for add_on in body.add_ons
        )  # fmt: skip
    if kept is None:
        return ()
    # Kept as sold: the same level and centre, re-priced on the current catalog.
    return tuple(
        WantedAddOn(line.component, line.quantity, line.service_level, line.delivery_centre)
        for line in kept.optional_lines(show_cost=False)
    )


def _custom_lines(
    body: ProposalCreate | ProposalRevise, kept: FrozenRevision | None
) -> tuple[HandPriced, ...]:
    if body.custom_lines is not None:
        return tuple(
            HandPriced(line.description, line.quantity, line.unit_price, line.charge,
                       line.estimated_unit_cost)
            for line in body.custom_lines
        )  # fmt: skip
    if kept is None:
        return ()
    return tuple(
        HandPriced(
            line.description, line.quantity, line.unit_price, line.charge,
            None if line.cost is None
            else (line.cost.monthly + line.cost.one_time) / line.quantity,
        )
        for line in kept.non_standard(show_cost=True)
    )  # fmt: skip


# -- the customer's choice ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    """The bundle the customer picked (1-based) and the add-ons ticked (1-based), as the
    acceptance stores it and the work packages and the contract copy follow it."""

    option: int = 1
    add_ons: tuple[int, ...] = ()

    def stored(self) -> dict[str, Any]:
        return {"option": self.option, "add_ons": list(self.add_ons)}

    @classmethod
    def read(cls, document: Mapping[str, Any]) -> Choice:
        return cls(int(document["option"]), tuple(int(n) for n in document.get("add_ons", ())))


@dataclass(frozen=True, slots=True)
class ChoiceTotals:
    currency: str
    monthly: Decimal
    one_time: Decimal
    contract_value: Decimal


class NotAChoice(ValueError):
    """A choice the revision does not offer."""


def checked(frozen: FrozenRevision, choice: Choice) -> Choice:
    """``choice`` if ``frozen`` offers it (add-ons in order, each once), else NotAChoice."""
    count = 1 + len(frozen.alternatives)
    if not 1 <= choice.option <= count:
        raise NotAChoice(f"option {choice.option} is not offered; choose 1 to {count}")
    ticked = sorted(set(choice.add_ons))
    for number in ticked:
        if not 1 <= number <= len(frozen.add_ons):
            raise NotAChoice(f"add-on {number} is not offered")
    return Choice(choice.option, tuple(ticked))


def chosen_bundle(frozen: FrozenRevision, choice: Choice, *, show_cost: bool) -> PricedBundle:
    return frozen.options(show_cost=show_cost)[choice.option - 1][1]


def option_totals(frozen: FrozenRevision, option: int) -> ChoiceTotals:
    """What option ``option`` comes to without add-ons: its bundle and the non-standard
    lines."""
    return choice_totals(frozen, Choice(option))


def choice_totals(frozen: FrozenRevision, choice: Choice) -> ChoiceTotals:
    """What the customer pays for ``choice``, as every role may see it."""
    choice = checked(frozen, choice)
    bundle = chosen_bundle(frozen, choice, show_cost=False)
    add_ons = frozen.optional_lines(show_cost=False)
    parts: list[Totals | CustomLine | Line] = [
        bundle.totals, *frozen.non_standard(show_cost=False),
        *(add_ons[number - 1] for number in choice.add_ons),
    ]  # fmt: skip
    return ChoiceTotals(
        currency=bundle.currency,
        monthly=from_cents(sum(to_cents(part.monthly) for part in parts)),
        one_time=from_cents(sum(to_cents(part.one_time) for part in parts)),
        contract_value=from_cents(sum(to_cents(part.contract_value) for part in parts)),
    )


# -- what the options do not share ----------------------------------------------------------


def availability_texts(bundles: Sequence[PricedBundle]) -> tuple[str | None, ...]:
    """Each bundle's composite availability, all with the decimals the most precise needs
    (options may differ by as little as 0.001 %), never rounded up."""
    values = [bundle.availability for bundle in bundles]
    places = availability_places(value for value in values if value is not None)
    return tuple(
        None if value is None else availability(value, places, computed=True) for value in values
    )


@dataclass(frozen=True, slots=True)
class Difference:
    aspect: str  # "component", "service_level" or "availability"
    subject: str
    values: tuple[str | None, ...]  # per option; None: not in that option


def differences(frozen: FrozenRevision) -> tuple[Difference, ...]:
    """Components some options have and others not, service levels that differ, and the
    availability, when there is more than one option."""
    bundles = [bundle for _, bundle in frozen.options(show_cost=False)]
    if len(bundles) < 2:
        return ()
    per_option = [{line.component: line for line in bundle.lines} for bundle in bundles]
    codes = list(dict.fromkeys(code for lines in per_option for code in lines))
    found: list[Difference] = []
    for code in codes:
        present = [lines.get(code) for lines in per_option]
        name = next(line.name for line in present if line is not None)
        if any(line is None for line in present):
            found.append(Difference("component", name, tuple(
                None if line is None else f"{line.quantity:,} {line.unit}" for line in present
            )))  # fmt: skip
            continue
        levels = tuple(line.service_level for line in present if line is not None)
        if len(set(levels)) > 1:
            found.append(Difference("service_level", name, levels))
    availability = availability_texts(bundles)
    if len(set(availability)) > 1:
        found.append(Difference("availability", "the whole solution", availability))
    return tuple(found)
