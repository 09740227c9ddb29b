"""What a customer chooses from: good/better/best bundles that are each more available than
the one before, add-ons priced as the bundle's lines are, and non-standard lines that are
marked everywhere and always need an approver; what a choice comes to; and the revision
that freezes them (schema version 2) reading back exactly."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select

from app.models import ProposalRevision
from app.proposals.choices import Choice, NotAChoice, checked, choice_totals
from app.proposals.comparison import comparison
from app.proposals.revision import read_revision
from catalog import load_default_catalog
from tests.support.api import ok
from tests.support.factories import CONFIGURATION_REQUEST, PROPOSALS, create_proposal, move_proposal
from tests.support.problems import assert_problem, error_fields

THREE = {**CONFIGURATION_REQUEST, "alternatives": 3}
EDR = {"component": "SEC-EDR", "quantity": 50}
TRAINING = {
    "description": "On-site operations training, 2 days",
    "quantity": 2,
    "unit_price": "1800.00",
    "charge": "one_time",
    "estimated_unit_cost": "950.00",
}
HELPDESK = {
    "description": "Dedicated service manager, half time",
    "quantity": 1,
    "unit_price": "2500",
    "charge": "monthly",
}


def _cents(text: str) -> int:
    return int(Decimal(text) * 100)


def test_good_better_best_each_reach_higher_availability(client: TestClient, auth: Any) -> None:
    proposal = create_proposal(client, auth, request=THREE)
    options = proposal["options"]
    assert [option["name"] for option in options] == ["Good", "Better", "Best"][: len(options)]
    assert len(options) >= 2, "the default catalog reaches higher availability than the cheapest"
    availability = [option["availability"] for option in options]
    assert availability == sorted(availability) and len(set(availability)) == len(availability)
    monthly = [_cents(option["totals"]["monthly"]) for option in options]
    assert monthly == sorted(monthly)  # more available costs more, never less
    # The proposal's own lines and totals are the first option's.
    assert options[0]["lines"] == proposal["lines"]
    assert options[0]["bundle_totals"] == proposal["totals"]
    # What differs is said, one value per option.
    assert proposal["differences"]
    assert all(len(found["values"]) == len(options) for found in proposal["differences"])
    assert {found["aspect"] for found in proposal["differences"]} >= {"availability"}


def test_option_names_are_one_per_bundle_and_distinct(client: TestClient, auth: Any) -> None:
    named = create_proposal(client, auth, request={**CONFIGURATION_REQUEST, "alternatives": 2},
                            option_names=["Essential", "Resilient"])  # fmt: skip
    assert [option["name"] for option in named["options"]] == ["Essential", "Resilient"]
    for names in (["Only one"], ["Same", "Same"]):
        body = {
            "customer": {"name": "Names Ltd", "country": "GB"},
            "request": {**CONFIGURATION_REQUEST, "alternatives": 2},
            "option_names": names,
        }
        problem = assert_problem(client.post(PROPOSALS, json=body, headers=auth("sales")), 422)
        assert "option_names" in error_fields(problem)


def test_a_single_bundle_is_one_unnamed_option(client: TestClient, auth: Any) -> None:
    proposal = create_proposal(client, auth)
    assert [(option["number"], option["name"]) for option in proposal["options"]] == [
        (1, "Proposal")
    ]
    assert proposal["differences"] == [] and proposal["add_ons"] == []


def test_an_add_on_is_priced_like_a_line_within_the_residency(
    client: TestClient, auth: Any
) -> None:
    proposal = create_proposal(client, auth, add_ons=[EDR])
    (add_on,) = proposal["add_ons"]
    line = add_on["line"]
    assert (add_on["number"], line["component"], line["quantity"]) == (1, "SEC-EDR", 50)
    assert line["derivation"]["term_discount_percent"] == "6"  # the bundle's 36-month term
    assert load_default_catalog().delivery_centre(line["delivery_centre"]).region == "EU"
    # An add-on is on top: the option's totals do not include it.
    assert proposal["options"][0]["totals"] == proposal["totals"]
    assert "cost" not in line  # sales do not see cost
    internal = ok(client.get(f"{PROPOSALS}/{proposal['id']}", headers=auth("approver")))
    assert "cost" in internal["add_ons"][0]["line"]


def test_bad_add_ons_name_every_field(client: TestClient, auth: Any) -> None:
    body = {
        "customer": {"name": "Bad Add-ons", "country": "DE"},
        "request": CONFIGURATION_REQUEST,
        "add_ons": [
            {"component": "NOPE", "quantity": 1},
            {"component": "SEC-EDR", "quantity": 50, "service_level": "diamond"},
        ],
    }
    problem = assert_problem(client.post(PROPOSALS, json=body, headers=auth("sales")), 422)
    fields = error_fields(problem)
    assert "add_ons[0].component" in fields
    assert any(field.startswith("add_ons[1]") for field in fields), fields


def test_custom_lines_are_non_standard_and_need_an_approver(client: TestClient, auth: Any) -> None:
    proposal = create_proposal(client, auth, custom_lines=[TRAINING, HELPDESK])
    training, helpdesk = proposal["custom_lines"]
    assert training["non_standard"] is helpdesk["non_standard"] is True
    assert (training["one_time"], training["monthly"]) == ("3600.00", "0.00")
    assert (helpdesk["monthly"], helpdesk["contract_value"]) == ("2500.00", "90000.00")
    assert "estimated_cost" not in training  # sales do not see cost
    option = proposal["options"][0]
    assert _cents(option["totals"]["monthly"]) == _cents(proposal["totals"]["monthly"]) + 250000
    assert _cents(option["totals"]["one_time"]) == _cents(proposal["totals"]["one_time"]) + 360000
    assert any("non-standard" in reason for reason in proposal["approval_reasons"])
    internal = ok(client.get(f"{PROPOSALS}/{proposal['id']}", headers=auth("approver")))
    assert internal["custom_lines"][0]["estimated_cost"]["one_time"] == "1900.00"
    # Submitting waits for an approver, though no guardrail is broken.
    assert proposal["guardrails"]["breaches"] == []
    assert ok(move_proposal(client, auth, proposal, "submitted"))["status"] == "pending_approval"


def test_a_revision_keeps_the_choices_it_is_not_told_to_change(
    client: TestClient, auth: Any
) -> None:
    proposal = create_proposal(client, auth, request=THREE, add_ons=[EDR],
                               custom_lines=[TRAINING])  # fmt: skip
    path = f"{PROPOSALS}/{proposal['id']}/revisions"
    kept = ok(client.post(path, json={"discount_percent": "2"}, headers=auth("sales")), 201)
    assert [o["name"] for o in kept["options"]] == [o["name"] for o in proposal["options"]]
    assert kept["add_ons"][0]["line"]["component"] == "SEC-EDR"
    assert kept["custom_lines"][0]["description"] == TRAINING["description"]
    assert kept["add_ons"][0]["line"]["derivation"]["sales_discount_percent"] == "2"
    cleared = ok(client.post(path, json={"add_ons": [], "custom_lines": []},
                             headers=auth("sales")), 201)  # fmt: skip
    assert cleared["add_ons"] == [] and cleared["custom_lines"] == []
    assert len(cleared["options"]) == len(proposal["options"])


def test_what_a_choice_comes_to(client: TestClient, auth: Any, database: Any) -> None:
    proposal = create_proposal(client, auth, request=THREE, add_ons=[EDR],
                               custom_lines=[HELPDESK])  # fmt: skip
    frozen = _frozen(database, proposal["id"])
    last = len(proposal["options"])
    totals = choice_totals(frozen, Choice(option=last, add_ons=(1,)))
    option, add_on = proposal["options"][last - 1], proposal["add_ons"][0]["line"]
    assert totals.monthly == Decimal(option["totals"]["monthly"]) + Decimal(add_on["monthly"])
    assert totals.contract_value == Decimal(option["totals"]["contract_value"]) + Decimal(
        add_on["contract_value"]
    )
    assert totals.currency == "EUR"
    for wrong in (Choice(option=last + 1), Choice(option=0), Choice(option=1, add_ons=(2,))):
        with pytest.raises(NotAChoice):
            checked(frozen, wrong)
    assert checked(frozen, Choice(1, (1, 1))) == Choice(1, (1,))  # ticked twice is once


def test_a_revision_with_choices_reads_back_exactly_and_only_as_version_2(
    client: TestClient, auth: Any, database: Any
) -> None:
    proposal = create_proposal(client, auth, request=THREE, add_ons=[EDR],
                               custom_lines=[TRAINING])  # fmt: skip
    with database.transaction(write=False) as session:
        row = session.scalars(
            select(ProposalRevision).where(ProposalRevision.proposal_id == proposal["id"])
        ).one()
        document, digest = row.content, row.content_hash
    assert document["schema_version"] == 2
    assert {"option_name", "alternatives", "add_ons", "custom_lines"} <= set(document)
    frozen = read_revision(json.loads(json.dumps(document)))
    assert frozen.stored() == document and frozen.content_hash() == digest
    with pytest.raises(ValidationError, match="need schema version 2"):
        read_revision({**document, "schema_version": 1})


def _frozen(database: Any, proposal_id: int) -> Any:
    with database.transaction(write=False) as session:
        row = session.scalars(
            select(ProposalRevision).where(ProposalRevision.proposal_id == proposal_id)
        ).one()
        return read_revision(row.content)


def test_the_comparison_shows_each_option_and_what_a_choice_comes_to(
    client: TestClient, auth: Any, database: Any
) -> None:
    proposal = create_proposal(client, auth, request=THREE, add_ons=[EDR],
                               custom_lines=[TRAINING])  # fmt: skip
    frozen = _frozen(database, proposal["id"])
    first = comparison(frozen)
    assert [column.name for column in first.options] == [o["name"] for o in proposal["options"]]
    assert [column.chosen for column in first.options] == [True] + [False] * (
        len(first.options) - 1
    )
    assert first.monthly == first.options[0].monthly  # no add-on ticked
    assert first.has_choices and not first.add_ons[0].ticked
    assert first.custom_lines[0].amount == "3,600.00\u00a0EUR"
    assert all(len(row.values) == len(first.options) for row in first.differences)
    last = len(first.options)
    chosen = comparison(frozen, Choice(option=last, add_ons=(1,)))
    assert chosen.options[last - 1].chosen and chosen.add_ons[0].ticked
    totals = choice_totals(frozen, Choice(option=last, add_ons=(1,)))
    assert chosen.monthly == f"{totals.monthly:,.2f}\u00a0EUR"
    assert chosen.monthly != chosen.options[last - 1].monthly  # the add-on is on top
    for text in (column.monthly for column in first.options):
        assert "cost" not in text
