"""The options side by side, as a reader sees them: one column per bundle offered (its
monthly, one-time and contract totals and its availability), a row per thing the bundles do
not share, the add-ons with a box to tick, the non-standard lines, and what the choice made
so far comes to. Made from the frozen revision only, as every role may see it (never cost
or margin); the customer's page and the proposal PDF draw the same comparison."""

from __future__ import annotations

from dataclasses import dataclass

from app.documents import money, quantity
from app.proposals.choices import (
    Choice,
    Difference,
    availability_texts,
    checked,
    choice_totals,
    differences,
    option_totals,
)
from app.proposals.revision import FrozenRevision

ASPECTS = {
    "component": "Included",
    "service_level": "Service level",
    "availability": "Availability",
}


@dataclass(frozen=True, slots=True)
class OptionColumn:
    number: int
    name: str
    monthly: str
    one_time: str
    contract_value: str
    availability: str | None
    chosen: bool


@dataclass(frozen=True, slots=True)
class DifferenceRow:
    aspect: str
    subject: str
    values: tuple[str, ...]  # per option; "—" where the option does not have it


@dataclass(frozen=True, slots=True)
class AddOnRow:
    number: int
    name: str
    quantity: int
    unit: str
    quantity_text: str  # "50 devices"
    monthly: str
    one_time: str
    ticked: bool


@dataclass(frozen=True, slots=True)
class CustomRow:
    description: str
    quantity: int
    charge: str  # "monthly" or "one-time"
    unit_price: str
    amount: str


@dataclass(frozen=True, slots=True)
class Comparison:
    options: tuple[OptionColumn, ...]
    differences: tuple[DifferenceRow, ...]
    add_ons: tuple[AddOnRow, ...]
    custom_lines: tuple[CustomRow, ...]
    choice: Choice
    monthly: str  # what the choice comes to
    one_time: str
    contract_value: str
    term_months: int

    @property
    def has_choices(self) -> bool:
        return len(self.options) > 1 or bool(self.add_ons)


FIRST = Choice()  # the first option, no add-on


def comparison(frozen: FrozenRevision, choice: Choice = FIRST) -> Comparison:
    """The comparison with ``choice`` made (the first option, no add-on, by default)."""
    choice = checked(frozen, choice)
    bundles = frozen.options(show_cost=False)
    currency = bundles[0][1].currency
    reached = availability_texts([bundle for _, bundle in bundles])
    columns = []
    for number, (name, _) in enumerate(bundles, start=1):
        totals = option_totals(frozen, number)
        columns.append(OptionColumn(
            number=number, name=name,
            monthly=money(totals.monthly, currency), one_time=money(totals.one_time, currency),
            contract_value=money(totals.contract_value, currency),
            availability=reached[number - 1],
            chosen=number == choice.option,
        ))  # fmt: skip
    add_ons = tuple(
        AddOnRow(number=number, name=line.name, quantity=line.quantity, unit=line.unit,
                 quantity_text=quantity(line.quantity, line.unit),
                 monthly=money(line.monthly, currency), one_time=money(line.one_time, currency),
                 ticked=number in choice.add_ons)
        for number, line in enumerate(frozen.optional_lines(show_cost=False), start=1)
    )  # fmt: skip
    custom = tuple(
        CustomRow(description=line.description, quantity=line.quantity,
                  charge="monthly" if line.charge == "monthly" else "one-time",
                  unit_price=money(line.unit_price, currency),
                  amount=money(line.monthly if line.charge == "monthly" else line.one_time,
                               currency))
        for line in frozen.non_standard(show_cost=False)
    )  # fmt: skip
    totals = choice_totals(frozen, choice)
    return Comparison(
        options=tuple(columns),
        differences=tuple(_row(found) for found in differences(frozen)),
        add_ons=add_ons,
        custom_lines=custom,
        choice=choice,
        monthly=money(totals.monthly, currency),
        one_time=money(totals.one_time, currency),
        contract_value=money(totals.contract_value, currency),
        term_months=bundles[0][1].term_months,
    )


def _row(found: Difference) -> DifferenceRow:
    values = tuple("—" if value is None else value for value in found.values)
    return DifferenceRow(ASPECTS[found.aspect], found.subject, values)
