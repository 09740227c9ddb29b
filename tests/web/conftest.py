"""The web app's browser tests share one live server (a SQLite file with the default
catalog) per test module and the run's one browser; each test opens its own context, so no
cookie or session leaks from one test to the next."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from tests.support.live_server import LiveServer, Person, live_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("web")) as running:
        yield running


def sign_in(page: Page, server: LiveServer, person: Person, *, next_path: str = "/") -> None:
    """Through the sign-in form, as a person does; ends on ``next_path``."""
    page.goto(f"{server.url}/sign-in?next={next_path}")
    page.get_by_label("E-mail address").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}{next_path}")
