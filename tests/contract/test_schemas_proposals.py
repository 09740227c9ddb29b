"""Proposals: every answer of a proposal's life (create, list, read, transition, revise,
PDF, and the problems on the way) validates against the schema the OpenAPI document
publishes for its operation and status, for sales and for an approver (who sees cost)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from app.proposals.states import STATUSES
from tests.contract.conformance import Contract
from tests.support.pdfs import fetch_pdf

PROPOSALS = "/v1/proposals"
ONE = "/v1/proposals/{proposal_id}"
TRANSITION = "/v1/proposals/{proposal_id}/transition"
REVISIONS = "/v1/proposals/{proposal_id}/revisions"
PDF = "/v1/proposals/{proposal_id}/pdf"
REQUEST: dict[str, Any] = {
    "price_book": "EUR",
    "term_months": 36,
    "needs": [{"capability": "compute.linux", "quantity": 20},
              {"capability": "storage.block", "quantity": 30}],
    "residency": ["EU"],
    "discount_percent": "15",  # over sales' limit: submitting waits for an approver
}  # fmt: skip
BODY: dict[str, Any] = {
    "customer": {"name": "Acme Logistics GmbH", "country": "DE", "reference": "RFP-7"},
    "request": REQUEST,
}


@pytest.fixture
def contract(client: TestClient) -> Contract:
    return Contract(client)


def create(client: TestClient, auth: Any, contract: Contract, **headers: str) -> Response:
    response = client.post(
        PROPOSALS, json=contract.request("POST", PROPOSALS, BODY),
        headers={**auth("sales"), **headers},
    )  # fmt: skip
    contract.check(response, "POST", PROPOSALS)
    return response


def move(
    client: TestClient, auth: Any, contract: Contract, proposal_id: int, to: str, who: str,
    etag: str | None, comment: str | None = None,
) -> Response:  # fmt: skip
    body = contract.request(
        "POST", TRANSITION, {"to": to, **({"comment": comment} if comment else {})}
    )
    headers = {**auth(who), **({"If-Match": etag} if etag else {})}
    response = client.post(TRANSITION.format(proposal_id=proposal_id), json=body, headers=headers)
    contract.check(response, "POST", TRANSITION)
    return response


def read(client: TestClient, auth: Any, contract: Contract, proposal_id: int, who: str) -> Response:
    response = client.get(ONE.format(proposal_id=proposal_id), headers=auth(who))
    contract.check(response, "GET", ONE)
    return response


def test_a_proposal_s_life_answers_as_documented(
    client: TestClient, auth: Any, contract: Contract
) -> None:
    created = create(client, auth, contract, **{"Idempotency-Key": "contract-1"})
    assert created.status_code == 201
    proposal = created.json()
    assert "cost" not in proposal and proposal["customer"]["reference"] == "RFP-7"
    replayed = create(client, auth, contract, **{"Idempotency-Key": "contract-1"})
    assert replayed.status_code == 201 and replayed.json()["id"] == proposal["id"]

    for who in ("sales", "approver"):
        seen = read(client, auth, contract, proposal["id"], who)
        assert seen.status_code == 200 and ("cost" in seen.json()) == (who == "approver")
        listed = client.get(PROPOSALS, params={"limit": 1}, headers=auth(who))
        assert contract.check(listed, "GET", PROPOSALS)["items"]

    etag = read(client, auth, contract, proposal["id"], "sales").headers["ETag"]
    submitted = move(client, auth, contract, proposal["id"], "submitted", "sales", etag)
    assert submitted.json()["status"] == "pending_approval"
    etag = read(client, auth, contract, proposal["id"], "approver").headers["ETag"]
    approved = move(
        client, auth, contract, proposal["id"], "approved", "approver", etag, "within policy"
    )
    assert approved.status_code == 200 and approved.json()["history"][-1]["from"]

    revised = client.post(
        REVISIONS.format(proposal_id=proposal["id"]),
        json=contract.request("POST", REVISIONS, {"discount_percent": "5"}),
        headers=auth("sales"),
    )
    assert revised.status_code == 201
    assert contract.check(revised, "POST", REVISIONS)["revision"] == 2
    first = client.get(ONE.format(proposal_id=proposal["id"]), params={"revision": 1},
                       headers=auth("approver"))  # fmt: skip
    assert contract.check(first, "GET", ONE)["superseded"] is True

    document = fetch_pdf(client, PDF.format(proposal_id=proposal["id"]), headers=auth("sales"))
    assert document.status_code == 200
    assert contract.check(document, "GET", PDF).startswith(b"%PDF")


def test_lifecycle_problems_are_documented(
    client: TestClient, auth: Any, contract: Contract
) -> None:
    proposal = create(client, auth, contract).json()
    pid = proposal["id"]
    assert move(client, auth, contract, pid, "submitted", "sales", None).status_code == 428
    assert move(client, auth, contract, pid, "submitted", "sales", '"stale"').status_code == 412
    etag = read(client, auth, contract, pid, "sales").headers["ETag"]
    assert move(client, auth, contract, pid, "accepted", "sales", etag).status_code == 409
    theirs = read(client, auth, contract, pid, "approver").headers["ETag"]
    assert move(client, auth, contract, pid, "withdrawn", "approver", theirs).status_code == 403
    assert move(client, auth, contract, 999_999, "submitted", "sales", etag).status_code == 404
    assert read(client, auth, contract, 999_999, "sales").status_code == 404
    missing = client.get(PDF.format(proposal_id=999_999), headers=auth("sales"))
    assert missing.status_code == 404
    contract.check(missing, "GET", PDF)
    for bad in ("-1.5e-107", "2024-05-31T00:00", "yesterday"):  # not read as some day
        listed = client.get(PROPOSALS, params={"created_to": bad}, headers=auth("sales"))
        assert listed.status_code == 422
        assert contract.check(listed, "GET", PROPOSALS)["errors"][0]["field"] == "created_to"
    other = client.get(PROPOSALS, headers=auth("portfolio"))
    assert other.status_code == 403
    contract.check(other, "GET", PROPOSALS)


def test_no_bundle_for_a_proposal_is_an_infeasible_problem(
    client: TestClient, auth: Any, contract: Contract
) -> None:
    body = {**BODY, "request": {**REQUEST, "budget_monthly": "100.00"}}
    response = client.post(PROPOSALS, json=body, headers=auth("sales"))
    assert response.status_code == 422
    assert contract.check(response, "POST", PROPOSALS)["conflicts"]


def test_bodies_and_answers_are_named_schemas(contract: Contract) -> None:
    bodies = {
        ("POST", PROPOSALS): "ProposalCreate",
        ("POST", TRANSITION): "ProposalTransition",
        ("POST", REVISIONS): "ProposalRevise",
    }
    for (method, path), name in bodies.items():
        body = contract.operation(method, path)["requestBody"]["content"]["application/json"]
        assert body["schema"] == {"$ref": f"#/components/schemas/{name}"}
    answers = {
        ("POST", PROPOSALS, "201"): "Proposal",
        ("GET", PROPOSALS, "200"): "ProposalPage",
        ("GET", ONE, "200"): "Proposal",
        ("POST", TRANSITION, "200"): "Proposal",
        ("POST", REVISIONS, "201"): "Proposal",
    }
    for (method, path, status), name in answers.items():
        answer = contract.operation(method, path)["responses"][status]["content"]
        assert answer["application/json"]["schema"] == {"$ref": f"#/components/schemas/{name}"}
    transition = contract.operation("POST", TRANSITION)["responses"]
    assert {"403", "404", "409", "412", "428"} <= set(transition)


@pytest.mark.parametrize(
    ("given", "shown"), [('"0000.00000000000"', "0"), ('"7.50"', "7.50"), ("1e1", "10")]
)
def test_a_request_is_answered_and_read_back_with_plain_figures(
    client: TestClient, auth: Any, contract: Contract, given: Any, shown: str
) -> None:
    # "0.00000000000" read as 0E-11 was stored so, answered so, and could not be read back
    # as a request when a revision re-priced it (a 500).
    body = {**BODY, "request": {**REQUEST, "discount_percent": "given"}}
    created = client.post(
        PROPOSALS, content=json.dumps(body).replace('"given"', given),
        headers={**auth("sales"), "Content-Type": "application/json"},
    )  # fmt: skip
    proposal = contract.check(created, "POST", PROPOSALS)
    assert proposal["request"]["discount_percent"] == shown
    revised = client.post(
        REVISIONS.format(proposal_id=proposal["id"]), json={}, headers=auth("sales")
    )
    assert revised.status_code == 201
    assert contract.check(revised, "POST", REVISIONS)["request"]["discount_percent"] == shown


def test_one_status_schema_names_every_state_of_the_lifecycle(contract: Contract) -> None:
    assert contract.schema_of("ProposalStatus")["enum"] == list(STATUSES)
    ref = {"$ref": "#/components/schemas/ProposalStatus"}
    assert contract.schema_of("Proposal")["properties"]["status"]["$ref"] == ref["$ref"]
    assert contract.schema_of("ProposalSummary")["properties"]["status"] == ref
    assert contract.schema_of("HistoryEvent")["properties"]["to"] == ref


def test_a_proposal_with_choices_answers_as_published(
    client: TestClient, auth: Any, contract: Contract
) -> None:
    body = {
        **BODY,
        "request": {**REQUEST, "alternatives": 3, "discount_percent": "0"},
        "option_names": ["Good", "Better", "Best"],
        "add_ons": [{"component": "SEC-EDR", "quantity": 50}],
        "custom_lines": [{"description": "Workshop", "quantity": 1, "unit_price": 900,
                          "charge": "one_time", "estimated_unit_cost": "400.00"}],
    }  # fmt: skip
    response = client.post(
        PROPOSALS, json=contract.request("POST", PROPOSALS, body), headers=auth("sales")
    )
    contract.check(response, "POST", PROPOSALS)
    assert response.status_code == 201, response.text
    created = response.json()
    assert len(created["options"]) > 1 and created["add_ons"] and created["custom_lines"]
    for who in ("sales", "approver"):
        read = client.get(ONE.format(proposal_id=created["id"]), headers=auth(who))
        contract.check(read, "GET", ONE)
        assert read.status_code == 200
    revised = client.post(
        REVISIONS.format(proposal_id=created["id"]),
        json=contract.request("POST", REVISIONS, {"custom_lines": []}),
        headers=auth("sales"),
    )
    contract.check(revised, "POST", REVISIONS)
    assert revised.status_code == 201 and revised.json()["custom_lines"] == []
