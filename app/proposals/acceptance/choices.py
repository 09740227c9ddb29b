"""What a customer can choose in a revision, as the page and the acceptance read it: the
comparison of ``app.proposals.comparison`` (the options, 1-based, and the add-ons, 1-based),
and a choice in words for the record and the contract copy."""

from __future__ import annotations

from app.proposals.choices import Choice
from app.proposals.comparison import Comparison, comparison
from app.proposals.revision import FrozenRevision


def choices_of(revision: FrozenRevision) -> Comparison:
    return comparison(revision)


def describe(choice: Choice, choices: Comparison) -> str:
    """The choice in words, for the contract and the page."""
    option = choices.options[choice.option - 1]
    text = option.name if len(choices.options) > 1 else "The proposal"
    names = [add_on.name for add_on in choices.add_ons if add_on.number in choice.add_ons]
    if not choices.add_ons:
        return text
    return text + (f", with {', '.join(names)}" if names else ", without add-ons")
