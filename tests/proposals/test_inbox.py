"""What waits for an approver (``waiting_for``): the proposals pending approval as summaries
that agree with the API's view, in two queries; and a decision taken on what the inbox
showed (``decide_waiting``), refused when the proposal changed since."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.kit.errors import Forbidden, Invalid, PreconditionFailed, PreconditionRequired
from app.proposals import (
    Awaiting,
    ProposalServices,
    decide_waiting,
    read_proposal,
    revise,
    transition,
    waiting_for,
)
from app.web.workspace.pages import etag_of
from tests.support.database import RolledBackDatabase
from tests.web.workspace_steps import DEMO_REQUEST, WebUser, web_user


def _move(user: WebUser, proposal_id: int, to: str) -> None:
    with user.database.transaction(write=True) as session:
        seen = read_proposal(session, user.principal, proposal_id)
        transition(session, user.principal, proposal_id, {"to": to}, etag_of(seen))


def _submitted(user: WebUser, discount: str = "15") -> dict[str, Any]:
    made = user.propose(discount_percent=discount)
    _move(user, made["id"], "submitted")
    return user.read(made["id"])


def _waiting(user: WebUser, limit: int = 50, cursor: str | None = None) -> list[Awaiting]:
    with user.database.transaction(write=False) as session:
        return waiting_for(session, user.principal, limit, cursor).items


def _decide(user: WebUser, proposal_id: int, body: dict[str, Any], seen: str | None) -> str:
    with user.database.transaction(write=True) as session:
        return str(decide_waiting(session, user.principal, proposal_id, body, seen)["status"])


@contextmanager
def _queries(database: RolledBackDatabase) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        if str(args[2]).lstrip().upper().startswith("SELECT"):  # not the savepoints
            seen.append(args[2])

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def test_only_what_waits_is_listed_as_the_api_shows_it_to_the_approver(
    client: TestClient, database: RolledBackDatabase
) -> None:
    seller = web_user(client, database, "sales")
    approver = web_user(client, database, "approver")
    waits = _submitted(seller)
    seller.propose(discount_percent="15")  # a draft: not waiting
    approved = seller.propose(discount_percent="0")
    _move(seller, approved["id"], "submitted")  # within the guardrails: approved at once
    assert seller.read(approved["id"])["status"] == "approved"

    (found,) = [item for item in _waiting(approver) if item.author == seller.email]
    view = approver.read(waits["id"])  # the API's view for this approver
    assert (found.id, found.number, found.revision) == (view["id"], view["number"], 1)
    assert found.customer == view["customer"] and found.own is False
    assert found.submitted_at is not None and found.submitted_at.tzinfo is not None
    for total in ("monthly", "one_time", "contract_value"):
        assert getattr(found.totals, total) == Decimal(view["totals"][total])
    assert found.totals.currency == view["totals"]["currency"]
    assert (found.term_months, found.discount_percent) == (view["term_months"], "15")
    # The breaches with their figures, exactly as the approver's view holds them.
    assert [(o.name, o.breaches) for o in found.options] == [
        (o["name"], o["guardrails"]["breaches"]) for o in view["options"]
    ]
    (breach,) = [b for b in found.options[0].breaches if b["kind"] == "discount_limit"]
    assert (breach["limit_percent"], breach["actual_percent"]) == ("10", "15")
    assert found.approval_reasons == view["approval_reasons"]


def test_several_options_and_non_standard_lines_read_as_the_view_shows_them(
    client: TestClient, database: RolledBackDatabase
) -> None:
    seller = web_user(client, database, "sales")
    approver = web_user(client, database, "approver")
    training = {
        "description": "On-site training, 2 days",
        "quantity": 2,
        "unit_price": "1800.00",
        "charge": "one_time",
        "estimated_unit_cost": "950.00",
    }
    made = seller.propose(
        request={**DEMO_REQUEST, "alternatives": 3}, custom_lines=[training], discount_percent="5"
    )  # fmt: skip
    _move(seller, made["id"], "submitted")
    (found,) = [item for item in _waiting(approver) if item.id == made["id"]]
    view = approver.read(made["id"])
    assert len(view["options"]) > 1  # good, better (and best)
    assert [(o.name, o.breaches) for o in found.options] == [
        (o["name"], o["guardrails"]["breaches"]) for o in view["options"]
    ]
    assert found.approval_reasons == view["approval_reasons"]
    assert any("non-standard line" in reason for reason in found.approval_reasons)
    assert found.totals.monthly == Decimal(view["totals"]["monthly"])


def test_ones_own_is_listed_marked_for_four_eyes_and_sales_have_no_inbox(
    client: TestClient, database: RolledBackDatabase
) -> None:
    author = web_user(client, database, "approver")
    own = _submitted(author, discount="30")  # over the approver's own 25 %
    (mine,) = [item for item in _waiting(author) if item.id == own["id"]]
    assert mine.own is True
    with pytest.raises(Forbidden, match="four eyes"):
        _decide(author, own["id"], {"to": "approved", "comment": "mine"}, mine.seen)
    (theirs,) = [item for item in _waiting(web_user(client, database, "approver"))
                 if item.id == own["id"]]  # fmt: skip
    assert theirs.own is False
    with pytest.raises(Forbidden):
        _waiting(web_user(client, database, "sales"))


def test_two_queries_whatever_waits_and_pages_newest_first(
    client: TestClient, database: RolledBackDatabase
) -> None:
    seller = web_user(client, database, "sales")
    approver = web_user(client, database, "approver")
    first = _submitted(seller)
    with _queries(database) as one:
        _waiting(approver)
    second, third = _submitted(seller), _submitted(seller)
    with _queries(database) as three:
        _waiting(approver)
    assert len(one) == len(three) == 2
    with database.transaction(write=False) as session:
        page = waiting_for(session, approver.principal, 2)
        assert [item.id for item in page.items] == [third["id"], second["id"]]
        assert page.next_cursor is not None
        rest = waiting_for(session, approver.principal, 2, page.next_cursor)
        assert first["id"] in [item.id for item in rest.items]


def test_a_decision_applies_only_to_what_the_inbox_showed(
    client: TestClient, database: RolledBackDatabase
) -> None:
    seller = web_user(client, database, "sales")
    approver = web_user(client, database, "approver")
    shown = _submitted(seller)
    (item,) = [found for found in _waiting(approver) if found.id == shown["id"]]
    # Revised and submitted again meanwhile: the inbox showed revision 1, now it is 2.
    services = client.app.state.wiring.get(ProposalServices)  # type: ignore[attr-defined]
    with database.transaction(write=False) as session:
        revise(services, session, seller.principal, shown["id"], {"discount_percent": "20"})
    _move(seller, shown["id"], "submitted")
    with pytest.raises(PreconditionFailed, match="changed since"):
        _decide(approver, shown["id"], {"to": "approved", "comment": "ok"}, item.seen)
    with pytest.raises(PreconditionRequired):
        _decide(approver, shown["id"], {"to": "approved", "comment": "ok"}, None)
    assert seller.read(shown["id"])["status"] == "pending_approval"
    (fresh,) = [found for found in _waiting(approver) if found.id == shown["id"]]
    assert fresh.revision == 2 and fresh.seen != item.seen
    with pytest.raises(Invalid):  # the comment stays required
        _decide(approver, shown["id"], {"to": "approved"}, fresh.seen)
    assert _decide(approver, shown["id"], {"to": "approved", "comment": "ok"}, fresh.seen) == (
        "approved"
    )
    assert shown["id"] not in [found.id for found in _waiting(approver)]


def test_a_withdrawn_proposal_is_no_longer_decided_from_a_stale_inbox(
    client: TestClient, database: RolledBackDatabase
) -> None:
    seller = web_user(client, database, "sales")
    approver = web_user(client, database, "approver")
    shown = _submitted(seller)
    (item,) = [found for found in _waiting(approver) if found.id == shown["id"]]
    _move(seller, shown["id"], "withdrawn")
    with pytest.raises(PreconditionFailed):
        _decide(approver, shown["id"], {"to": "approved", "comment": "ok"}, item.seen)
    assert seller.read(shown["id"])["status"] == "withdrawn"
