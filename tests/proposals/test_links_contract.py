"""Share links and acceptances answer as the OpenAPI document says: every status and
header documented, every body valid by its named schema (ShareLinkCreated, ShareLinkState,
AcceptanceRecord, ContractPending), the customer's pages kept out of the API document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.kit.settings import Settings
from app.proposals.acceptance.service import render_contract
from tests.contract.conformance import Contract
from tests.support.factories import create_proposal
from tests.support.jobs import RecordingJobs
from tests.support.share import accept, customer_app, issued_proposal, page_path

LINK = "/v1/proposals/{proposal_id}/share-link"
ACCEPTANCE = "/v1/proposals/{proposal_id}/acceptance"
CONTRACT = "/v1/proposals/{proposal_id}/contract.pdf"


@pytest.fixture
def jobs() -> RecordingJobs:
    return RecordingJobs()


@pytest.fixture
def client(
    database: Any, settings: Settings, render_pool: Any, jobs: RecordingJobs
) -> Iterator[TestClient]:
    with customer_app(database, settings, render_pool, jobs) as client:
        yield client


def test_the_answers_are_the_documented_schemas(
    client: TestClient, auth: Any, database: Any, render_pool: Any, settings: Settings,
    jobs: RecordingJobs,
) -> None:  # fmt: skip
    contract = Contract(client)
    for method, path, status, name in [
        ("post", LINK, "201", "ShareLinkCreated"), ("get", LINK, "200", "ShareLinkState"),
        ("delete", LINK, "200", "ShareLinkState"), ("get", ACCEPTANCE, "200", "AcceptanceRecord"),
        ("get", CONTRACT, "202", "ContractPending"),
    ]:  # fmt: skip
        content = contract.operation(method, path)["responses"][status]["content"]
        assert content["application/json"]["schema"] == {"$ref": f"#/components/schemas/{name}"}
    draft = create_proposal(client, auth)
    on = {"proposal_id": draft["id"]}
    contract.check(client.post(LINK.format(**on), headers=auth("sales")), "POST", LINK)  # 409
    contract.check(client.get(LINK.format(**on), headers=auth("sales")), "GET", LINK)  # 404
    proposal = issued_proposal(client, auth)
    at = {"proposal_id": proposal["id"]}
    created = client.post(LINK.format(**at), headers=auth("sales"))
    contract.check(created, "POST", LINK)
    contract.check(client.get(LINK.format(**at), headers=auth("approver")), "GET", LINK)
    for path in (ACCEPTANCE, CONTRACT):
        contract.check(client.get(path.format(**at), headers=auth("sales")), "GET", path)  # 404
    page = page_path(created.json()["url"])
    client.get(page)
    assert accept(client, page).status_code == 303
    contract.check(client.get(LINK.format(**at), headers=auth("sales")), "GET", LINK)
    contract.check(client.get(ACCEPTANCE.format(**at), headers=auth("sales")), "GET", ACCEPTANCE)
    contract.check(client.get(CONTRACT.format(**at), headers=auth("sales")), "GET", CONTRACT)
    ((_, arguments),) = jobs.deferred
    render_contract(database, render_pool, settings.provider_name, int(arguments["acceptance_id"]))
    contract.check(client.get(CONTRACT.format(**at), headers=auth("approver")), "GET", CONTRACT)
    contract.check(client.delete(LINK.format(**at), headers=auth("sales")), "DELETE", LINK)
    assert not [path for path in contract.spec["paths"] if path.startswith("/p/")]
