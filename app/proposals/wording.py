"""Why each line is in a proposal, in words a customer's CIO reads: the reasons frozen in a
revision are the configurator's (app/configurator/reasons.py), written for sales with
capability codes, component codes and rule ids ("covers need compute.linux (20 server)",
"rule R-SD-006: ..."). They are turned into plain words when a document is rendered, so
revisions frozen before this read the same way as new ones, and the API keeps the exact
reasons sales and integrators use.

Names come from the revision: component names from its lines, capability names from its
``capabilities`` (older revisions without them get the code made readable); a rule's reason
is the first clause of its message (the why), without the instruction to sales that follows
it ("...: add ITSM platform seats (SM-ITSM)")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from app.documents import lower_first, phrase, quantity, upper_first
from app.proposals.revision import Capability

# A need may name its variant ("covers need sap.basis with sap_release=s4hana (4 system)"):
# the line's own name says which, so the plain words leave it out.
_COVERS = re.compile(
    r"^covers need (?P<capability>\S+)(?: with [^(]+)? \((?P<amount>[\d.]+) (?P<unit>[^)]+)\)$"
)
_PROVIDES = re.compile(
    r"^provides (?P<capability>\S+) for (?P<code>\S+) \((?P<amount>[\d.]+) (?P<unit>[^)]+)\)$"
)
_NEEDED_BY = re.compile(r"^(?P<code>\S+) needs it: rule \S+, (?P<message>.*)$", re.S)
_RULE = re.compile(r"^rule [^:\s]+: (?P<message>.*)$", re.S)
_COLOCATED = re.compile(
    r"^delivered from \S+ with (?P<codes>[^:]+): rule [^:\s]+: (?P<message>.*)$", re.S
)
_OFFERING = re.compile(r"^part of offering (?P<code>\S+)$")
_CODE_IN_BRACKETS = re.compile(r"\s*\((?:[A-Z0-9]+-)+[A-Z0-9]+\)")


@dataclass(frozen=True, slots=True)
class Names:
    """What a revision calls things."""

    components: Mapping[str, str]  # component code -> name
    capabilities: Mapping[str, Capability]
    offerings: Mapping[str, str]  # offering code -> name

    def capability(self, code: str) -> str:
        known = self.capabilities.get(code)
        if known is not None:
            return lower_first(known.name)
        return code.replace(".", " ").replace("-", " ")  # a revision frozen without names

    def component(self, code: str) -> str:
        return self.components.get(code, code)


def rationale(message: str, names: Names) -> str:
    """A rule's message as the reason it gives: its first clause, codes replaced by names
    or left out."""
    first = message.split(": ", 1)[0].strip()
    first = _CODE_IN_BRACKETS.sub("", first)
    for code, name in names.components.items():
        first = re.sub(rf"(?<![\w-]){re.escape(code)}(?![\w-])", name, first)
    return upper_first(first.rstrip(".")) + "."


def plain_reasons(reasons: tuple[str, ...], names: Names) -> list[str]:
    """The reasons of one line in plain words, in their order, each said once; the
    capabilities provided to other lines said in one sentence per capability."""
    said: list[str] = []
    provided: dict[str, list[str]] = {}  # capability -> "<line name> (<amount>)"
    for reason in reasons:
        if match := _PROVIDES.match(reason):
            amount = quantity(Decimal(match["amount"]), match["unit"])
            provided.setdefault(match["capability"], []).append(
                f"{names.component(match['code'])} ({amount})"
            )
            if f"\0{match['capability']}" not in said:
                said.append(f"\0{match['capability']}")  # where the sentence goes
            continue
        said.append(_plain(reason, names))
    shown: list[str] = []
    for text in said:
        if text.startswith("\0"):
            capability = text[1:]
            users = provided[capability]
            verb = "needs" if len(users) == 1 else "need"
            text = f"Provides the {names.capability(capability)} that {phrase(users)} {verb}."
        if text not in shown:
            shown.append(text)
    return shown


def _plain(reason: str, names: Names) -> str:
    if match := _COVERS.match(reason):
        amount = quantity(Decimal(match["amount"]), match["unit"])
        return f"Meets your requirement for {names.capability(match['capability'])}: {amount}."
    if match := _NEEDED_BY.match(reason):
        return f"Required by {names.component(match['code'])}: " + lower_first(
            rationale(match["message"], names)
        )
    if match := _COLOCATED.match(reason):
        others = [names.component(code) for code in match["codes"].split(", ")]
        return f"Delivered from the same site as {phrase(others)}: " + lower_first(
            rationale(match["message"], names)
        )
    if match := _RULE.match(reason):
        return rationale(match["message"], names)
    if match := _OFFERING.match(reason):
        offering = names.offerings.get(match["code"], match["code"])
        return f"Part of the {offering} offering you chose."
    if reason == "included on request":
        return "Included at your request."
    if reason == "part of the best valid bundle":
        return "Part of the best valid solution for your requirements."
    return upper_first(reason.rstrip(".")) + "."  # a reason this module does not know
