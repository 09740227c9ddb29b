"""The proposal lifecycle rules, without a database."""

from __future__ import annotations

from datetime import date

import pytest

from app.proposals.states import (
    OPEN,
    STATUSES,
    TARGETS,
    Caller,
    TransitionRefused,
    effective_status,
    next_status,
)

AUTHOR = Caller("ann", is_admin=False, may_approve=False)
APPROVER = Caller("bob", is_admin=False, may_approve=True)
ADMIN = Caller("root", is_admin=True, may_approve=False)


def step(current: str, target: str, caller: Caller = AUTHOR, *, needed: bool = False) -> str:
    return next_status(current, target, approval_needed=needed, caller=caller, author="ann")  # type: ignore[arg-type]


def test_submitting_approves_directly_unless_a_guardrail_is_broken() -> None:
    assert step("draft", "submitted") == "approved"
    assert step("draft", "submitted", needed=True) == "pending_approval"


def test_an_approver_other_than_the_author_approves_or_declines() -> None:
    assert step("pending_approval", "approved", APPROVER) == "approved"
    assert step("pending_approval", "declined", APPROVER) == "draft"
    for caller in (AUTHOR, ADMIN):
        with pytest.raises(TransitionRefused) as refused:
            step("pending_approval", "approved", caller)
        assert refused.value.forbidden
    approving_author = Caller("ann", is_admin=False, may_approve=True)
    with pytest.raises(TransitionRefused, match="four eyes"):
        step("pending_approval", "approved", approving_author)


def test_the_sale_runs_to_the_customers_answer() -> None:
    assert step("approved", "sent") == "sent"
    assert step("sent", "accepted") == "accepted"
    assert step("sent", "rejected", ADMIN) == "rejected"
    with pytest.raises(TransitionRefused) as refused:
        step("sent", "accepted", APPROVER)
    assert refused.value.forbidden


def test_every_other_pair_is_refused_as_a_conflict() -> None:
    allowed = {
        ("draft", "submitted"), ("pending_approval", "approved"),
        ("pending_approval", "declined"), ("approved", "sent"), ("sent", "accepted"),
        ("sent", "rejected"), *((status, "withdrawn") for status in OPEN),
    }  # fmt: skip
    for status in STATUSES:
        for target in TARGETS:
            if (status, target) in allowed:
                continue
            with pytest.raises(TransitionRefused) as refused:
                step(status, target, APPROVER if target in ("approved", "declined") else AUTHOR)
            assert not refused.value.forbidden, (status, target)


def test_open_proposals_expire_after_their_validity_and_closed_ones_never() -> None:
    until = date(2026, 12, 30)
    assert effective_status("sent", until, date(2026, 12, 30)) == "sent"  # the last valid day
    assert effective_status("sent", until, date(2026, 12, 31)) == "expired"
    assert effective_status("accepted", until, date(2027, 6, 1)) == "accepted"
