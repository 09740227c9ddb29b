"""What the workspace pages show, built from the API's own views of proposals: the list's
filters as a bookmarkable query, the actions a proposal's state offers, its guardrails with
how far each is broken. Pure: the services decide who may do what; these only choose which
forms to show (the service still refuses what is not allowed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Any
from urllib.parse import urlencode

from app.kit.errors import FieldProblem

FILTERS = ("status", "customer", "author", "created_from", "created_to")
STATUS_LABELS = {
    "draft": "Draft",
    "pending_approval": "Waiting for approval",
    "approved": "Approved",
    "sent": "Sent",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "expired": "Expired",
    "withdrawn": "Withdrawn",
}
CLOSED = frozenset({"accepted", "rejected", "withdrawn", "expired"})
OPEN = frozenset({"draft", "pending_approval", "approved", "sent"})
PAGE_SIZE = 25


def filters_of(query: Mapping[str, str]) -> dict[str, str]:
    """The list's filters as asked in the query string, blanks left out (an empty field
    of the GET form means "any")."""
    return {name: query[name].strip() for name in FILTERS if query.get(name, "").strip()}


def next_page_url(filters: Mapping[str, str], cursor: str | None) -> str | None:
    if cursor is None:
        return None
    return "/proposals?" + urlencode({**filters, "cursor": cursor})


def field_errors(problems: Sequence[FieldProblem]) -> dict[str, str]:
    """A service's field problems by the form field they concern (``filter.customer`` and
    ``customer`` both name the field ``customer``)."""
    errors: dict[str, str] = {}
    for problem in problems:
        name = problem.field.rsplit(".", 1)[-1] if problem.field else "form"
        errors.setdefault(name, problem.message)
    return errors


@dataclass(frozen=True, slots=True)
class Actions:
    """The forms a proposal's page shows to this reader."""

    submit: bool
    withdraw: bool
    revise: bool
    share: bool
    decide: bool  # an approver other than the author: the inbox decides


def actions(view: Mapping[str, Any], *, name: str, role: str, may_approve: bool) -> Actions:
    status = view["status"]
    runs_it = view["author"] == name or role == "admin"
    current = not view["superseded"]
    return Actions(
        submit=runs_it and current and status == "draft",
        withdraw=runs_it and current and status in OPEN,
        revise=runs_it and current and status not in CLOSED,
        share=runs_it and current and status in ("approved", "sent"),
        decide=may_approve and view["author"] != name and status == "pending_approval",
    )


@dataclass(frozen=True, slots=True)
class GuardrailRow:
    option: str | None
    kind: str
    scope: str
    message: str
    limit: Decimal | None  # None: the reader's role may not see the figures
    actual: Decimal | None
    by: Decimal | None  # how far past the limit, in percentage points


def _percent(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def guardrail_rows(view: Mapping[str, Any]) -> list[GuardrailRow]:
    """Every broken guardrail of every option offered, with its figures when the view
    holds them (roles that see cost)."""
    options = view.get("options") or [{"name": None, "guardrails": view["guardrails"]}]
    several = len(options) > 1
    rows: list[GuardrailRow] = []
    for option in options:
        for breach in option["guardrails"]["breaches"]:
            limit = _percent(breach.get("limit_percent"))
            actual = _percent(breach.get("actual_percent"))
            by = None if limit is None or actual is None else abs(actual - limit)
            rows.append(GuardrailRow(
                option["name"] if several else None, breach["kind"], breach["scope"],
                breach["message"], limit, actual, by,
            ))  # fmt: skip
    return rows


def revision_pairs(revisions: list[int]) -> list[tuple[int, int]]:
    """Each revision with the one before it: the diffs a reader most often wants."""
    ordered = sorted(revisions)
    return list(pairwise(ordered))
