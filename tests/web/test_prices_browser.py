"""The issue's price-book walk in chromium: a curator downloads the EUR book's XLSX through
the page's link, changes one price with openpyxl, uploads it through the form, sees the
preview (one change), creates the draft, and finds the link to it; the draft holds the new
price and the active version the old one.

With OFFERWRIGHT_SCREENSHOTS=docs it saves docs/web-prices.png (the preview)."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import expect

from app.auth.principal import Principal
from app.portfolio.components import service
from tests.support.browser import Watched
from tests.support.live_server import LiveServer
from tests.web.conftest import sign_in
from tests.web.prices_steps import edited, upload

SCREENSHOTS = os.environ.get("OFFERWRIGHT_SCREENSHOTS")
TIERED = "CMP-VM-LNX"


def test_a_price_book_round_trips_through_xlsx_as_a_draft(
    page: Watched, server: LiveServer
) -> None:
    curator = server.user("portfolio", name="Pat Portfolio")
    browser = page.page
    sign_in(browser, server, curator, next_path="/price-books")
    browser.get_by_role("link", name="EUR").click()
    expect(browser.get_by_role("heading", level=1)).to_have_text("Price book EUR")

    with browser.expect_download() as downloading:
        browser.get_by_role("link", name="Download XLSX").click()
    download = downloading.value
    assert re.fullmatch(r"price-book-EUR-\d{4}-\d{2}-\d{2}\.xlsx", download.suggested_filename)
    exported = Path(download.path()).read_bytes()

    upload(browser, edited(exported, TIERED, "gold", 1, {"K": 171.5}), "EUR prices.xlsx")
    expect(browser.get_by_role("table", name="1 change to 1 component")).to_be_visible()
    row = browser.get_by_role("row", name=re.compile(TIERED))
    expect(row).to_contain_text("list monthly")
    expect(row).to_contain_text("165.00")
    expect(row).to_contain_text("171.50")
    if SCREENSHOTS:
        browser.screenshot(path=str(Path(SCREENSHOTS) / "web-prices.png"), full_page=False)

    browser.get_by_role("button", name="Create 1 draft version").click()
    expect(browser.get_by_role("status")).to_contain_text("Created 1 draft version")
    link = browser.get_by_role("link", name=re.compile(rf"{TIERED} version \d+"))
    href = link.get_attribute("href") or ""
    found = re.fullmatch(rf"/catalog/components/{TIERED}\?version=(\d+)", href)
    assert found is not None, href
    with server.database.transaction(write=False) as session:
        draft = service.version_component(session, TIERED, int(found.group(1)))
        active = service.get_component(session, Principal("check", "portfolio"), TIERED).body
    assert draft.status == "draft" and draft.author == curator.email
    assert draft.prices["EUR"].tiers.bands[0].monthly == Decimal("171.5")  # type: ignore[union-attr]
    assert active["prices"]["EUR"]["tiers"]["bands"][0]["monthly"] == "165.0"
    assert page.errors == []
