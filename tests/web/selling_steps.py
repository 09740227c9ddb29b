"""The guided-selling walk as a person does it, for the browser tests (and the end-to-end
walk): the README's demo request, a click that forces one component and rules another out,
good/better/best, the "better" bundle made a proposal. Returns the proposal's id."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app.cli import DEMO_REQUEST
from app.web.selling import views


def configure_and_create(
    page: Page,
    server_url: str,
    *,
    customer: str = "Acme GmbH",
    country: str = "DE",
    discount: str = "2",
) -> int:
    """From the needs form (filled with the demo request) to the new proposal's page."""
    page.goto(f"{server_url}/configure?{views.query(views.needs_of(DEMO_REQUEST))}")
    expect(page.get_by_label("Capability (need 1)")).to_have_value("compute.linux")
    page.get_by_role("button", name="Show options").click()
    page.wait_for_url(re.compile(r".*/configure/options\?.*"))
    itsm = page.locator("#c-SM-ITSM")
    expect(itsm.get_by_text("Forced")).to_be_visible()
    expect(itsm.get_by_text("required by SD-L1-247")).to_be_visible()
    page.get_by_role("link", name="Include SD-L1-247").click()
    page.wait_for_url(re.compile(r".*chosen=SD-L1-247.*"))
    business = page.locator("#c-SD-L1-BUS")
    expect(business.get_by_text("Impossible")).to_be_visible()
    expect(business.locator("td").nth(1)).not_to_be_empty()
    page.get_by_role("link", name="Compare good, better and best").click()
    expect(page.get_by_role("heading", name="Better", exact=True)).to_be_visible()
    page.get_by_role("link", name="Choose Better").click()
    expect(page.get_by_label("Offer only Better")).to_be_checked()
    page.get_by_label("Customer name").fill(customer)
    page.get_by_label("Country (two letters)").fill(country)
    page.get_by_label("Discount (%)").fill(discount)
    page.get_by_role("button", name="Create proposal").click()
    page.wait_for_url(re.compile(r".*/proposals/\d+$"))
    found = re.search(r"/proposals/(\d+)$", page.url)
    assert found is not None
    return int(found.group(1))
