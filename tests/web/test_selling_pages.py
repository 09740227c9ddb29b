"""Guided selling through TestClient: the needs form's checks next to their fields, adding
a need without JavaScript, the options screen's clicks and repairs as links, good/better/
best, creating the proposal (303 to its page), and the role check."""

from __future__ import annotations

import re
import time
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from app.auth.principal import Principal
from app.auth.users import create_user
from app.cli import DEMO_REQUEST
from app.configurator.request import Limits
from app.kit.settings import Settings
from app.portfolio.catalog.active import ActiveCatalog
from app.proposals import ProposalServices, create_proposal, read_proposal
from app.quoting.solver_pool import InlineSolver
from app.web.selling import views
from tests.support.database import RolledBackDatabase

PASSWORD = "correct horse battery staple"
DEMO = views.query(views.needs_of(DEMO_REQUEST))
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ADMIN = Principal("admin-reader", "admin")  # reads every proposal


def _token(html: str) -> str:
    found = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def signed_in(client: TestClient, database: RolledBackDatabase, role: str) -> str:
    email = f"{role}-selling@example.com"
    with database.transaction(write=True) as session:
        create_user(session, email=email, name=f"{role} person", role=role, password=PASSWORD,
                    centre="CZ-BRN" if role == "delivery" else None)  # fmt: skip
    token = _token(client.get("/sign-in").text)
    answer = client.post("/sign-in", data={"email": email, "password": PASSWORD, "next": "/",
                                           "csrftoken": token}, follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303, answer.text
    return _token(client.get("/").text)


# The foundation's 403 page (app/web/errors.py, not this area's) renders error.html without
# its `retry`, a 500 under StrictUndefined: strict, so the fix there turns this red to remove.
@pytest.mark.parametrize("role", ["delivery", "approver"])
def test_roles_that_do_not_sell_get_403(
    client: TestClient, database: RolledBackDatabase, role: str
) -> None:
    signed_in(client, database, role)
    assert client.get("/configure").status_code == 403
    assert client.get(f"/configure/options?{DEMO}").status_code == 403


def test_needs_form_lists_capabilities_with_units_and_adds_a_need_without_js(
    client: TestClient, database: RolledBackDatabase
) -> None:
    token = signed_in(client, database, "sales")
    page = client.get("/configure")
    assert page.status_code == 200
    assert "Linux" in page.text and "(in server)" in page.text
    assert page.text.count('name="needs-') == 3  # one blank row: capability, quantity, variant
    more = client.post("/configure", data={"csrftoken": token, "add_need": "1",
                                           "needs-0-capability": "compute.linux",
                                           "needs-0-quantity": "4"})  # fmt: skip
    assert more.status_code == 200
    assert 'name="needs-1-capability"' in more.text
    assert 'value="compute.linux" selected' in more.text


def test_problems_are_shown_next_to_their_fields(
    client: TestClient, database: RolledBackDatabase
) -> None:
    token = signed_in(client, database, "sales")
    answer = client.post("/configure", data={
        "csrftoken": token, "price_book": "EUR", "term_months": "36",
        "needs-0-capability": "compute.linux", "needs-0-quantity": "0",
        "needs-1-capability": "no.such", "needs-1-quantity": "3", "min_availability": "120",
    })  # fmt: skip
    assert answer.status_code == 422
    assert 'id="e-needs-0-quantity"' in answer.text
    assert 'id="e-min_availability"' in answer.text
    # the configurator's own check names the unknown capability, on its row
    fixed = client.post("/configure", data={
        "csrftoken": token, "price_book": "EUR", "term_months": "36",
        "needs-0-capability": "no.such", "needs-0-quantity": "3",
    })  # fmt: skip
    assert fixed.status_code == 422
    assert 'id="e-needs-0-capability"' in fixed.text


def test_a_valid_post_redirects_to_the_options_and_clicks_change_states(
    client: TestClient, database: RolledBackDatabase
) -> None:
    token = signed_in(client, database, "sales")
    form = {"csrftoken": token, **dict(views.needs_of(DEMO_REQUEST).pairs())}
    answer = client.post("/configure", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/configure/options?")
    page = client.get(answer.headers["location"])
    assert page.status_code == 200
    assert "Forced" in page.text and "required by SD-L1-247" in page.text
    # include SD-L1-247: the other service desk becomes impossible, with its reason
    chosen = client.get(f"/configure/options?{DEMO}&chosen=SD-L1-247")
    row = re.search(r'<tr id="c-SD-L1-BUS".*?</tr>', chosen.text, re.S)
    assert row and "Impossible" in row.group(0)
    # htmx asks for the region alone
    fragment = client.get(f"/configure/options?{DEMO}&chosen=SD-L1-247",
                          headers={"HX-Request": "true", "HX-Target": "components"})  # fmt: skip
    assert fragment.text.lstrip().startswith('<section id="components"')


def test_clicks_that_cannot_hold_show_the_conflict_and_one_click_repairs(
    client: TestClient, database: RolledBackDatabase
) -> None:
    signed_in(client, database, "sales")
    page = client.get(f"/configure/options?{DEMO}&rejected=SD-L1-247&rejected=SD-L1-BUS")
    assert "cannot all hold" in page.text
    repairs = re.findall(r'<a class="button" href="([^"]+)"[^>]*>Repair: ', page.text)
    assert repairs
    fixed = client.get(repairs[0].replace("&amp;", "&"))
    assert "cannot all hold" not in fixed.text


def _compare_page(html: str) -> list[dict[str, Any]]:
    """Each bundle the compare page shows: its name, monthly total and Choose link."""
    shown = []
    for section in re.findall(r'<section class="card bundle".*?</section>', html, re.S):
        name = re.search(r"<h2[^>]*>([^<]+)</h2>", section)
        monthly = re.search(r'<dt>Monthly</dt><dd class="num">([0-9,.]+) EUR</dd>', section)
        href = re.search(r'<a class="button primary" href="([^"]+)">Choose ', section)
        assert name and monthly and href, section
        shown.append({"name": name.group(1), "monthly": Decimal(monthly.group(1).replace(",", "")),
                      "href": href.group(1).replace("&amp;", "&")})  # fmt: skip
    return shown


def _services(database: RolledBackDatabase) -> ProposalServices:
    return ProposalServices(database, ActiveCatalog(), InlineSolver(), Limits(), Settings())


def test_compare_shows_the_ladder_a_proposal_offers(
    client: TestClient, database: RolledBackDatabase
) -> None:
    signed_in(client, database, "sales")
    page = client.get(f"/configure/compare?{DEMO}")
    assert page.status_code == 200
    assert "Contract value (36 months)" in page.text
    assert "covers need compute.linux" in page.text
    shown = _compare_page(page.text)
    body = {"customer": {"name": "Ladder AG", "country": "DE"},
            "request": DEMO_REQUEST | {"alternatives": 3}}  # fmt: skip
    with database.transaction(write=False) as session:
        answer = create_proposal(_services(database), session, ADMIN, body, None)
    options = answer.body["options"]
    assert len(options) == len(shown) == 3, "the demo request reaches good, better and best"
    assert [item["name"] for item in shown] == [option["name"] for option in options]
    assert [item["monthly"] for item in shown] == [
        Decimal(option["totals"]["monthly"]) for option in options
    ]
    # a ladder: each more available than the one before
    assert len({option["availability"] for option in options}) == len(options)


def test_choosing_better_and_offering_only_it_creates_that_bundle(
    client: TestClient, database: RolledBackDatabase
) -> None:
    token = signed_in(client, database, "sales")
    better = _compare_page(client.get(f"/configure/compare?{DEMO}").text)[1]
    assert better["name"] == "Better"
    form = client.get(better["href"])
    assert form.status_code == 200
    assert "Create the proposal (Better)" in form.text
    assert 'value="only" checked' in form.text and "Offer only Better" in form.text
    assert "Let the customer choose between Good, Better and Best" in form.text
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.text)
    pairs = [(name, value.replace("&amp;", "&")) for name, value in hidden
             if name != "csrftoken"]  # fmt: skip
    assert ("rungs", "3") in pairs and ("option", "1") in pairs
    customer = [("customer-name", "Acme"), ("customer-country", "de")]
    created = []
    for offer in ("only", "all"):
        sent = urlencode([("csrftoken", token), *pairs, *customer, ("offer", offer)])
        answer = client.post("/configure/proposal", content=sent, headers=FORM,
                             follow_redirects=False)  # fmt: skip
        assert answer.status_code == 303, answer.text
        found = re.fullmatch(r"/proposals/(\d+)", answer.headers["location"])
        assert found
        with database.transaction(write=False) as session:
            created.append(read_proposal(session, ADMIN, int(found.group(1))))
    only, every = created
    assert Decimal(only["totals"]["monthly"]) == better["monthly"]
    assert only["options"] == [] or len(only["options"]) == 1
    assert [option["name"] for option in every["options"]] == ["Good", "Better", "Best"]
    assert Decimal(every["options"][1]["totals"]["monthly"]) == better["monthly"]


def test_compare_labels_bundles_and_creates_with_custom_lines(
    client: TestClient, database: RolledBackDatabase
) -> None:
    token = signed_in(client, database, "sales")
    page = client.get(f"/configure/compare?{DEMO}")
    for label in ("Good", "Better", "Best"):
        assert f">{label}</h2>" in page.text
    form = {"csrftoken": token, **dict(views.needs_of(DEMO_REQUEST).pairs()), "option": "1",
            "customer-name": "Acme", "customer-country": "de", "discount_percent": "2",
            "custom-0-description": "Onboarding workshop", "custom-0-one_time": "1500"}  # fmt: skip
    pairs = list(form.items())
    answer = client.post("/configure/proposal", content=urlencode(pairs), headers={
        "Content-Type": "application/x-www-form-urlencoded"}, follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303, answer.text
    assert re.fullmatch(r"/proposals/\d+", answer.headers["location"])


def test_create_form_shows_problems_next_to_fields(
    client: TestClient, database: RolledBackDatabase
) -> None:
    token = signed_in(client, database, "sales")
    pairs = [("csrftoken", token), *views.needs_of(DEMO_REQUEST).pairs(), ("option", "0"),
             ("customer-name", ""), ("customer-country", "Germany"),
             ("custom-0-description", "Workshop"), ("custom-0-monthly", "-5")]  # fmt: skip
    answer = client.post("/configure/proposal", content=urlencode(pairs), headers={
        "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert answer.status_code == 422
    assert 'id="e-customer-name"' in answer.text
    assert 'id="e-customer-country"' in answer.text
    assert 'id="e-custom-0-monthly"' in answer.text


def test_server_times(client: TestClient, database: RolledBackDatabase) -> None:
    """Not a limit (the machine is shared): the figures the report quotes, printed."""
    signed_in(client, database, "sales")
    for path in ("/configure", f"/configure/options?{DEMO}&chosen=SD-L1-247"):
        client.get(path)
        times = []
        for _ in range(20):
            start = time.perf_counter()
            assert client.get(path).status_code == 200
            times.append(time.perf_counter() - start)
        print(f"{path[:30]}: p50 {sorted(times)[10] * 1000:.1f} ms")
