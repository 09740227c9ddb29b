"""The customer's whole path in a real browser (Chromium), at a phone's width and without
JavaScript: the page loads nothing from elsewhere and breaks no policy, fits 375 px, shows
its focus; an invalid acceptance lands on the form with its messages; a valid one lands
on the page showing the acceptance, whose contract copy the application's job engine
renders. A desktop width with JavaScript on shows no horizontal scrolling either."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.support.factories import PROPOSAL_BODY
from tests.support.live_server import LiveServer, live_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("customer")) as server:
        yield server


def _shared(server: LiveServer) -> tuple[str, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {server.key('sales')}"}
    created = httpx.post(f"{server.url}/v1/proposals", json=PROPOSAL_BODY, headers=headers,
                         timeout=60).json()  # fmt: skip
    where = f"{server.url}/v1/proposals/{created['id']}"
    etag = httpx.get(where, headers=headers).headers["etag"]
    httpx.post(f"{where}/transition", json={"to": "submitted"},
               headers={**headers, "If-Match": etag}).raise_for_status()  # fmt: skip
    link = httpx.post(f"{where}/share-link", headers=headers)
    link.raise_for_status()
    return link.json()["url"], headers


def _overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_a_customer_reads_and_accepts_on_a_phone_without_javascript(
    server: LiveServer, browser: Browser
) -> None:
    url, headers = _shared(server)
    context = browser.new_context(viewport={"width": 375, "height": 800},
                                  java_script_enabled=False)  # fmt: skip
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error"
            else None)  # fmt: skip
    page.goto(url)
    expect(page.locator("h1")).to_contain_text("Managed IT services proposal")
    assert all(request.startswith(server.url) for request in requests), requests
    assert errors == [], (errors, requests)

    page.keyboard.press("Tab")  # the skip link first, and its focus shows
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") != "none"

    page.locator("#schedules details").first.locator("summary").click()
    expect(page.locator("#schedules details").first.locator("h3")).to_be_visible()

    page.get_by_label("Full name").fill("Jana Novak")
    page.get_by_label("Job title").fill("Head of IT Operations")
    page.get_by_label("E-mail address").fill("jana.novak@acme.example")
    page.get_by_label("Signature").fill("J. Novak")  # not the name typed above
    page.locator("#field-consent").check()
    page.locator("#accept-button").click()
    expect(page.locator("#form-errors")).to_be_visible()
    assert page.url.endswith("/accept#accept-form")
    expect(page.locator("#error-signature")).to_contain_text("exactly as you entered it")
    expect(page.get_by_label("Full name")).to_have_value("Jana Novak")

    page.get_by_label("Signature").fill("Jana Novak")
    page.locator("#field-consent").check()
    page.locator("#accept-button").click()
    expect(page.locator("#acceptance")).to_be_visible()
    expect(page.locator("#accepted-by")).to_have_text("Jana Novak, Head of IT Operations")
    assert page.url == url + "#accept-form" or page.url == url
    expect(page.locator("#accept-form")).to_have_count(0)
    for _ in range(60):  # the contract copy renders in the background
        if page.locator("#contract-download").count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(page.locator("#contract-download")).to_be_visible()
    context.close()

    # The API agrees: accepted, one acceptance, a contract copy with its hash.
    proposals = httpx.get(f"{server.url}/v1/proposals", headers=headers).json()["items"]
    accepted = [item for item in proposals if item["status"] == "accepted"]
    assert len(accepted) == 1
    record = httpx.get(f"{server.url}/v1/proposals/{accepted[0]['id']}/acceptance",
                       headers=headers).json()  # fmt: skip
    assert record["contract"]["state"] == "ready" and len(record["contract"]["sha256"]) == 64


@pytest.mark.parametrize("width", [375, 768, 1280])
def test_the_page_fits_every_width(server: LiveServer, browser: Browser, width: int) -> None:
    url, _ = _shared(server)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(url)
    for details in page.locator("details").all():  # every section open: the widest page
        details.evaluate("e => e.open = true")
    assert _overflow(page) <= 0
    context.close()
