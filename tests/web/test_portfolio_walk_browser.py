"""The portfolio's walk in a real browser, each person signed in through the form: the
portfolio manager finds a component an open proposal sells, makes a new draft, edits its
summary and specification (previewed live as typed, and with the button), saves, sees the
diff against the active version and submits it; an approver assures it from the queue
(four eyes: another person); the portfolio manager sees where the active version is used
(the open proposal, the prices against it) and activates the new one.

With OFFERWRIGHT_SCREENSHOTS=<folder> it saves the screenshots the README shows
(``OFFERWRIGHT_SCREENSHOTS=docs .venv/bin/pytest tests/web/test_portfolio_walk_browser.py``)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.models import ComponentHead
from tests.support.assured import with_combinations
from tests.support.browser import Watched
from tests.support.live_server import LiveServer
from tests.web.conftest import sign_in
from tests.web.workspace_steps import create_proposal_for

SCREENSHOTS = os.environ.get("OFFERWRIGHT_SCREENSHOTS")
SOLD = "CMP-KVM-NODE"  # the demo request's proposal sells its version 1
SUMMARY = "A compute host in our OpenStack/KVM private cloud, now patched weekly."
LIFECYCLE = f"/catalog/components/{SOLD}/versions/2/lifecycle"


def _shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"web-{name}.png"), full_page=False)


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in"))


def _find_and_draft(page: Page) -> None:
    page.get_by_role("link", name="Catalog", exact=True).first.click()
    page.get_by_label("Search", exact=True).fill("kvm")
    page.get_by_label("Layer").select_option("infrastructure")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/catalog\?q=kvm&family=&layer=infrastructure"))
    page.get_by_role("table").get_by_role("link", name=SOLD, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("OpenStack/KVM compute host")
    expect(page.get_by_role("heading", name="Cost per unit (confidential)")).to_be_visible()
    _shot(page, "catalog")
    page.get_by_role("button", name="New draft from version 1").click()
    page.wait_for_url(re.compile(rf"/catalog/components/{SOLD}/versions/2/edit"))
    expect(page.get_by_role("status")).to_contain_text("Version 2 is a new draft")


def _edit_and_save(page: Page) -> None:
    page.get_by_label("Summary").fill(SUMMARY)
    specification = page.get_by_label("Service specification", exact=True)
    specification.fill("## Managed KVM host\n\nPatched **weekly**, in an agreed window.\n")
    # Previewed as it is typed (htmx posts the text; the server renders and sanitises it).
    live = page.locator("#preview-doc_specification")
    expect(live.locator("strong")).to_have_text("weekly")
    # And with the button, as without JavaScript: the whole page, every document.
    page.get_by_role("button", name="Preview documents").first.click()
    expect(page.locator("#preview-doc_statement_of_work h2").first).to_have_text(
        "Provider responsibilities"
    )
    expect(page.get_by_label("Summary")).to_have_value(SUMMARY)  # the edits kept
    if SCREENSHOTS:
        page.evaluate("() => document.getElementById('f-doc_specification')"
                      ".closest('fieldset').scrollIntoView()")  # fmt: skip
    _shot(page, "edit")
    page.get_by_role("button", name="Save draft").first.click()
    expect(page.get_by_role("status")).to_have_text("Saved.")


def _diff_and_submit(page: Page) -> None:
    page.get_by_role("link", name="Compare with active version 1").click()
    page.wait_for_url(re.compile(r"/diff\?from=1&to=2"))
    expect(page.locator("table.field-diff").get_by_role("row", name=re.compile("summary"))
           ).to_contain_text("now patched weekly")  # fmt: skip
    added = page.locator("table.line-diff").first.get_by_role("row", name=re.compile("Added"))
    expect(added.filter(has_text="Patched **weekly**")).to_have_count(1)
    _shot(page, "diff")
    page.goto(page.url.split("/catalog/")[0] + LIFECYCLE)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status").first).to_contain_text("Moved to in review.")
    # Four eyes: its author is never offered the assurance.
    expect(page.get_by_role("button", name="Assure")).to_have_count(0)


def _assure_from_the_queue(page: Page, author: str) -> None:
    page.get_by_role("link", name="Assurance", exact=True).first.click()
    item = page.locator("article.queue-item", has_text=f"{SOLD} version 2")
    expect(item).to_contain_text(f"by {author}")
    item.get_by_role("button", name=f"Assure {SOLD} version 2").click()
    expect(page.get_by_role("status").first).to_contain_text(f"{SOLD} version 2")
    expect(page.locator("article.queue-item", has_text=f"{SOLD} version 2")).to_have_count(0)


def _activate_having_seen_the_impact(page: Page, number: str) -> None:
    impact = page.get_by_role("region", name="Against the active version 1")
    expect(impact).to_contain_text("The list prices are the same as version 1's")
    expect(impact).to_contain_text(number)  # the open proposal on version 1
    expect(impact).to_contain_text("Acme Logistics GmbH")
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("status").first).to_contain_text("Moved to active.")


def test_draft_diff_submit_assure_then_activate_having_seen_the_impact(
    page: Watched, server: LiveServer
) -> None:
    seller = server.user("sales")
    curator = server.user("portfolio", name="Pat Portfolio")
    approver = server.user("approver", name="Avery Approver")
    proposal = create_proposal_for(server.url, server.database, server.key("sales"), seller.email)
    # The shipped assured combinations out of the way: the gate is tested on its own, and
    # this walk is about the people's steps.
    with_combinations(server.database)  # type: ignore[arg-type]
    browser = page.page

    sign_in(browser, server, curator)
    _find_and_draft(browser)
    _edit_and_save(browser)
    _diff_and_submit(browser)
    _sign_out(browser)

    sign_in(browser, server, approver)
    _assure_from_the_queue(browser, curator.email)
    _sign_out(browser)

    sign_in(browser, server, curator, next_path=LIFECYCLE)
    _activate_having_seen_the_impact(browser, proposal["number"])
    with server.database.transaction(write=False) as session:
        head = session.scalar(select(ComponentHead).where(ComponentHead.code == SOLD))
    assert head is not None and head.active_version == 2
    assert page.errors == []
    assert page.foreign_requests(server.url) == []
