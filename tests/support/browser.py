"""One headless Chromium for the whole test run (a pytest plugin: tests/conftest.py names it),
driven by Playwright. Playwright's own browser download does not work here: the browser is
Debian's ``chromium`` package (or the one OFFERWRIGHT_CHROMIUM names). Without it a browser
test skips, except on CI (CI=true), where a skip would hide a failure: there it fails, saying
how to install it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright

CHROMIUM = Path(os.environ.get("OFFERWRIGHT_CHROMIUM", "/usr/bin/chromium"))
INSTALL = "apt-get install -y --no-install-recommends chromium"
# Headless, and nothing of Chromium's own talking to Google (updates, sync, safe browsing
# lists), so what a page requests is all that goes on the wire.
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last, in their order. Between its calls, Playwright's sync API
    leaves its event loop marked as running in the main thread, so while the browser is up
    no other test could call ``asyncio.run()`` (tests/served does): it starts with the first
    browser test, and no other test comes after."""
    items.sort(key=lambda item: "browser" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"browser tests need Chromium at {CHROMIUM}: {INSTALL}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@dataclass
class Watched:
    """A page, and what it did: every request it made and every console error (a request
    the Content-Security-Policy blocked is reported there too)."""

    page: Page
    requests: list[Request] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign_requests(self, origin: str) -> list[str]:
        """The URLs requested from anywhere but ``origin`` (a blob: URL made by the page
        counts as its own; a data: URL goes nowhere)."""
        return [
            request.url
            for request in self.requests
            if not request.url.startswith("data:")
            and _origin(request.url.removeprefix("blob:")) != origin
        ]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def page(browser: Browser) -> Iterator[Watched]:
    """A fresh page in a context of its own (no cookies or storage from another test)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watched = Watched(context.new_page())

    def request(sent: Request) -> None:
        watched.requests.append(sent)

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watched.errors.append(message.text)

    context.on("request", request)  # its workers' requests too
    watched.page.on("console", console)
    yield watched
    context.close()
