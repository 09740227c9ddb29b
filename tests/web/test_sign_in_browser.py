"""Signing in and out in a real browser: the form, the session cookie's attributes, the
way back to the page asked for, and signing out ending the session."""

from __future__ import annotations

from tests.support.browser import Watched
from tests.support.live_server import LiveServer
from tests.web.conftest import sign_in


def test_a_page_asks_for_sign_in_then_opens_and_sign_out_ends_the_session(
    page: Watched, server: LiveServer
) -> None:
    seller = server.user("sales", name="Sam Seller")
    page.page.goto(f"{server.url}/")
    assert "/sign-in?next=%2F" in page.page.url
    sign_in(page.page, server, seller)
    assert page.page.get_by_role("heading", name="Hello, Sam Seller").is_visible()
    cookie = next(c for c in page.page.context.cookies() if c["name"] == "ow_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.page.get_by_role("button", name="Sign out").click()
    page.page.wait_for_url("**/sign-in?signed_out=1")
    # The old cookie, put back by hand, names an ended session: it opens nothing.
    page.page.context.add_cookies([cookie])
    page.page.goto(f"{server.url}/")
    assert "/sign-in" in page.page.url
    assert page.errors == []
