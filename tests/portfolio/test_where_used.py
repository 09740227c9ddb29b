"""Where a component version is used (open and accepted proposals, work packages, offerings,
rules, price changes), the where-used API, and a retirement that would strand open
proposals: refused with their names unless confirmed. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models import ComponentHead, Proposal, ProposalRevision, WorkPackage
from app.portfolio import OPEN_STATUSES, where_used
from app.portfolio.catalog.active import load_active_snapshot
from app.portfolio.components.where_used import price_changes
from app.proposals.states import OPEN
from catalog import Component
from tests.contract.conformance import Contract
from tests.support.api import Auth, ok
from tests.support.database import RolledBackDatabase
from tests.support.factories import (
    accepted_proposal,
    create_proposal,
    get_component,
    latest_etag,
    move_component,
    move_proposal,
    patch_component,
)
from tests.support.problems import assert_problem

TODAY = date(2026, 12, 7)
VM = "CMP-VM-LNX"


def _proposal(
    database: RolledBackDatabase,
    number: str,
    status: str,
    components: dict[str, int],
    *,
    valid_until: date = TODAY + timedelta(days=30),
    earlier: dict[str, int] | None = None,
    packages: list[tuple[str, int]] = (),  # type: ignore[assignment]
) -> int:
    """A proposal whose current revision (2 when ``earlier`` gives revision 1) freezes
    ``components`` (code -> version), with work packages of ``packages``."""
    with database.transaction(write=True) as session:
        proposal = Proposal(
            number=number, author="sam", author_role="sales",
            customer={"name": f"Customer of {number}", "country": "DE"},
            customer_name=f"customer of {number}".lower(), status=status,
            revision=2 if earlier is not None else 1, valid_until=valid_until, row_version=1,
        )  # fmt: skip
        session.add(proposal)
        session.flush()
        revisions = ([earlier] if earlier is not None else []) + [components]
        for number_, frozen in enumerate(revisions, start=1):
            content = {"components": {code: {"version": v} for code, v in frozen.items()}}
            session.add(
                ProposalRevision(
                    proposal_id=proposal.id,
                    revision=number_,
                    request={},
                    content=content,
                    content_hash="0" * 64,
                    valid_until=valid_until,
                    created_by="sam",
                )
            )
        for line, (code, version) in enumerate(packages, start=1):
            session.add(
                WorkPackage(
                    proposal_id=proposal.id,
                    revision=proposal.revision,
                    line=line,
                    centre="CZ-BRN",
                    competency="unix",
                    monthly_hours=Decimal(2),
                    one_time_hours=Decimal(1),
                    starts_on=date(2026, 1, 1),
                    ends_on=date(2029, 1, 1),
                    content={
                        "component": code,
                        "version": version,
                        "quantity": 4,
                        "service_level": "standard",
                    },
                )
            )
        return proposal.id


def _where_used(database: RolledBackDatabase, code: str, version: int) -> Any:
    with database.transaction(write=False) as session:
        return where_used(session, load_active_snapshot(session), code, version, TODAY)


def test_open_statuses_are_the_proposals_own() -> None:
    assert frozenset(OPEN_STATUSES) == OPEN


def test_where_used_finds_open_and_accepted_proposals_offerings_and_rules(
    database: RolledBackDatabase,
) -> None:
    _proposal(database, "T-1", "draft", {VM: 1, "OS-LNX-RHEL": 1})
    _proposal(database, "T-2", "sent", {VM: 1})
    accepted = _proposal(
        database, "T-3", "accepted", {VM: 1}, packages=[(VM, 1), ("OS-LNX-RHEL", 1), (VM, 1)]
    )
    # Not open: expired (past valid_until), withdrawn, rejected; not of this version; and
    # one that sold it in an earlier revision only.
    _proposal(database, "T-4", "sent", {VM: 1}, valid_until=TODAY - timedelta(days=1))
    _proposal(database, "T-5", "withdrawn", {VM: 1})
    _proposal(database, "T-6", "rejected", {VM: 1})
    _proposal(database, "T-7", "draft", {VM: 2})
    _proposal(database, "T-8", "draft", {"OS-LNX-RHEL": 1}, earlier={VM: 1})
    # Accepted, but the option the customer chose (its packages) holds no line of it.
    _proposal(database, "T-9", "accepted", {VM: 1}, packages=[("OS-LNX-RHEL", 1)])

    found = _where_used(database, VM, 1)

    assert [(use.number, use.status, use.customer, use.author) for use in found.open_proposals] == [
        ("T-1", "draft", "Customer of T-1", "sam"),
        ("T-2", "sent", "Customer of T-2", "sam"),
    ]
    assert [use.proposal.number for use in found.accepted_proposals] == ["T-3"]
    assert found.accepted_proposals[0].proposal.id == accepted
    assert [(p.line, p.centre, p.quantity) for p in found.accepted_proposals[0].packages] == [
        (1, "CZ-BRN", 4),
        (3, "CZ-BRN", 4),
    ]
    assert {(item.code, item.role) for item in found.offerings} >= {
        ("OFF-HYBRID-CLOUD", "default"),
        ("OFF-SAP-S4-LNX", "optional"),
    }
    assert "R-CMP-001" in [rule.id for rule in found.rules]
    assert found.counts == {
        "open_proposals": 2,
        "accepted_proposals": 1,
        "work_packages": 2,
        "offerings": len(found.offerings),
        "rules": len(found.rules),
    }
    assert (found.status, found.active_version, found.price_changes) == ("active", 1, ())


def test_where_used_of_an_unused_version_is_empty_and_of_a_missing_one_404(
    database: RolledBackDatabase,
) -> None:
    found = _where_used(database, "PS-PM", 1)
    assert (found.open_proposals, found.accepted_proposals) == ((), ())
    from app.kit.errors import NotFound

    with pytest.raises(NotFound):
        _where_used(database, VM, 9)
    with pytest.raises(NotFound):
        _where_used(database, 'NO"SUCH', 1)


def _priced(component: Component, book: str, **changes: Any) -> Component:
    price = component.prices[book].model_copy(update=changes)
    return component.model_copy(update={"version": 2, "prices": {**component.prices, book: price}})


def test_price_changes_name_each_book_whose_price_differs(database: RolledBackDatabase) -> None:
    with database.transaction(write=False) as session:
        active = load_active_snapshot(session).component(VM)
    from decimal import Decimal

    changed = price_changes(active, _priced(active, "EUR", one_time=Decimal("300.00")))
    assert [(change.price_book, change.before["one_time"], change.after["one_time"])  # type: ignore[index]
            for change in changed] == [("EUR", "290.0", "300.00")]  # fmt: skip
    assert price_changes(active, active) == ()
    assert price_changes(None, active) == ()


# -- the API ------------------------------------------------------------------------------


def _first_line(client: TestClient, auth: Auth, proposal: dict[str, Any]) -> tuple[str, int]:
    seen = ok(client.get(f"/v1/proposals/{proposal['id']}", headers=auth("sales")))
    line = seen["options"][0]["lines"][0] if "options" in seen else seen["lines"][0]
    return line["component"], line["version"]


def test_the_api_lists_real_proposals_by_their_frozen_versions(
    client: TestClient, auth: Auth
) -> None:
    open_one = create_proposal(client, auth)
    accepted = accepted_proposal(client, auth)
    code, version = _first_line(client, auth, open_one)
    answer = ok(
        client.get(
            f"/v1/components/{code}/versions/{version}/where-used", headers=auth("portfolio")
        )
    )
    assert [use["number"] for use in answer["open_proposals"]] == [open_one["number"]]
    assert answer["open_proposals"][0] | {"customer": "Acme Logistics GmbH", "status": "draft"} \
        == answer["open_proposals"][0]  # fmt: skip
    assert [use["number"] for use in answer["accepted_proposals"]] == [accepted["number"]]
    assert answer["accepted_proposals"][0]["work_packages"]
    assert answer["counts"]["open_proposals"] == 1
    assert answer["counts"]["work_packages"] == len(
        answer["accepted_proposals"][0]["work_packages"]
    )


def test_the_api_answers_404_for_no_such_version_and_403_for_sales(
    client: TestClient, auth: Auth
) -> None:
    assert_problem(
        client.get(f"/v1/components/{VM}/versions/9/where-used", headers=auth("approver")),
        404,
        "not-found",
    )
    assert_problem(
        client.get(f"/v1/components/{VM}/versions/1/where-used", headers=auth("sales")),
        403,
        "forbidden",
    )


def test_a_new_versions_where_used_shows_its_price_changes(client: TestClient, auth: Auth) -> None:
    eur = get_component(client, auth("portfolio"), VM)["prices"]["EUR"]
    body = {"prices": {"EUR": {**eur, "one_time": "310.00"}}}
    ok(
        patch_component(
            client, auth("portfolio"), VM, body, latest_etag(client, auth("portfolio"), VM)
        )
    )
    answer = ok(client.get(f"/v1/components/{VM}/versions/2/where-used", headers=auth("approver")))
    assert [(change["price_book"], change["after"]["one_time"])
            for change in answer["price_changes"]] == [("EUR", "310.00")]  # fmt: skip
    assert (answer["status"], answer["active_version"]) == ("draft", 1)


# -- stranding ----------------------------------------------------------------------------


@pytest.mark.usefixtures("without_assured_combinations")
def test_retiring_a_version_open_proposals_sell_is_refused_naming_them(
    client: TestClient, auth: Auth, database: RolledBackDatabase
) -> None:
    proposal = create_proposal(client, auth)
    code, version = _first_line(client, auth, proposal)
    refused = move_component(client, auth("portfolio"), code, version, "retired")
    Contract(client).check(refused, "POST", "/v1/components/{code}/versions/{version}/transition")
    problem = assert_problem(refused, 409, "strands-open-proposals")
    assert problem["proposals"] == [
        {"id": proposal["id"], "number": proposal["number"], "customer": "Acme Logistics GmbH",
         "status": "draft", "author": proposal["author"]}
    ]  # fmt: skip
    assert proposal["number"] in problem["detail"]
    assert get_component(client, auth("portfolio"), code, version)["status"] == "active"

    retired = ok(
        move_component(client, auth("portfolio"), code, version, "retired",
                       confirm_stranding=True)
    )  # fmt: skip
    assert retired["status"] == "retired"
    with database.transaction(write=False) as session:
        head = session.get(ComponentHead, code)
        assert head is not None and head.active_version is None


@pytest.mark.usefixtures("without_assured_combinations")
def test_retiring_a_version_no_open_proposal_sells_needs_no_confirmation(
    client: TestClient, auth: Auth
) -> None:
    proposal = create_proposal(client, auth)
    code, version = _first_line(client, auth, proposal)
    ok(move_proposal(client, auth, proposal, "withdrawn"))
    assert ok(move_component(client, auth("portfolio"), code, version, "retired"))["status"] == (
        "retired"
    )


def test_a_version_in_review_returns_to_draft_by_its_author_or_a_reviewer(
    client: TestClient, auth: Auth
) -> None:
    body = {"summary": "Reviewed twice."}
    ok(
        patch_component(
            client, auth("portfolio"), VM, body, latest_etag(client, auth("portfolio"), VM)
        )
    )
    for who in ("portfolio", "approver"):
        ok(move_component(client, auth("portfolio"), VM, 2, "in_review"))
        assert ok(move_component(client, auth(who), VM, 2, "draft"))["status"] == "draft"
    assert_problem(move_component(client, auth("sales"), VM, 2, "draft"), 403, "forbidden")
    assert_problem(move_component(client, auth("portfolio"), VM, 1, "draft"), 409,
                   "illegal-transition")  # fmt: skip
