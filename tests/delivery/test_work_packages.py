"""Work packages: an accepted proposal's lines, one per delivery centre's package, with the
delivery description of the exact version sold; each centre sees its own and nothing of
others."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.support.api import ok
from tests.support.factories import (
    accepted_proposal,
    activate,
    create_proposal,
    latest_etag,
    move_proposal,
    patch_component,
)
from tests.support.problems import assert_problem

CENTRE = "/v1/delivery-centres/{}/work-packages"


def packages(client: TestClient, auth: Any, centre: str, who: str = "admin") -> list[Any]:
    items: list[Any] = ok(client.get(CENTRE.format(centre), headers=auth(who)))["items"]
    return items


def test_nothing_is_delivered_before_the_customer_accepts(client: TestClient, auth: Any) -> None:
    proposal = create_proposal(client, auth)
    for to in ("submitted", "sent"):
        ok(move_proposal(client, auth, proposal, to))
    centres = {line["delivery_centre"] for line in proposal["lines"]}
    assert all(packages(client, auth, centre) == [] for centre in centres)


def test_each_line_becomes_a_package_of_its_centre_with_the_version_sold(
    client: TestClient, auth: Any, default_snapshot: Any
) -> None:
    proposal = accepted_proposal(client, auth)
    found = {}
    for centre in {line["delivery_centre"] for line in proposal["lines"]}:
        for package in packages(client, auth, centre):
            assert package["centre"] == centre
            found[package["component"]] = package
    assert set(found) == {line["component"] for line in proposal["lines"]}
    for line in proposal["lines"]:
        package = found[line["component"]]
        assert (package["quantity"], package["service_level"], package["version"]) == (
            line["quantity"], line["service_level"], line["version"])  # fmt: skip
        assert package["customer"]["name"] == "Acme Logistics GmbH"
        assert package["number"] == proposal["number"]
        sold = default_snapshot.component(line["component"]).documents.delivery_description
        assert package["description"] == sold.model_dump(mode="json")
        assert "monthly" not in package and "unit_price" not in package  # no prices


def test_a_centre_sees_its_own_packages_and_nothing_of_others(
    client: TestClient, auth: Any
) -> None:
    proposal = accepted_proposal(client, auth)
    centres = {line["delivery_centre"] for line in proposal["lines"]}
    assert "CZ-BRN" in centres  # the default delivery key's centre
    mine = packages(client, auth, "CZ-BRN", who="delivery")
    assert mine and all(package["centre"] == "CZ-BRN" for package in mine)
    other = next(iter(centres - {"CZ-BRN"}))
    assert_problem(client.get(CENTRE.format(other), headers=auth("delivery")), 404)
    theirs = packages(client, auth, other)[0]
    for path in (f"/v1/work-packages/{theirs['id']}", f"/v1/work-packages/{theirs['id']}/pdf"):
        assert_problem(client.get(path, headers=auth("delivery")), 404)
    auth.add("delivery-other", "delivery", centre=other)
    assert ok(client.get(f"/v1/work-packages/{theirs['id']}", headers=auth("delivery-other")))
    for role in ("sales", "approver", "portfolio"):
        assert_problem(client.get(CENTRE.format("CZ-BRN"), headers=auth(role)), 403)
        assert_problem(client.get(f"/v1/work-packages/{mine[0]['id']}", headers=auth(role)), 403)


def test_catalog_edits_after_the_sale_never_change_a_package(client: TestClient, auth: Any) -> None:
    accepted_proposal(client, auth)
    package = packages(client, auth, "CZ-BRN", who="delivery")[0]
    code = package["component"]
    headers = auth("portfolio")
    edited = {"documents": {"delivery_description": {"handover": "Rewritten after the sale."}}}
    changed = patch_component(client, headers, code, edited, latest_etag(client, headers, code))
    assert changed.status_code == 200, changed.text
    activate(client, auth, code=code, version=package["version"] + 1)
    again = ok(client.get(f"/v1/work-packages/{package['id']}", headers=auth("delivery")))
    assert again == package


def test_the_delivery_pack_pdf_holds_the_description_sold(
    client: TestClient, auth: Any, default_snapshot: Any
) -> None:
    accepted_proposal(client, auth)
    package = packages(client, auth, "CZ-BRN", who="delivery")[0]
    response = client.get(f"/v1/work-packages/{package['id']}/pdf", headers=auth("delivery"))
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert "Acme Logistics GmbH" in text and package["name"] in text
    first_step = package["description"]["provisioning_steps"][0]
    assert " ".join(first_step.replace("*", "").replace("`", "").split())[:50] in text
    assert "EUR" not in text  # a delivery pack carries no prices
