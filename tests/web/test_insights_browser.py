"""Insights in a real browser, on a live server seeded with the hand-computed fixture
(tests/support/insights_fixture.py): an approver finds Insights in the navigation, sees the
fixture's exact figures with the charts drawn (the page's policy blocks nothing, nothing is
fetched from elsewhere), narrows the filters with the form (the address keeps them), and
downloads the pillar's CSV, the service's own.

With OFFERWRIGHT_SCREENSHOTS=<folder> it saves docs/web-insights.png for the README
(``OFFERWRIGHT_SCREENSHOTS=docs .venv/bin/pytest tests/web/test_insights_browser.py``)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import expect

from app.auth import Principal
from app.insights import Filters, as_csv, go_to_market
from tests.support.browser import Watched
from tests.support.insights_fixture import QUERY, SINCE, UNTIL, make_insights_fixture
from tests.support.live_server import LiveServer
from tests.web.accessibility import assert_accessible
from tests.web.conftest import sign_in

SCREENSHOTS = os.environ.get("OFFERWRIGHT_SCREENSHOTS")


def test_an_approver_reads_the_fixtures_figures_filters_them_and_downloads_the_csv(
    page: Watched, server: LiveServer
) -> None:
    make_insights_fixture(server.database)
    approver = server.user("approver", name="Alex Approver")
    browser = page.page
    sign_in(browser, server, approver)
    browser.get_by_role("navigation", name="Main").get_by_role("link", name="Insights").click()
    expect(browser.get_by_role("heading", name="Insights", level=1)).to_be_visible()

    browser.goto(f"{server.url}/insights/go-to-market?{urlencode(QUERY)}")
    headlines = browser.locator(".headlines")
    expect(headlines).to_contain_text("Win rate (2 of 3 decided)")
    expect(headlines).to_contain_text("66.67 %")
    expect(headlines).to_contain_text("15,000.00 EUR; 6,000.00 GBP")  # won, per currency
    expect(headlines).to_contain_text("6,000.00 EUR; 1,500.00 GBP")  # margin won
    times = browser.get_by_role("table", name="Time taken (days)")
    # a row's name: its cells' text (count, average, 90th percentile)
    expect(times.get_by_role("row", name="Creation → issue 4 1.94 days 4.00 days")).to_be_visible()
    expect(
        times.get_by_role("row", name="Issue → acceptance 2 12.50 days 15.00 days")
    ).to_be_visible()
    discounts = browser.get_by_role("table", name="Discounts given against the guardrail")
    expect(
        discounts.get_by_role("row", name="EUR · sales 4 5.00 % 15.00 % 10.00 % 1")
    ).to_be_visible()
    # The charts: drawn (laid out at a real size), each one labelled image.
    status_chart = browser.get_by_role("img", name="Proposals created per month, by status")
    expect(status_chart).to_be_visible()
    box = status_chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 150
    expect(browser.get_by_role("img", name="Average discount given vs the limit")).to_be_visible()
    assert_accessible(browser, "approver: /insights/go-to-market (the fixture)")
    if SCREENSHOTS:  # the form, the headlines and the first chart
        browser.set_viewport_size({"width": 1280, "height": 1180})
        browser.screenshot(path=str(Path(SCREENSHOTS) / "web-insights.png"), full_page=False)
        browser.set_viewport_size({"width": 1280, "height": 900})

    # The filters, through the form: the address keeps them, the figures follow.
    browser.get_by_label("Price book").select_option("GBP")
    browser.get_by_role("button", name="Show").click()
    browser.wait_for_url(re.compile(r"price_book=GBP"))
    assert "since=2026-01-01" in browser.url and "until=2026-03-31" in browser.url
    expect(browser.get_by_label("Price book")).to_have_value("GBP")
    expect(headlines).to_contain_text("Win rate (1 of 1 decided)")
    expect(headlines).not_to_contain_text("EUR")

    # The CSV: an attachment, exactly what the service writes.
    with browser.expect_download() as started:
        browser.get_by_role("link", name=re.compile("^Download CSV")).click()
    download = started.value
    assert download.suggested_filename == "insights-go-to-market-2026-01-01-2026-03-31.csv"
    with server.database.transaction(write=False) as session:
        expected = as_csv(go_to_market(session, Principal(approver.email, "approver"),
                                       Filters(SINCE, UNTIL, price_book="GBP")))  # fmt: skip
    assert Path(download.path()).read_bytes().decode("utf-8") == expected  # CRLF kept

    assert page.errors == [], page.errors  # nothing the policy blocked
    assert page.foreign_requests(server.url) == []
