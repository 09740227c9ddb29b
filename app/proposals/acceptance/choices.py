"""What a customer can choose in a revision: its options (1-based) and add-ons. Until
options and add-ons are frozen in the revision, a revision offers exactly one option, the
bundle itself, and no add-ons: this is the one function to extend when they are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.proposals.revision import FrozenRevision


@dataclass(frozen=True, slots=True)
class OptionChoice:
    number: int  # 1-based, as the form sends it
    title: str
    monthly: str  # amounts as the customer reads them, with the currency
    one_time: str
    contract_value: str


@dataclass(frozen=True, slots=True)
class AddOnChoice:
    code: str
    title: str
    price: str


@dataclass(frozen=True, slots=True)
class Choices:
    options: tuple[OptionChoice, ...]
    add_ons: tuple[AddOnChoice, ...]


@dataclass(frozen=True, slots=True)
class Choice:
    """What the customer chose: stored with the acceptance, and given to the work
    packages, which are made for the chosen option only."""

    option: int
    add_ons: tuple[str, ...] = ()

    def stored(self) -> dict[str, Any]:
        return {"option": self.option, "add_ons": list(self.add_ons)}

    @classmethod
    def read(cls, document: dict[str, Any]) -> Choice:
        return cls(int(document["option"]), tuple(document.get("add_ons", ())))


def _money(amount: object, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def choices_of(revision: FrozenRevision) -> Choices:
    bundle = revision.public
    totals, currency = bundle.totals, bundle.currency
    only = OptionChoice(
        number=1,
        title=revision.offering.name if revision.offering else "The proposed solution",
        monthly=_money(totals.monthly, currency),
        one_time=_money(totals.one_time, currency),
        contract_value=_money(totals.contract_value, currency),
    )
    return Choices(options=(only,), add_ons=())


def describe(choice: Choice, choices: Choices) -> str:
    """The choice in words, for the contract and the page."""
    option = next(item for item in choices.options if item.number == choice.option)
    text = f"Option {option.number}: {option.title}"
    names = [addon.title for addon in choices.add_ons if addon.code in choice.add_ons]
    return text + (f", with {', '.join(names)}" if names else ", without add-ons")
