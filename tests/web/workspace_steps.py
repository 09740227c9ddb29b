"""Steps of the proposal workspace and the approval inbox, for tests to chain.

Two kinds: for TestClient tests, a signed-in client of a new account and the proposal made
as that person; for browser walks, functions taking a Playwright page and the server's URL
(each starts from wherever the walk is and ends on a page it names)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect
from sqlalchemy import update

from app.auth import Principal
from app.auth.users import create_user
from app.cli import DEMO_REQUEST
from app.kit.database import Database
from app.models import Proposal
from app.proposals import ProposalServices, read_proposal
from app.proposals.service import create

PASSWORD = "correct horse battery staple"
OVER_THE_LIMIT = "15"  # sales may give 10 % (catalog/data/price-books.yaml): needs an approver


def proposal_body(
    customer: str = "Acme Logistics GmbH", discount: str = OVER_THE_LIMIT
) -> dict[str, Any]:
    return {
        "customer": {"name": customer, "country": "DE", "contact": "Jana Novak"},
        "request": DEMO_REQUEST,
        "discount_percent": discount,
    }


# -- TestClient ------------------------------------------------------------------------------


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


class WebUser:
    """A signed-in person's own TestClient (its own cookies); ``propose`` makes a proposal
    as that person (their principal: the e-mail and role) through the proposals service,
    as the API would."""

    def __init__(self, client: TestClient, database: Database, role: str, email: str) -> None:
        self.email = email
        self.role = role
        self.database = database
        self.client = TestClient(client.app, follow_redirects=False)
        page = self.client.get("/sign-in")
        answer = self.client.post("/sign-in", data={
            "email": email, "password": PASSWORD, "next": "/", "csrftoken": csrf_of(page.text),
        })  # fmt: skip
        assert answer.status_code == 303, answer.text

    def csrf(self) -> str:
        return csrf_of(self.client.get("/").text)

    def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        return self.client.post(path, data={**data, "csrftoken": self.csrf()})

    @property
    def principal(self) -> Principal:
        return Principal(self.email, self.role)  # type: ignore[arg-type]

    def propose(self, **extra: Any) -> dict[str, Any]:
        services = self.client.app.state.wiring.get(ProposalServices)  # type: ignore[attr-defined]
        with self.database.transaction(write=False) as session:
            answer = create(services, session, self.principal, {**proposal_body(), **extra}, None)
        assert answer.status_code == 201
        return answer.body

    def read(self, proposal_id: int) -> dict[str, Any]:
        with self.database.transaction(write=False) as session:
            return read_proposal(session, self.principal, proposal_id)


_count = iter(range(1, 1_000_000))


def web_user(client: TestClient, database: Database, role: str) -> WebUser:
    email = f"web-{role}-{next(_count)}@example.com"
    with database.transaction(write=True) as session:
        create_user(session, email=email, name=f"Web {role}", role=role, password=PASSWORD,
                    centre="CZ-BRN" if role == "delivery" else None)  # fmt: skip
    return WebUser(client, database, role, email)


def etag_on(html: str) -> str:
    found = re.search(r'name="etag" value="([^"]+)"', html)
    assert found, "no ETag field on the page"
    return found.group(1).replace("&#34;", '"').replace("&quot;", '"')


# -- browser steps ---------------------------------------------------------------------------


def create_proposal_for(
    base_url: str, database: Database, api_key: str, email: str, **extra: Any
) -> dict[str, Any]:
    """A proposal made through the API with a sales key, then handed to the web user
    ``email`` (a key's name cannot be an e-mail, and a proposal is its author's). The
    issue's full walk makes it through the selling pages instead."""
    answer = httpx.post(f"{base_url}/v1/proposals", json={**proposal_body(), **extra},
                        headers={"Authorization": f"Bearer {api_key}"}, timeout=60)  # fmt: skip
    answer.raise_for_status()
    body: dict[str, Any] = answer.json()
    with database.transaction(write=True) as session:
        session.execute(update(Proposal).where(Proposal.id == body["id"]).values(author=email))
    return body


def open_proposal_from_list(page: Page, base_url: str, number: str) -> None:
    """My proposals → the proposal's page."""
    page.goto(f"{base_url}/proposals")
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)


def submit_proposal(page: Page) -> None:
    """On a draft's page: submit it (for approval when a guardrail is broken)."""
    page.get_by_role("button", name=re.compile(r"^Submit")).click()
    expect(page.get_by_role("status").filter(has_text="Submitted.")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in?signed_out=1")


def approve_in_inbox(page: Page, base_url: str, number: str, comment: str) -> None:
    """The inbox shows ``number`` with its broken guardrail; approve it with ``comment``."""
    page.goto(f"{base_url}/approvals")
    item = page.locator("article", has=page.get_by_role("heading", name=re.compile(number)))
    expect(item.get_by_role("table")).to_contain_text("discount")
    item.get_by_label(f"Comment for {number}").fill(comment)
    item.get_by_role("button", name=f"Approve {number}").click()
    expect(page.get_by_role("status").filter(has_text=f"{number}: approved")).to_be_visible()


def create_share_link(page: Page, base_url: str, proposal_id: int) -> str:
    """On the approved proposal's page: create its share link; answers the URL shown."""
    page.goto(f"{base_url}/proposals/{proposal_id}")
    page.get_by_role("button", name="Create a share link").click()
    url = page.get_by_label(re.compile("The customer's link")).input_value()
    assert url.startswith(base_url) and "/p/" in url
    return url
