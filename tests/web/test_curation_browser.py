"""A portfolio manager curates in a real browser: a new draft from the active version, the
summary and the specification edited, the specification previewed live (htmx) as it is
typed and with the button, then saved.

With OFFERWRIGHT_SCREENSHOTS=<folder> it saves the edit page the README shows
(``OFFERWRIGHT_SCREENSHOTS=docs .venv/bin/pytest tests/web/test_curation_browser.py``)."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from app.models import ComponentVersion
from tests.support.browser import Watched
from tests.support.live_server import LiveServer
from tests.web.conftest import sign_in

SCREENSHOTS = os.environ.get("OFFERWRIGHT_SCREENSHOTS")
ACTIVE = "/catalog/components/CMP-VM-LNX/versions/1/edit"


def test_edit_a_draft_preview_its_document_and_save(page: Watched, server: LiveServer) -> None:
    editor = server.user("portfolio", name="Pat Portfolio")
    browser = page.page
    sign_in(browser, server, editor, next_path=ACTIVE)
    expect(browser.get_by_text("only a draft is edited")).to_be_visible()
    browser.get_by_role("button", name="Make a new draft from version 1").click()
    browser.wait_for_url(f"{server.url}/catalog/components/CMP-VM-LNX/versions/2/edit?drafted=new")
    expect(browser.get_by_role("status")).to_contain_text("Version 2 is a new draft")
    browser.get_by_label("Summary").fill("Hardened Linux VMs, now patched weekly.")
    spec = browser.get_by_label("Service specification", exact=True)
    spec.fill("## Managed Linux VM\n\nPatched **weekly**, in an agreed window.\n")
    # Previewed as it is typed (htmx posts the text; the server renders and sanitises it).
    live = browser.locator("#preview-doc_specification")
    expect(live.locator("strong")).to_have_text("weekly")
    # And with the button, as without JavaScript: the whole page, every document.
    browser.get_by_role("button", name="Preview documents").first.click()
    expect(browser.locator("#preview-doc_statement_of_work h2").first).to_have_text(
        "Provider responsibilities"
    )
    expect(live.locator("strong")).to_have_text("weekly")
    expect(browser.get_by_label("Summary")).to_have_value("Hardened Linux VMs, now patched weekly.")
    if SCREENSHOTS:
        browser.evaluate("() => document.getElementById('f-doc_specification')"
                         ".closest('fieldset').scrollIntoView()")  # fmt: skip
        browser.screenshot(path=str(Path(SCREENSHOTS) / "web-edit.png"), full_page=False)
    browser.get_by_role("button", name="Save draft").first.click()
    expect(browser.get_by_role("status")).to_have_text("Saved.")
    with server.database.transaction(write=False) as session:
        content = session.scalar(select(ComponentVersion.content).where(
            (ComponentVersion.code == "CMP-VM-LNX") & (ComponentVersion.version == 2)))  # fmt: skip
    assert content is not None
    assert content["summary"] == "Hardened Linux VMs, now patched weekly."
    assert "Patched **weekly**" in content["documents"]["specification"]
    assert page.errors == []
    assert page.foreign_requests(server.url) == []
