"""What the approval inbox shows of each waiting proposal. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from app.proposals import Awaiting
from app.web.workspace.views import GuardrailRow, guardrail_rows

DECISIONS = {"approved": "Approved", "declined": "Declined (back to draft)"}


@dataclass(frozen=True, slots=True)
class Waiting:
    """A proposal in the inbox: its summary (with the stamp a decision carries and whether
    it is this approver's own: four eyes) and its broken guardrails as rows."""

    summary: Awaiting
    guardrails: list[GuardrailRow]


def waiting(summary: Awaiting) -> Waiting:
    # Shaped as the API's view holds them, so the rows are the proposal page's own.
    options = [
        {"name": option.name, "guardrails": {"breaches": option.breaches}}
        for option in summary.options
    ]
    return Waiting(summary, guardrail_rows({"options": options}))


def notice(done: str | None, number: str | None) -> str | None:
    if done not in DECISIONS or not number:
        return None
    return f"{number}: {DECISIONS[done].lower()}."
