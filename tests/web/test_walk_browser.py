"""The issue's whole walk in a real browser, three sign-ins on one server: sales configure
the README's demo request (a forced and an impossible component, each with its reason),
choose the "better" bundle, create the proposal and submit it with a discount over their
limit; the approver finds it in the inbox with the guardrail it breaks and approves it;
sales share it, and the customer's link opens the customer's page.

With OFFERWRIGHT_SCREENSHOTS=<folder> it also saves the screenshots the README shows
(``OFFERWRIGHT_SCREENSHOTS=docs .venv/bin/pytest tests/web/test_walk_browser.py``)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import ClassVar

from playwright.sync_api import Page, expect

from tests.support.browser import Watched
from tests.support.live_server import LiveServer
from tests.web.conftest import sign_in
from tests.web.selling_steps import configure_and_create
from tests.web.workspace_steps import approve_in_inbox, create_share_link, sign_out

SCREENSHOTS = os.environ.get("OFFERWRIGHT_SCREENSHOTS")


def _shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"web-{name}.png"), full_page=False)


def test_sell_approve_and_share_in_the_browser(page: Watched, server: LiveServer) -> None:
    seller = server.user("sales", name="Sam Seller")
    approver = server.user("approver", name="Alex Approver")
    browser = page.page
    browser.goto(f"{server.url}/configure")
    _shot(browser, "sign-in")
    sign_in(browser, server, seller, next_path="/configure")
    steps = _Screens(browser) if SCREENSHOTS else None
    if steps:
        browser.on("load", steps.loaded)
    proposal_id = configure_and_create(browser, server.url, discount="15")  # sales may give 10
    if steps:
        browser.remove_listener("load", steps.loaded)
    heading = browser.get_by_role("heading", level=1)
    number = re.search(r"P-\d{4}-\d+", heading.inner_text())
    assert number is not None
    browser.get_by_role("button", name=re.compile(r"^Submit")).click()
    expect(browser.get_by_text("Waiting for approval").first).to_be_visible()
    _shot(browser, "proposal")
    sign_out(browser)

    sign_in(browser, server, approver, next_path="/approvals")
    _shot(browser, "approvals")
    approve_in_inbox(browser, server.url, number[0], "Within the account plan for Acme.")
    sign_out(browser)

    sign_in(browser, server, seller, next_path=f"/proposals/{proposal_id}")
    link = create_share_link(browser, server.url, proposal_id)
    _shot(browser, "share-link")
    # The customer opens it in their own browser: no session, no cookie of ours.
    customer = browser.context.browser.new_context()  # type: ignore[union-attr]
    try:
        shown = customer.new_page()
        shown.goto(link)
        expect(shown.get_by_text(number[0]).first).to_be_visible()
    finally:
        customer.close()
    assert page.errors == []


class _Screens:
    """Screenshots of the selling screens as the walk passes them (only when asked)."""

    NAMES: ClassVar[dict[str, str]] = {
        "/configure/options": "options", "/configure/compare": "compare", "/configure": "needs",
    }  # fmt: skip

    def __init__(self, page: Page) -> None:
        self.page = page
        self.taken: set[str] = set()

    def loaded(self, page: Page) -> None:
        path = page.url.split("://", 1)[1].split("/", 1)[1].split("?", 1)[0]
        name = self.NAMES.get("/" + path)
        if name and name not in self.taken:
            self.taken.add(name)
            _shot(page, name)
