"""The catalog browser in a real browser: the portfolio searches, opens a component, its
history, and the diff of two versions. With OFFERWRIGHT_SCREENSHOTS=<folder> it saves the
screenshots the README shows (``OFFERWRIGHT_SCREENSHOTS=docs .venv/bin/pytest
tests/web/test_catalog_browser.py``)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.support.browser import Watched
from tests.support.live_server import LiveServer
from tests.web.conftest import sign_in

SCREENSHOTS = os.environ.get("OFFERWRIGHT_SCREENSHOTS")


def _shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"web-{name}.png"), full_page=False)


def _draft(server: LiveServer) -> None:
    """Version 2 of CMP-VM-LNX: a draft with a new one-time price and a changed line."""
    url = f"{server.url}/v1/components/CMP-VM-LNX"
    headers = {"Authorization": f"Bearer {server.key('portfolio')}"}
    read = httpx.get(url, headers=headers, timeout=60)
    read.raise_for_status()
    text = read.json()["documents"]["specification"].replace(
        "within two business days", "within one business day"
    )
    patch = {"prices": {"EUR": {"one_time": "275"}}, "documents": {"specification": text}}
    sent = headers | {"If-Match": read.headers["ETag"],
                      "Content-Type": "application/merge-patch+json"}  # fmt: skip
    httpx.patch(url, json=patch, headers=sent, timeout=60).raise_for_status()


def test_search_open_a_component_and_compare_two_versions(
    page: Watched, server: LiveServer
) -> None:
    _draft(server)
    browser = page.page
    sign_in(browser, server, server.user("portfolio", name="Pat Portfolio"))
    browser.get_by_role("link", name="Catalog", exact=True).first.click()
    browser.get_by_label("Search", exact=True).fill("linux")
    browser.get_by_label("Layer").select_option("infrastructure")
    browser.get_by_role("button", name="Search").click()
    browser.wait_for_url(re.compile(r"/catalog\?q=linux&family=&layer=infrastructure"))
    results = browser.get_by_role("table")
    expect(results.get_by_role("link", name="CMP-VM-LNX", exact=True)).to_be_visible()
    expect(results.get_by_role("link", name="CMP-VM-WIN", exact=True)).to_have_count(0)
    browser.get_by_role("link", name="CMP-VM-LNX", exact=True).click()
    expect(browser.get_by_role("heading", level=1)).to_contain_text("Managed Linux virtual server")
    expect(browser.get_by_role("link", name="Edit draft (version 2)")).to_be_visible()
    expect(browser.get_by_role("heading", name="Cost per unit (confidential)")).to_be_visible()
    _shot(browser, "catalog")
    browser.get_by_role("link", name="Version history", exact=True).click()
    expect(browser.get_by_role("heading", level=1)).to_contain_text("version history")
    browser.get_by_label("From").select_option("1")
    browser.get_by_label("To").select_option("2")
    browser.get_by_role("button", name="Compare").click()
    browser.wait_for_url(re.compile(r"/diff\?from=1&to=2"))
    fields = browser.locator("table.field-diff")
    expect(fields.get_by_role("row", name=re.compile(r"prices\.EUR\.one_time"))).to_contain_text(
        "275"
    )
    changed = browser.locator("table.line-diff").first
    expect(changed.get_by_role("row", name=re.compile("Removed"))).to_contain_text(
        "within two business days"
    )
    expect(changed.get_by_role("row", name=re.compile("Added"))).to_contain_text(
        "within one business day"
    )
    _shot(browser, "diff")
    assert page.errors == []
