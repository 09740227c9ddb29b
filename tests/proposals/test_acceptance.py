"""The customer's decision through the page: acceptance with a message per invalid field,
consent required, forged posts refused, exactly once (the first stands, the page shows it),
the work packages made and the contract job deferred; the contract copy rendered by that
job, its hash the SHA-256 of the stored bytes; decline with a reason, once; and what sales
and approvers read of it."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select, update

from app.kit.settings import Settings
from app.models import Acceptance, Decline, RenderedDocument, ShareLink, WorkPackage
from app.proposals.acceptance.forms import form_token
from app.proposals.acceptance.service import RENDER_CONTRACT, render_contract
from tests.support.api import ok
from tests.support.factories import PROPOSALS, move_proposal
from tests.support.jobs import RecordingJobs
from tests.support.problems import assert_problem
from tests.support.share import (
    ACCEPTANCE,
    accept,
    customer_app,
    decline,
    issued_proposal,
    page_path,
    share,
)
from tests.support.share import (
    form_token as token_on,
)


@pytest.fixture
def jobs() -> RecordingJobs:
    return RecordingJobs()


@pytest.fixture
def client(
    database: Any, settings: Settings, render_pool: Any, jobs: RecordingJobs
) -> Iterator[TestClient]:
    with customer_app(database, settings, render_pool, jobs) as client:
        yield client


@pytest.fixture
def shared(client: TestClient, auth: Any) -> tuple[dict[str, Any], str]:
    proposal = issued_proposal(client, auth)
    return proposal, page_path(share(client, auth, proposal)["url"])


def count(database: Any, table: Any) -> int:
    with database.transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def proposal_of(client: TestClient, auth: Any, proposal: dict[str, Any]) -> Any:
    return ok(client.get(f"{PROPOSALS}/{proposal['id']}", headers=auth("sales")))


def test_accepting_records_the_evidence_and_moves_the_proposal(
    client: TestClient, auth: Any, database: Any, jobs: RecordingJobs,
    shared: tuple[dict[str, Any], str],
) -> None:  # fmt: skip
    proposal, path = shared
    answer = accept(client, path, **{"User-Agent": "Firefox/140.0"})
    assert answer.status_code == 303 and answer.headers["location"] == path
    page = client.get(path)
    assert page.status_code == 200
    assert 'id="acceptance"' in page.text and "Jana Novak, Head of IT Operations" in page.text
    assert "accept-form" not in page.text and 'id="contract-pending"' in page.text
    after = proposal_of(client, auth, proposal)
    assert after["status"] == "accepted"
    event = after["history"][-1]
    assert event["actor"] == "customer: Jana Novak" and event["from"] == "sent"
    assert event["to"] == "accepted"
    assert count(database, WorkPackage) == len(proposal["lines"])
    with database.transaction(write=False) as session:
        (row,) = session.scalars(select(Acceptance)).all()
    assert jobs.deferred == [(RENDER_CONTRACT, {"acceptance_id": row.id})]
    assert row.choice == {"option": 1, "add_ons": []}
    assert (row.full_name, row.job_title, row.email, row.signature) == (
        "Jana Novak",
        "Head of IT Operations",
        "jana.novak@acme.example",
        "Jana Novak",
    )
    assert row.address == "203.0.113.77"  # in full: evidence, as the page says
    assert row.contract_sha256 is None


def test_the_page_says_what_is_kept_as_evidence(
    client: TestClient, shared: tuple[dict[str, Any], str]
) -> None:
    text = client.get(shared[1]).text
    assert "your IP address and your browser's user agent, as evidence" in text


def test_sales_and_approvers_read_the_acceptance(
    client: TestClient, auth: Any, shared: tuple[dict[str, Any], str]
) -> None:
    proposal, path = shared
    where = f"{PROPOSALS}/{proposal['id']}/acceptance"
    assert_problem(client.get(where, headers=auth("sales")), 404)
    accept(client, path, {}, **{"User-Agent": "Firefox/140.0"})
    for reader in ("sales", "approver", "admin"):
        record = ok(client.get(where, headers=auth(reader)))
        assert record["full_name"] == "Jana Novak" and record["revision"] == 1
        assert record["option"] == 1 and record["add_ons"] == []
        assert record["choice"] == "The proposal"  # one bundle, no add-on offered
        assert record["address"] == "203.0.113.77" and record["user_agent"] == "Firefox/140.0"
        assert record["contract"]["state"] == "rendering" and record["contract"]["sha256"] is None
    for role in ("portfolio", "delivery"):
        assert_problem(client.get(where, headers=auth(role)), 403)
    auth.add("sales-2", "sales")
    assert_problem(client.get(where, headers=auth("sales-2")), 404)


# -- the form ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"full_name": "", "job_title": "  "},
            {"full-name": "Enter your full name.", "job-title": "Enter your job title."},
        ),
        ({"email": "jana-at-acme"}, {"email": "Enter an e-mail address like"}),
        ({"signature": "J. N."}, {"signature": "exactly as you entered it above"}),
        ({"consent": None}, {"consent": "Tick the box to confirm"}),
        ({"option": "2"}, {"option": "Choose one of the options."}),
        ({"add_on": "BACKUP-PLUS"}, {"add-on": "Choose add-ons from the list"}),
        ({"full_name": "N" * 201, "signature": "N" * 201}, {"full-name": "at most 200"}),
    ],
)
def test_an_invalid_form_comes_back_with_a_message_per_field(
    client: TestClient, auth: Any, database: Any, shared: tuple[dict[str, Any], str],
    fields: dict[str, Any], errors: dict[str, str],
) -> None:  # fmt: skip
    proposal, path = shared
    answer = accept(client, path, fields)
    assert answer.status_code == 422
    assert 'id="form-errors"' in answer.text and 'role="alert"' in answer.text
    assert 'id="not-recorded"' in answer.text  # said at the top of the page too
    assert f'action="{path}/accept#accept-form"' in answer.text  # lands on the form
    for field, message in errors.items():
        assert f'href="#field-{field}"' in answer.text
        assert message in answer.text
        if field not in ("option", "add-on"):
            assert f'id="field-{field}"' in answer.text
    kept = fields.get("email") or ACCEPTANCE["email"]
    assert f'value="{kept}"' in answer.text  # what was typed stays typed
    assert count(database, Acceptance) == 0
    assert proposal_of(client, auth, proposal)["status"] == "sent"


# -- forged and replayed posts -------------------------------------------------------------


def test_a_post_without_the_pages_token_is_refused(
    client: TestClient, database: Any, shared: tuple[dict[str, Any], str]
) -> None:
    _, path = shared
    answer = client.post(f"{path}/accept", data=ACCEPTANCE, follow_redirects=False)
    assert answer.status_code == 403 and "could not be sent" in answer.text
    tampered = accept(client, path, {"form_token": "eyJsaW5rIjoxfQ.forged.sig"})
    assert tampered.status_code == 403
    json_post = client.post(f"{path}/accept", json=ACCEPTANCE, follow_redirects=False)
    assert json_post.status_code == 403
    assert count(database, Acceptance) == 0


def test_a_post_from_another_origin_is_refused(
    client: TestClient, database: Any, shared: tuple[dict[str, Any], str]
) -> None:
    _, path = shared
    for origin in ("https://evil.example", "null"):
        assert accept(client, path, Origin=origin).status_code == 403
    for site in ("cross-site", "same-site"):
        assert accept(client, path, **{"Sec-Fetch-Site": site}).status_code == 403
    evil = {"Origin": "https://evil.example", "Sec-Fetch-Site": "same-origin"}
    assert accept(client, path, **evil).status_code == 403
    assert count(database, Acceptance) == 0
    same = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert accept(client, path, **same).status_code == 303


def test_a_token_of_another_form_or_link_is_refused(
    client: TestClient, auth: Any, database: Any, shared: tuple[dict[str, Any], str]
) -> None:
    _, path = shared
    other = page_path(share(client, auth, issued_proposal(client, auth))["url"])
    assert accept(client, path, {"form_token": token_on(client.get(other))}).status_code == 403
    decline_token = token_on(client.get(path), "decline")
    assert accept(client, path, {"form_token": decline_token}).status_code == 403
    assert count(database, Acceptance) == 0


def test_an_old_form_is_refused(
    client: TestClient, database: Any, settings: Settings, shared: tuple[dict[str, Any], str]
) -> None:
    _, path = shared
    settings.form_max_age_seconds = -1
    assert accept(client, path).status_code == 403
    assert count(database, Acceptance) == 0


def test_a_browser_hiding_its_origin_is_taken_when_it_says_same_origin(
    client: TestClient, shared: tuple[dict[str, Any], str]
) -> None:
    # Under a no-referrer policy a browser sends "Origin: null" even to its own origin.
    hidden = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    assert accept(client, shared[1], **hidden).status_code == 303


def test_a_form_token_is_bound_to_the_links_own_token() -> None:
    made = form_token("", "token-a", 7, "accept")
    assert made != form_token("", "token-b", 7, "accept")
    assert made != form_token("configured secret", "token-a", 7, "accept")


def test_a_second_acceptance_changes_nothing_and_shows_the_first(
    client: TestClient, auth: Any, database: Any, jobs: RecordingJobs,
    shared: tuple[dict[str, Any], str],
) -> None:  # fmt: skip
    proposal, path = shared
    form = token_on(client.get(path))
    first = {**ACCEPTANCE, "form_token": form}
    assert client.post(f"{path}/accept", data=first, follow_redirects=False).status_code == 303
    history = proposal_of(client, auth, proposal)["history"]
    replay = {**first, "full_name": "Someone Else", "signature": "Someone Else"}
    for body in (first, replay, {}):
        again = client.post(f"{path}/accept", data=body, follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"] == path
    assert count(database, Acceptance) == 1
    assert count(database, WorkPackage) == len(proposal["lines"])
    assert len(jobs.deferred) == 1
    assert proposal_of(client, auth, proposal)["history"] == history
    page = client.get(path).text
    assert "Jana Novak" in page and "Someone Else" not in page


def test_a_proposal_accepted_by_sales_shows_as_accepted(
    client: TestClient, auth: Any, database: Any, shared: tuple[dict[str, Any], str]
) -> None:
    proposal, path = shared
    ok(move_proposal(client, auth, proposal, "accepted"))
    page = client.get(path)
    assert page.status_code == 200 and "This proposal has been accepted" in page.text
    assert "accept-form" not in page.text and "decline-form" not in page.text
    again = client.post(f"{path}/accept", data=ACCEPTANCE, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == path
    assert count(database, Acceptance) == 0


def test_a_closed_link_takes_no_decision(
    client: TestClient, auth: Any, database: Any, shared: tuple[dict[str, Any], str]
) -> None:
    proposal, path = shared
    page = client.get(path)
    ok(move_proposal(client, auth, proposal, "withdrawn"))
    body = {**ACCEPTANCE, "form_token": token_on(page)}
    assert client.post(f"{path}/accept", data=body).status_code == 410
    decline_body = {"form_token": token_on(page, "decline"), "reason": ""}
    assert client.post(f"{path}/decline", data=decline_body).status_code == 410
    assert count(database, Acceptance) == count(database, Decline) == 0
    assert client.post("/p/unknown-token/accept", data=body).status_code == 404


# -- decline ----------------------------------------------------------------------------


def test_declining_records_the_reason_once(
    client: TestClient, auth: Any, database: Any, shared: tuple[dict[str, Any], str]
) -> None:
    proposal, path = shared
    page = client.get(path)
    answer = decline(client, path, "  We chose another provider.  ")
    assert answer.status_code == 303 and answer.headers["location"] == path
    after = proposal_of(client, auth, proposal)
    assert after["status"] == "rejected"
    event = after["history"][-1]
    assert event["comment"] == "declined by customer: We chose another provider."
    assert event["actor"] == "customer" and event["from"] == "sent"
    body = {"form_token": token_on(page, "decline"), "reason": "again"}
    assert client.post(f"{path}/decline", data=body, follow_redirects=False).status_code == 303
    accepted = {**ACCEPTANCE, "form_token": token_on(page)}
    assert client.post(f"{path}/accept", data=accepted).status_code == 410
    assert count(database, Decline) == 1 and count(database, Acceptance) == 0
    assert proposal_of(client, auth, proposal)["history"] == after["history"]
    assert count(database, WorkPackage) == 0


def test_a_decline_without_a_reason_and_one_too_long(
    client: TestClient, auth: Any, shared: tuple[dict[str, Any], str]
) -> None:
    proposal, path = shared
    too_long = decline(client, path, "x" * 2001)
    assert too_long.status_code == 422 and "at most 2000 characters" in too_long.text
    assert decline(client, path).status_code == 303
    assert proposal_of(client, auth, proposal)["history"][-1]["comment"] == "declined by customer"


# -- the contract copy ----------------------------------------------------------------------


def test_the_contract_job_stores_the_copy_and_its_hash(
    client: TestClient, auth: Any, database: Any, render_pool: Any, settings: Settings,
    jobs: RecordingJobs, shared: tuple[dict[str, Any], str],
) -> None:  # fmt: skip
    proposal, path = shared
    accept(client, path)
    contract = f"{PROPOSALS}/{proposal['id']}/contract.pdf"
    pending = client.get(contract, headers=auth("sales"))
    assert pending.status_code == 202 and pending.headers["retry-after"] == "5"
    assert pending.json() == {"state": "rendering", "retry_after": 5}
    assert client.get(f"{path}/contract.pdf", follow_redirects=False).status_code == 303
    ((task, arguments),) = jobs.deferred
    assert task == RENDER_CONTRACT
    render_contract(database, render_pool, settings.provider_name, int(arguments["acceptance_id"]))
    with database.transaction(write=False) as session:
        (row,) = session.scalars(select(Acceptance)).all()
        stored = session.get(RenderedDocument, row.contract_key)
        assert stored is not None and stored.pdf is not None
        assert row.contract_sha256 == hashlib.sha256(stored.pdf).hexdigest()
        first_hash = row.contract_sha256
    for reader in ("sales", "approver"):
        served = client.get(contract, headers=auth(reader))
        assert served.status_code == 200 and served.headers["content-type"] == "application/pdf"
        assert hashlib.sha256(served.content).hexdigest() == first_hash
    customer = client.get(f"{path}/contract.pdf")
    assert customer.status_code == 200 and customer.content == served.content
    record = ok(client.get(f"{PROPOSALS}/{proposal['id']}/acceptance", headers=auth("sales")))
    assert record["contract"] == {"state": "ready", "sha256": first_hash,
                                  "url": contract}  # fmt: skip
    assert 'id="contract-download"' in client.get(path).text
    render_contract(database, render_pool, settings.provider_name, row.id)  # run again: no change
    with database.transaction(write=False) as session:
        assert session.get(Acceptance, row.id).contract_sha256 == first_hash  # type: ignore[union-attr]
    reader = PdfReader(io.BytesIO(served.content))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    for shown in ("Acceptance", "Jana Novak", "Head of IT Operations", "jana.novak@acme.example",
                  "203.0.113.77", "The proposal", proposal["number"]):  # fmt: skip
        assert shown in text, shown
    metadata = reader.xmp_metadata
    assert metadata is not None and metadata.pdfaid_part == "3"  # type: ignore[attr-defined]
    assert_problem(client.get(f"{PROPOSALS}/{proposal['id']}/contract.pdf",
                              headers=auth("portfolio")), 403)  # fmt: skip


def test_an_accepted_link_stays_readable_past_its_expiry(
    client: TestClient, database: Any, shared: tuple[dict[str, Any], str]
) -> None:
    _, path = shared
    accept(client, path)
    with database.transaction(write=True) as session:
        session.execute(update(ShareLink).values(expires_at=datetime.now(UTC) - timedelta(1)))
    page = client.get(path)
    assert page.status_code == 200 and 'id="acceptance"' in page.text


def test_a_late_contract_is_asked_for_again(
    client: TestClient, auth: Any, database: Any, jobs: RecordingJobs,
    shared: tuple[dict[str, Any], str],
) -> None:  # fmt: skip
    proposal, path = shared
    accept(client, path)
    contract = f"{PROPOSALS}/{proposal['id']}/contract.pdf"
    assert client.get(contract, headers=auth("sales")).status_code == 202
    assert len(jobs.deferred) == 1  # on time: the first job is still expected
    with database.transaction(write=True) as session:
        session.execute(update(Acceptance).values(at=datetime.now(UTC) - timedelta(minutes=3)))
    assert client.get(contract, headers=auth("approver")).status_code == 202
    assert jobs.deferred == [jobs.deferred[0]] * 2  # the same job, once more
