"""The delivery centre pages without JavaScript: a delivery user sees only their centre's
work packages and load (another centre's page or package is a 404, as in the API), a
package's delivery description rendered and its delivery pack; admins pick a centre; the
waiting proposal that would overbook the centre is named with where."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update

from app.auth.users import create_user
from app.documents import inline_html
from app.models import CatalogRecord
from tests.support.api import ok
from tests.support.database import RolledBackDatabase
from tests.support.factories import accepted_proposal, create_proposal, move_proposal
from tests.web.workspace_steps import PASSWORD, WebUser, web_user

PACKAGES = "/v1/delivery-centres/{}/work-packages"


def _packages(client: TestClient, auth: Any, centre: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(client.get(PACKAGES.format(centre), headers=auth("admin")))[
        "items"
    ]
    return items


def _other_centre(client: TestClient, auth: Any, proposal: dict[str, Any]) -> str:
    return next(iter({line["delivery_centre"] for line in proposal["lines"]} - {"CZ-BRN"}))


def _delivery_user_of(client: TestClient, database: RolledBackDatabase, centre: str) -> WebUser:
    email = f"delivery-{centre.lower()}@example.com"
    with database.transaction(write=True) as session:
        create_user(session, email=email, name=f"Delivery {centre}", role="delivery",
                    password=PASSWORD, centre=centre)  # fmt: skip
    return WebUser(client, database, "delivery", email)


def test_a_delivery_user_sees_only_their_centres_packages_and_load(
    client: TestClient, auth: Any, database: RolledBackDatabase
) -> None:
    proposal = accepted_proposal(client, auth)
    other = _other_centre(client, auth, proposal)
    mine, theirs = _packages(client, auth, "CZ-BRN"), _packages(client, auth, other)
    user = web_user(client, database, "delivery")  # of CZ-BRN

    home = user.client.get("/")
    assert 'href="/delivery/CZ-BRN"' in home.text and 'href="/delivery">Delivery<' in home.text
    assert user.client.get("/delivery").headers["location"] == "/delivery/CZ-BRN"
    page = user.client.get("/delivery/CZ-BRN")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Brno Infrastructure Operations Centre" in text and proposal["number"] in text
    assert "Acme Logistics GmbH" in text
    for package in mine:
        assert f'href="/delivery/work-packages/{package["id"]}"' in page.text
    for package in theirs:
        assert f'href="/delivery/work-packages/{package["id"]}"' not in page.text
    assert "36,000" in text and "All competencies" in text and "<meter" in page.text
    assert "Overbooked" not in re.sub(r"<caption>.*?</caption>", "", text)

    assert user.client.get(f"/delivery/{other}").status_code == 404
    assert user.client.get(f"/delivery/work-packages/{theirs[0]['id']}").status_code == 404
    pdf = f"/delivery/work-packages/{theirs[0]['id']}/pdf"
    assert user.client.get(pdf).status_code == 404


def test_a_package_page_shows_the_description_sold_and_its_delivery_pack(
    client: TestClient, auth: Any, database: RolledBackDatabase
) -> None:
    accepted_proposal(client, auth)
    package = _packages(client, auth, "CZ-BRN")[0]
    user = web_user(client, database, "delivery")
    page = user.client.get(f"/delivery/work-packages/{package['id']}")
    assert page.status_code == 200
    description = package["description"]
    for step in description["provisioning_steps"]:
        assert f"<li>{inline_html(step)}</li>" in page.text  # Markdown rendered, sanitised
    assert description["kpis"][0]["name"] in html.unescape(page.text)
    assert "<script" not in page.text.split("</head>")[1]
    link = f"/delivery/work-packages/{package['id']}/pdf"
    assert f'href="{link}"' in page.text
    pdf = user.client.get(link)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    api = client.get(f"/v1/work-packages/{package['id']}/pdf", headers=auth("delivery"))
    assert pdf.content == api.content  # the same delivery pack as the API's


def test_an_admin_picks_a_centre_and_other_roles_may_not(
    client: TestClient, auth: Any, database: RolledBackDatabase
) -> None:
    proposal = accepted_proposal(client, auth)
    other = _other_centre(client, auth, proposal)
    admin = web_user(client, database, "admin")
    picker = admin.client.get("/delivery")
    assert picker.status_code == 200
    assert 'href="/delivery/CZ-BRN"' in picker.text and f'href="/delivery/{other}"' in picker.text
    assert admin.client.get(f"/delivery/{other}").status_code == 200
    assert admin.client.get("/delivery/XX-NONE").status_code == 404
    seller = web_user(client, database, "sales")
    assert seller.client.get("/delivery").status_code == 403
    assert seller.client.get("/delivery/CZ-BRN").status_code == 403
    assert 'href="/delivery"' not in seller.client.get("/").text  # not in the navigation
    # a delivery user of the other centre sees that one, and not Brno's
    theirs = _delivery_user_of(client, database, other)
    assert theirs.client.get(f"/delivery/{other}").status_code == 200
    assert theirs.client.get("/delivery/CZ-BRN").status_code == 404


def test_a_bad_window_is_shown_next_to_its_field(
    client: TestClient, database: RolledBackDatabase
) -> None:
    user = web_user(client, database, "delivery")
    page = user.client.get("/delivery/CZ-BRN?since=2026-13&months=99")
    assert page.status_code == 422
    assert 'id="e-since"' in page.text and 'id="e-months"' in page.text
    assert 'role="alert"' in page.text
    chosen = user.client.get("/delivery/CZ-BRN?since=2027-01&months=2")
    assert chosen.status_code == 200
    assert "January 2027" in chosen.text and "February 2027" in chosen.text
    assert "March 2027" not in chosen.text


def test_the_proposal_that_would_overbook_is_named_with_where(
    client: TestClient, auth: Any, database: RolledBackDatabase
) -> None:
    accepted_proposal(client, auth)
    waiting = create_proposal(client, auth)
    for to in ("submitted", "sent"):
        ok(move_proposal(client, auth, waiting, to))
    first = ok(client.get("/v1/delivery-centres/CZ-BRN/load?months=1", headers=auth("admin")))
    hours = Decimal(first["months"][0]["hours"])
    with database.transaction(write=True) as session:
        record = session.get(CatalogRecord, ("delivery_centres", "CZ-BRN"))
        assert record is not None
        # below the accepted load: the month is overbooked already, and the waiting one adds
        capacity = int(hours) - 1
        session.execute(
            update(CatalogRecord)
            .where(CatalogRecord.kind == "delivery_centres", CatalogRecord.key == "CZ-BRN")
            .values(content={**record.content, "monthly_capacity_hours": capacity})
        )
    user = web_user(client, database, "delivery")
    page = html.unescape(user.client.get("/delivery/CZ-BRN?months=3").text)
    block = page.split('id="would-overbook"')[1].split("</div>")[0]
    assert f"{waiting['number']} for Acme Logistics GmbH" in block
    assert f"of {capacity:,} hours" in block and "adding" in block
    assert 'badge overbooked">Overbooked<' in page and "over capacity" in page
