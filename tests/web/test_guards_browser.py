"""What the web app refuses, seen in a real browser (the TestClient tests check each
refusal in detail): a form whose CSRF token was tampered with, a session past its idle
timeout, another salesperson's proposal opened by its address, and a delivery user on a
selling page."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import update

from app.models import WebSession, utcnow
from tests.support.browser import Watched
from tests.support.live_server import LiveServer
from tests.web.conftest import sign_in
from tests.web.workspace_steps import create_proposal_for


def test_tampered_forms_idle_sessions_other_peoples_proposals_and_wrong_roles_are_refused(
    page: Watched, server: LiveServer
) -> None:
    browser = page.page
    seller, other = server.user("sales"), server.user("sales")
    theirs = create_proposal_for(server.url, server.database, server.key("sales"), other.email)
    sign_in(browser, server, seller, next_path="/configure")

    # A form posted with a token that is not its cookie's: refused, nothing changed.
    browser.locator('input[name="csrftoken"]').first.evaluate("input => input.value = 'forged'")
    browser.get_by_role("button", name="Sign out").click()
    expect(browser.get_by_role("heading", name="This form could not be accepted")).to_be_visible()
    browser.goto(f"{server.url}/")
    expect(browser.get_by_role("heading", name=f"Hello, {seller.name}")).to_be_visible()

    # Another salesperson's proposal, by its address: not found, as in the API.
    answer = browser.goto(f"{server.url}/proposals/{theirs['id']}")
    assert answer is not None and answer.status == 404
    expect(browser.get_by_text(theirs["number"])).to_have_count(0)

    # Idle past the timeout: the next page asks to sign in again, then leads back.
    with server.database.transaction(write=True) as session:
        session.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    browser.goto(f"{server.url}/proposals")
    ended = browser.get_by_text("Your session has ended. Sign in again to carry on.")
    expect(ended).to_be_visible()
    browser.get_by_label("E-mail address").fill(seller.email)
    browser.get_by_label("Password").fill(seller.password)
    browser.get_by_role("button", name="Sign in").click()
    browser.wait_for_url(f"{server.url}/proposals")
    browser.get_by_role("button", name="Sign out").click()

    # A delivery user: no selling link, and a selling page by its address is refused.
    sign_in(browser, server, server.user("delivery"))
    expect(browser.get_by_role("link", name="New configuration")).to_have_count(0)
    expect(browser.get_by_role("link", name="Proposals")).to_have_count(0)
    answer = browser.goto(f"{server.url}/configure")
    assert answer is not None and answer.status == 403
    expect(browser.get_by_text("The delivery role cannot open this page.")).to_be_visible()
    assert [error for error in page.errors if "403" not in error and "404" not in error] == []
