"""Retiring a version in a real browser: portfolio opens an active version an open proposal
sells, sees which on the lifecycle page, asks to retire it, is told which proposals it
would strand and asked, ticks "Retire anyway", and the version retires.

With OFFERWRIGHT_SCREENSHOTS=<folder> it saves the confirmation as web-impact.png
(``OFFERWRIGHT_SCREENSHOTS=docs .venv/bin/pytest tests/web/test_lifecycle_browser.py``)."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import expect

from tests.support.assured import with_combinations
from tests.support.browser import Watched
from tests.support.live_server import LiveServer
from tests.web.conftest import sign_in
from tests.web.workspace_steps import create_proposal_for

SCREENSHOTS = os.environ.get("OFFERWRIGHT_SCREENSHOTS")
SOLD = "CMP-KVM-NODE"  # the first line of the demo request's proposal, version 1


def test_retiring_a_version_an_open_proposal_sells_says_which_and_asks(
    page: Watched, server: LiveServer
) -> None:
    seller, curator = server.user("sales"), server.user("portfolio", name="Pat Portfolio")
    proposal = create_proposal_for(server.url, server.database, server.key("sales"), seller.email)
    # The shipped assured combinations out of the way: this walk is about stranding.
    with_combinations(server.database)  # type: ignore[arg-type]
    browser = page.page
    path = f"/catalog/components/{SOLD}/versions/1/lifecycle"
    sign_in(browser, server, curator, next_path=path)
    used = browser.get_by_role("table", name=f"Open proposals selling {SOLD} version 1")
    expect(used).to_contain_text(proposal["number"])
    expect(used).to_contain_text("Acme Logistics GmbH")

    browser.get_by_role("button", name="Retire").click()
    refusal = browser.get_by_role("alert")
    expect(refusal).to_contain_text("would strand 1 open proposal")
    expect(refusal).to_contain_text(proposal["number"])
    expect(browser.get_by_text("Tick “Retire anyway” to strand them.")).to_be_visible()
    if SCREENSHOTS:
        browser.screenshot(path=str(Path(SCREENSHOTS) / "web-impact.png"), full_page=False)

    browser.get_by_label("Retire anyway").check()
    browser.get_by_role("button", name="Retire").click()
    browser.wait_for_url(f"{server.url}{path}?done=retired")
    expect(browser.get_by_role("status").first).to_contain_text("Moved to retired.")
    expect(browser.get_by_role("heading", level=1)).to_contain_text(f"{SOLD} version 1")
    expect(browser.get_by_role("button", name="Retire")).to_have_count(0)
    assert [error for error in page.errors if "status of 4" not in error] == []
