"""The customer's path with choices, in a real browser (Chromium): open the link, compare
the options, pick one and tick an add-on (the total follows at once, fetched from the
server; and without JavaScript, by the choice form's own button), accept with a typed
signature; then the proposal is accepted, its work packages are those of the option chosen
and the add-on, the contract copy's SHA-256 is the one stored, and a replayed acceptance
changes nothing. Revoked and expired links show a page that says so."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select, update

from app.models import Acceptance, ShareLink, WorkPackage, utcnow
from tests.support.factories import PROPOSAL_BODY
from tests.support.live_server import LiveServer, live_server

CHOICES = {
    **PROPOSAL_BODY,
    "request": {**PROPOSAL_BODY["request"], "alternatives": 3},
    "add_ons": [{"component": "SEC-EDR", "quantity": 50}],
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("choices")) as server:
        yield server


def _shared(server: LiveServer, body: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, str]]:
    headers = {"Authorization": f"Bearer {server.key('sales')}"}
    created = httpx.post(f"{server.url}/v1/proposals", json=body, headers=headers, timeout=60)
    created.raise_for_status()
    proposal = created.json()
    where = f"{server.url}/v1/proposals/{proposal['id']}"
    etag = httpx.get(where, headers=headers).headers["etag"]
    httpx.post(f"{where}/transition", json={"to": "submitted"},
               headers={**headers, "If-Match": etag}).raise_for_status()  # fmt: skip
    link = httpx.post(f"{where}/share-link", headers=headers)
    link.raise_for_status()
    return link.json()["url"], proposal, headers


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}\u00a0EUR"


def _sign(page: Page) -> None:
    page.get_by_label("Full name").fill("Jana Novak")
    page.get_by_label("Job title").fill("Head of IT Operations")
    page.get_by_label("E-mail address").fill("jana.novak@acme.example")
    page.get_by_label("Signature").fill("Jana Novak")
    page.locator("#field-consent").check()


def test_a_customer_compares_picks_an_option_and_an_add_on_and_accepts(
    server: LiveServer, browser: Browser
) -> None:
    url, proposal, headers = _shared(server, CHOICES)
    options, add_on = proposal["options"], proposal["add_ons"][0]["line"]
    assert len(options) >= 2
    chosen = options[1]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error"
            else None)  # fmt: skip
    page.goto(url)

    # The options side by side, with what differs.
    table = page.locator("#options table").first
    for option in options:
        expect(table).to_contain_text(option["name"])
    first = _money(Decimal(options[0]["totals"]["monthly"]))
    expect(page.locator("#choice-monthly")).to_have_text(first)

    # Choosing updates the total at once, from the server.
    page.locator(f"#choose-option-{chosen['number']}").check()
    expect(page.locator("#choice-monthly")).to_have_text(
        _money(Decimal(chosen["totals"]["monthly"]))
    )
    page.locator("#choose-add-on-1").check()
    expected = Decimal(chosen["totals"]["monthly"]) + Decimal(add_on["monthly"])
    expect(page.locator("#choice-monthly")).to_have_text(_money(expected))
    expect(page.locator("#chosen-option")).to_contain_text(chosen["name"])

    _sign(page)
    page.locator("#accept-button").click()
    expect(page.locator("#acceptance")).to_be_visible()
    expect(page.locator("#accepted-choice")).to_contain_text(chosen["name"])
    expect(page.locator("#accepted-choice")).to_contain_text(add_on["name"])
    assert all(request.startswith(server.url) for request in requests), requests
    assert errors == [], errors
    replay = page.evaluate("() => location.href")
    context.close()

    # The proposal is accepted; its work packages are the chosen option's lines and the add-on.
    record = httpx.get(f"{server.url}/v1/proposals/{proposal['id']}/acceptance", headers=headers)
    record.raise_for_status()
    assert record.json()["option"] == chosen["number"] and record.json()["add_ons"] == [1]
    with server.database.transaction(write=False) as session:
        sold = sorted(session.scalars(select(WorkPackage.content).where(
            WorkPackage.proposal_id == proposal["id"])), key=lambda c: c["line"])  # fmt: skip
    assert [(c["component"], c["quantity"], c["service_level"]) for c in sold] == [
        (line["component"], line["quantity"], line["service_level"])
        for line in (*chosen["lines"], add_on)
    ]

    # The contract copy, rendered in the background, is the one whose hash is stored.
    where = f"{server.url}/v1/proposals/{proposal['id']}/contract.pdf"
    for _ in range(120):
        copy = httpx.get(where, headers=headers, timeout=30)
        if copy.status_code != 202:
            break
        time.sleep(0.5)
    assert copy.status_code == 200
    stored = httpx.get(f"{server.url}/v1/proposals/{proposal['id']}/acceptance",
                       headers=headers).json()["contract"]["sha256"]  # fmt: skip
    assert hashlib.sha256(copy.content).hexdigest() == stored

    # A second acceptance (a replay of the form) changes nothing.
    path = re.sub(r"#.*$", "", replay)
    again = httpx.post(f"{path}/accept", data={"full_name": "Someone Else"},
                       follow_redirects=False)  # fmt: skip
    assert again.status_code in (303, 403)
    with server.database.transaction(write=False) as session:
        rows = session.scalars(
            select(Acceptance).where(Acceptance.proposal_id == proposal["id"])
        ).all()
    assert [(row.full_name, row.choice) for row in rows] == [
        ("Jana Novak", {"option": chosen["number"], "add_ons": [1]})
    ]


def test_without_javascript_the_choice_forms_button_shows_the_total(
    server: LiveServer, browser: Browser
) -> None:
    url, proposal, _ = _shared(server, CHOICES)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url)
    last = proposal["options"][-1]
    page.locator(f"#choose-option-{last['number']}").check()
    page.locator("#update-choice").click()
    expect(page.locator("#choice-monthly")).to_have_text(_money(Decimal(last["totals"]["monthly"])))
    expect(page.locator(f"#choose-option-{last['number']}")).to_be_checked()
    context.close()


def test_a_revoked_and_an_expired_link_say_so(server: LiveServer, browser: Browser) -> None:
    revoked, proposal, headers = _shared(server, PROPOSAL_BODY)
    httpx.delete(f"{server.url}/v1/proposals/{proposal['id']}/share-link",
                 headers=headers).raise_for_status()  # fmt: skip
    expired, other, _ = _shared(server, PROPOSAL_BODY)
    with server.database.transaction(write=True) as session:
        session.execute(update(ShareLink).where(ShareLink.proposal_id == other["id"])
                        .values(expires_at=utcnow() - timedelta(minutes=1)))  # fmt: skip
    context = browser.new_context()
    page = context.new_page()
    for url, title in ((revoked, "This link has been withdrawn"),
                       (expired, "This proposal has expired")):  # fmt: skip
        answer = page.goto(url)
        assert answer is not None and answer.status == 410
        expect(page.locator("h1")).to_have_text(title)
        expect(page.locator("#contact")).to_contain_text("sales")
        expect(page.locator("#accept-form")).to_have_count(0)
    context.close()
