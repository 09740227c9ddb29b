"""The proposal lifecycle as pure rules: which transitions exist, who may make them, and when
a proposal has expired.

    draft -> (submitted) -> approved                 no guardrail broken
                         -> pending_approval -> approved | (declined) draft
    approved -> sent -> accepted | rejected
    draft, pending_approval, approved, sent -> withdrawn; -> expired once past valid_until

``submitted`` and ``declined`` are requests, not states: submitting lands in ``approved`` or
``pending_approval``; declining sends the proposal back to ``draft``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

Status = Literal[
    "draft", "pending_approval", "approved", "sent", "accepted", "rejected", "expired", "withdrawn"
]
Target = Literal["submitted", "declined", "approved", "sent", "accepted", "rejected", "withdrawn"]
STATUSES: tuple[Status, ...] = get_args(Status)
TARGETS: tuple[Target, ...] = get_args(Target)
OPEN: frozenset[Status] = frozenset({"draft", "pending_approval", "approved", "sent"})

# (from, requested) -> (to, who): the author (or an admin) runs the sale; an approver who is
# not the author decides on approval.
Actor = Literal["author", "approver"]
_TRANSITIONS: dict[tuple[Status, Target], tuple[Status, Actor]] = {
    ("draft", "submitted"): ("approved", "author"),  # or pending_approval, see next_status
    ("pending_approval", "approved"): ("approved", "approver"),
    ("pending_approval", "declined"): ("draft", "approver"),
    ("approved", "sent"): ("sent", "author"),
    ("sent", "accepted"): ("accepted", "author"),
    ("sent", "rejected"): ("rejected", "author"),
    **{(status, "withdrawn"): ("withdrawn", "author") for status in OPEN},
}


class TransitionRefused(Exception):
    """Not a transition of the lifecycle, or not the caller's to make."""

    def __init__(self, message: str, *, forbidden: bool = False) -> None:
        super().__init__(message)
        self.forbidden = forbidden  # the transition exists, the caller may not make it


@dataclass(frozen=True, slots=True)
class Caller:
    name: str
    is_admin: bool
    may_approve: bool


def effective_status(status: Status, valid_until: date, today: date) -> Status:
    """The status as of ``today``: an open proposal past its validity has expired."""
    return "expired" if status in OPEN and today > valid_until else status


def next_status(
    current: Status, requested: Target, *, approval_needed: bool, caller: Caller, author: str
) -> Status:
    """Where ``requested`` takes a proposal in ``current``, or TransitionRefused."""
    found = _TRANSITIONS.get((current, requested))
    if found is None:
        allowed = sorted(target for (status, target) in _TRANSITIONS if status == current)
        options = ", ".join(allowed) if allowed else "none: the proposal is closed"
        raise TransitionRefused(
            f"a {current} proposal cannot be {requested}; allowed from here: {options}"
        )
    target, actor = found
    if actor == "approver":
        if not caller.may_approve:
            raise TransitionRefused("only an approver decides on approval", forbidden=True)
        if caller.name == author:
            raise TransitionRefused(
                "four eyes: the author of a proposal cannot approve or decline it",
                forbidden=True,
            )
    elif caller.name != author and not caller.is_admin:
        raise TransitionRefused(
            f"only the proposal's author (or an admin) can make it {requested}", forbidden=True
        )
    if requested == "submitted" and approval_needed:
        return "pending_approval"
    return target
