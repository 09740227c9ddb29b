"""A delivery user sees only their centre's packages and load, in a real browser: two
proposals accepted by their customer through the share link put work packages at Brno and
at other centres; Brno's delivery user finds Brno's from the navigation, opens one (its
delivery description and pack), and another centre's package is not found.

With OFFERWRIGHT_SCREENSHOTS=<folder> it saves the centre's page as web-delivery.png
(``OFFERWRIGHT_SCREENSHOTS=docs .venv/bin/pytest tests/web/test_delivery_browser.py``)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.support.browser import Watched
from tests.support.live_server import LiveServer
from tests.support.share import ACCEPTANCE
from tests.web.conftest import sign_in
from tests.web.workspace_steps import proposal_body

SCREENSHOTS = os.environ.get("OFFERWRIGHT_SCREENSHOTS")


def _accepted_by_the_customer(server: LiveServer, customer: str) -> dict[str, Any]:
    """A proposal issued through the API, shared, and accepted on the customer's page."""
    headers = {"Authorization": f"Bearer {server.key('sales')}"}
    api = f"{server.url}/v1/proposals"
    made = httpx.post(api, json=proposal_body(customer, discount="5"), headers=headers,
                      timeout=60)  # fmt: skip
    made.raise_for_status()
    proposal: dict[str, Any] = made.json()
    etag = {"If-Match": made.headers["ETag"]}
    moved = httpx.post(f"{api}/{proposal['id']}/transition", json={"to": "submitted"},
                       headers=headers | etag, timeout=60)  # fmt: skip
    moved.raise_for_status()
    link = httpx.post(f"{api}/{proposal['id']}/share-link", headers=headers, timeout=60)
    link.raise_for_status()
    url = link.json()["url"]
    with httpx.Client(timeout=60) as customer_browser:
        page = customer_browser.get(url)
        token = re.search(r'id="accept-form".*?name="form_token" value="([^"]+)"', page.text,
                          re.S)  # fmt: skip
        assert token is not None, page.text
        fields = {**ACCEPTANCE, "form_token": token.group(1)}
        accepted = customer_browser.post(f"{url}/accept", data=fields)
        assert accepted.status_code < 400, accepted.text
    return proposal


def _packages(server: LiveServer, centre: str) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {server.key('admin')}"}
    answer = httpx.get(f"{server.url}/v1/delivery-centres/{centre}/work-packages",
                       headers=headers, timeout=60)  # fmt: skip
    answer.raise_for_status()
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def test_a_delivery_user_sees_only_their_centres_packages_and_load(
    page: Watched, server: LiveServer
) -> None:
    first = _accepted_by_the_customer(server, "Acme Logistics GmbH")
    second = _accepted_by_the_customer(server, "Globex Freight SE")
    centres = {line["delivery_centre"] for line in first["lines"] + second["lines"]}
    other = sorted(centres - {"CZ-BRN"})[0]
    mine, theirs = _packages(server, "CZ-BRN"), _packages(server, other)
    assert mine and theirs

    browser = page.page
    sign_in(browser, server, server.user("delivery", name="Dana Delivery"))  # of CZ-BRN
    browser.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Delivery", exact=True
    ).click()
    browser.wait_for_url(f"{server.url}/delivery/CZ-BRN")
    expect(browser.get_by_role("heading", level=1)).to_contain_text("Brno")
    packages = browser.get_by_role("table").filter(has_text="Component version")
    expect(packages.get_by_role("row")).to_have_count(len(mine) + 1)  # and the header
    for number in (first["number"], second["number"]):
        expect(packages).to_contain_text(number)
    for package in theirs:
        expect(browser.locator(f'a[href="/delivery/work-packages/{package["id"]}"]')).to_have_count(
            0
        )
    load = browser.get_by_role("table").filter(has_text="Utilisation")
    expect(load).to_contain_text("36,000")
    expect(load.get_by_role("rowheader").first).to_contain_text(re.compile(r"\w+ \d{4}"))
    if SCREENSHOTS:
        browser.screenshot(path=str(Path(SCREENSHOTS) / "web-delivery.png"), full_page=False)

    package = mine[0]
    packages.get_by_role("link", name=package["name"]).first.click()
    expect(browser.get_by_role("heading", level=1)).to_contain_text(package["name"])
    expect(browser.get_by_role("heading", name="Provisioning")).to_be_visible()
    link = browser.get_by_role("link", name="Delivery pack (PDF)")
    pdf = f"{server.url}{link.get_attribute('href')}"
    answer = browser.request.get(pdf)
    for _ in range(30):  # being prepared (202, Retry-After) until its job has rendered it
        if answer.status != 202:
            break
        assert "being prepared" in answer.text()
        time.sleep(float(answer.headers["retry-after"]))
        answer = browser.request.get(pdf)
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"

    shown = browser.goto(f"{server.url}/delivery/work-packages/{theirs[0]['id']}")
    assert shown is not None and shown.status == 404
    shown = browser.goto(f"{server.url}/delivery/{other}")
    assert shown is not None and shown.status == 404
    assert [e for e in page.errors if "status of 404" not in e] == []
