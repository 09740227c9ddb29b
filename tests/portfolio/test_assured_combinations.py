"""The assured combinations' registry (/v1/assurance/combinations): portfolio writes them
(conditional merge patches, checked against the whole catalog, audited), everyone reads
them, and the catalog around them cannot lose what they name; a catalog import carries them
in and an export writes them out unchanged."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from app.portfolio.catalog.store import working_snapshot
from catalog.exporter import export_files
from tests.support.api import Auth, Keys, etag_of, merge_patch, ok
from tests.support.factories import copied_component, default_catalog_json
from tests.support.problems import assert_problem, error_fields

# One application and one set of keys for the module; each test is rolled back.
pytestmark = pytest.mark.shared_app

PATH = "/v1/assurance/combinations"
KEY = "test.linux-vms"
ONE = f"{PATH}/{KEY}"
COMBINATION: dict[str, Any] = {
    "id": KEY,
    "name": "Two managed Linux VMs in the EU",
    "owner": "Compute portfolio",
    "request": {
        "price_book": "EUR",
        "term_months": 12,
        "needs": [
            {"capability": "compute.linux", "quantity": 2, "attributes": {"platform": "virtual"}}
        ],
        "residency": ["EU"],
    },
    "expect": {
        "includes": ["CMP-VM-LNX"],
        "service_levels": {"CMP-VM-LNX": "gold"},
        "monthly": {"max": "5000"},
    },
}


def create(client: TestClient, auth: Auth, body: dict[str, Any] = COMBINATION) -> Response:
    return client.post(PATH, json=body, headers=auth("portfolio"))


def audit_of(client: TestClient, auth: Auth, key: str) -> list[dict[str, Any]]:
    params = {"entity_kind": "assurances", "entity_key": key, "limit": 200}
    page = ok(client.get("/v1/audit", headers=auth("admin"), params=params))
    return page["items"]  # type: ignore[no-any-return]


# -- writing and reading ------------------------------------------------------------------------


def test_create_read_list_edit_and_delete(client: TestClient, auth: Auth) -> None:
    portfolio = auth("portfolio")
    created = create(client, auth)
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == ONE
    body = created.json()
    assert body["id"] == KEY
    # The record as stored: defaults filled in, amounts as decimal strings.
    assert body["request"]["objective"] == "min_price"
    assert body["expect"]["outcome"] == "valid"
    assert body["expect"]["monthly"] == {"min": None, "max": "5000"}
    etag = created.headers["ETag"]
    assert etag == etag_of(client, portfolio, ONE)
    for reader in ("sales", "approver", "delivery", "admin"):
        assert ok(client.get(ONE, headers=auth(reader))) == body
        listed = ok(client.get(PATH, headers=auth(reader), params={"limit": 200}))
        assert body in listed["items"]

    change = {"owner": "Platform team", "expect": {"monthly": {"max": "4500.50"}}}
    assert_problem(merge_patch(client, portfolio, ONE, change, None), 428, "precondition-required")
    assert_problem(merge_patch(client, portfolio, ONE, change, '"stale"'), 412)
    changed = merge_patch(client, portfolio, ONE, change, etag)
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert after["owner"] == "Platform team"
    # A merge patch: the band's ceiling changed, the rest of the expectation kept.
    assert after["expect"] == {**body["expect"], "monthly": {"min": None, "max": "4500.50"}}
    assert after["request"] == body["request"]
    assert changed.headers["ETag"] != etag
    assert_problem(merge_patch(client, portfolio, ONE, change, etag), 412, "precondition-failed")

    # null removes a field: the expectation's band is gone.
    removed = merge_patch(
        client, portfolio, ONE, {"expect": {"monthly": None}}, changed.headers["ETag"]
    )
    assert removed.status_code == 200, removed.text
    assert removed.json()["expect"]["monthly"] is None

    assert_problem(client.delete(ONE, headers=portfolio), 428, "precondition-required")
    assert_problem(client.delete(ONE, headers={**portfolio, "If-Match": etag}), 412)
    deleted = client.delete(ONE, headers={**portfolio, "If-Match": removed.headers["ETag"]})
    assert deleted.status_code == 204, deleted.text
    assert_problem(client.get(ONE, headers=portfolio), 404, "not-found")


def test_an_existing_id_is_409_and_the_id_cannot_change(client: TestClient, auth: Auth) -> None:
    ok(create(client, auth), 201)
    assert_problem(create(client, auth), 409, "conflict")
    renamed = merge_patch(client, auth("portfolio"), ONE, {"id": "other"}, "*")
    problem = assert_problem(renamed, 422, "read-only-field")
    assert error_fields(problem) == ["id"]


@pytest.mark.parametrize("who", ["sales", "approver", "delivery"])
def test_only_portfolio_and_admin_write(client: TestClient, auth: Auth, who: str) -> None:
    assert_problem(client.post(PATH, json=COMBINATION, headers=auth(who)), 403, "forbidden")
    ok(client.post(PATH, json=COMBINATION, headers=auth("admin")), 201)
    patched = merge_patch(client, auth(who), ONE, {"owner": "Someone else"}, "*")
    assert_problem(patched, 403, "forbidden")
    assert_problem(client.delete(ONE, headers={**auth(who), "If-Match": "*"}), 403, "forbidden")
    assert ok(client.get(ONE, headers=auth(who)))["owner"] == COMBINATION["owner"]


def test_every_write_is_audited(client: TestClient, auth: Auth) -> None:
    created = create(client, auth)
    assert created.status_code == 201, created.text
    changed = merge_patch(
        client, auth("portfolio-2"), ONE, {"description": "Reviewed."}, created.headers["ETag"]
    )
    assert changed.status_code == 200, changed.text
    deleted = client.delete(ONE, headers={**auth("admin"), "If-Match": changed.headers["ETag"]})
    assert deleted.status_code == 204, deleted.text
    entries = audit_of(client, auth, KEY)
    assert [(e["action"], e["actor"], e["role"]) for e in entries] == [
        ("record.delete", "admin", "admin"),
        ("record.update", "portfolio-2", "portfolio"),
        ("record.create", "portfolio", "portfolio"),
    ]
    removal, update, creation = entries
    assert (creation["before"], creation["after"]) == (None, created.json())
    assert (update["before"], update["after"]) == (created.json(), changed.json())
    assert (removal["before"], removal["after"]) == (changed.json(), None)


# -- what is refused ----------------------------------------------------------------------------


def test_an_invalid_record_is_422_with_every_field_path(client: TestClient, auth: Auth) -> None:
    body = {
        "id": "test.bad",
        "request": {
            "term_months": 121,
            "needs": [{"capability": "compute.linux", "quantity": 0}],
            "colour": "blue",
        },
        "expect": {"outcome": "maybe"},
    }
    problem = assert_problem(create(client, auth, body), 422, "validation-error")
    assert sorted(error_fields(problem)) == [
        "expect.outcome",
        "name",
        "owner",
        "request.colour",
        "request.needs[0].quantity",
        "request.price_book",
        "request.term_months",
    ]
    assert audit_of(client, auth, "test.bad") == []


def test_an_expectation_at_odds_with_itself_is_422(client: TestClient, auth: Auth) -> None:
    body = {**COMBINATION, "expect": {"outcome": "invalid", "includes": ["CMP-VM-LNX"]}}
    problem = assert_problem(create(client, auth, body), 422, "validation-error")
    assert [(e["field"], e["message"]) for e in problem["errors"]] == [
        (
            "expect",
            "an invalid request has no bundle to check includes against: expect outcome "
            "valid, or leave them out",
        )
    ]


def test_a_combination_naming_what_the_catalog_lacks_is_refused(
    client: TestClient, auth: Auth
) -> None:
    body = {
        **COMBINATION,
        "request": {
            **COMBINATION["request"],
            "price_book": "CHF",
            "needs": [
                {"capability": "compute.linux", "quantity": 2, "attributes": {"platform": "moon"}}
            ],
            "residency": ["MARS"],
        },
        "expect": {**COMBINATION["expect"], "service_levels": {"CMP-VM-LNX": "platinum"}},
    }
    problem = assert_problem(create(client, auth, body), 422, "validation-error")
    assert "inconsistent" in problem["detail"]
    assert {error["record"] for error in problem["errors"]} == {f"assurances/{KEY}"}
    assert [(e["field"], e["message"]) for e in problem["errors"]] == [
        ("request.price_book", "unknown price book 'CHF'"),
        (
            "request.needs[0].attributes.platform",
            "no provider of 'compute.linux' has platform 'moon' (only physical, virtual)",
        ),
        (
            "expect.service_levels.CMP-VM-LNX",
            "CMP-VM-LNX has no service level 'platinum' (it has bronze, silver, gold)",
        ),
        ("request.residency[0]", "no delivery centre is in region 'MARS'"),
    ]
    assert_problem(client.get(ONE, headers=auth("portfolio")), 404)
    assert audit_of(client, auth, KEY) == []


def test_an_edit_that_breaks_a_combination_leaves_it_as_it_was(
    client: TestClient, auth: Auth
) -> None:
    created = ok(create(client, auth), 201)
    etag = etag_of(client, auth("portfolio"), ONE)
    broken = merge_patch(
        client, auth("portfolio"), ONE, {"request": {"exclude": ["CMP-VM-LNX"]}}, etag
    )
    problem = assert_problem(broken, 422, "validation-error")
    assert [(e["field"], e["message"]) for e in problem["errors"]] == [
        ("expect.includes[0]", "the request excludes CMP-VM-LNX: it can never be in the bundle"),
        (
            "expect.service_levels.CMP-VM-LNX",
            "the request excludes CMP-VM-LNX: it can never be in the bundle",
        ),
    ]
    assert ok(client.get(ONE, headers=auth("portfolio"))) == created
    assert etag_of(client, auth("portfolio"), ONE) == etag


# Records of the test's own, so that no other combination names them.
CHF_BOOK = {
    "code": "CHF",
    "name": "Swiss franc list prices",
    "currency": "CHF",
    "fx_rates": {"CHF": 1, "EUR": 1, "CZK": "0.04", "PLN": "0.2", "INR": "0.01", "GBP": "1.1",
                 "USD": "0.9"},
}  # fmt: skip
OFFERING = {
    "code": "OFF-TEST",
    "name": "Test offering",
    "description": "Linux VMs.",
    "capabilities": ["compute.linux"],
    "default_components": ["CMP-VM-LNX"],
}
CENTRE = {
    "code": "XX-TST",
    "name": "Test centre",
    "country": "BR",
    "region": "LATAM",  # the only centre there
    "cost_currency": "EUR",
    "competencies": ["virtualisation"],
    "labour_rates": {"vmware-engineer": 90},
    "monthly_capacity_hours": 100,
}
COPY = "CMP-VM-LNX-COPY"
BRONZE_ONLY = [{"name": "bronze", "availability": "99.5", "response_minutes": 240,
                "restore_hours": 24, "price_factor": 1, "cost_factor": 1}]  # fmt: skip
OWN_RECORDS = [
    ("/v1/price-books", CHF_BOOK),
    ("/v1/offerings", OFFERING),
    ("/v1/delivery-centres", CENTRE),
    ("/v1/components", copied_component()),
]

# What a combination names, deleted or changed under it: (description, the combination's
# request and expectation changes, method, path, merge patch, the fields the refusal names).
REMOVALS = [
    ("price book", {"price_book": "CHF"}, {}, "DELETE", "/v1/price-books/CHF", None,
     ["request.price_book"]),
    ("offering", {"offering": "OFF-TEST"}, {}, "DELETE", "/v1/offerings/OFF-TEST", None,
     ["request.offering"]),
    ("the only centre of a region", {"residency": ["LATAM"]}, {"centres": ["XX-TST"]}, "DELETE",
     "/v1/delivery-centres/XX-TST", None, ["expect.centres[0]", "request.residency[0]"]),
    ("a component's service level", {}, {"service_levels": {COPY: "gold"}}, "PATCH",
     f"/v1/components/{COPY}", {"service_levels": BRONZE_ONLY}, [f"expect.service_levels.{COPY}"]),
    # Its providers hold on to a capability too: the combination is named among them.
    ("capability", {}, {}, "DELETE", "/v1/capabilities/compute.linux", None,
     ["request.needs[0].capability"]),
]  # fmt: skip


def _own_records(client: TestClient, auth: Auth) -> None:
    for path, body in OWN_RECORDS:
        ok(client.post(path, json=body, headers=auth("admin")), 201)


def _remove(
    client: TestClient, auth: Auth, method: str, path: str, body: dict[str, Any] | None
) -> Response:
    headers = auth("portfolio")
    if method == "DELETE":
        return client.delete(path, headers={**headers, "If-Match": etag_of(client, headers, path)})
    return merge_patch(client, headers, path, body, etag_of(client, headers, path))


@pytest.mark.parametrize(
    ("request_changes", "expect_changes", "method", "path", "body", "fields"),
    [case[1:] for case in REMOVALS],
    ids=[case[0] for case in REMOVALS],
)
def test_what_a_combination_names_cannot_be_taken_from_under_it(
    client: TestClient,
    auth: Auth,
    request_changes: dict[str, Any],
    expect_changes: dict[str, Any],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    fields: list[str],
) -> None:
    _own_records(client, auth)
    combination = {
        **COMBINATION,
        "request": {**COMBINATION["request"], **request_changes},
        "expect": {**COMBINATION["expect"], **expect_changes},
    }
    ok(create(client, auth, combination), 201)
    before = ok(client.get(path, headers=auth("portfolio")))
    problem = assert_problem(_remove(client, auth, method, path, body), 422, "validation-error")
    assert "inconsistent" in problem["detail"]
    named = [e for e in problem["errors"] if e["record"] == f"assurances/{KEY}"]
    assert sorted(e["field"] for e in named) == fields, problem["errors"]
    if path != "/v1/capabilities/compute.linux":
        assert named == problem["errors"]  # the combination alone holds on to it
    assert ok(client.get(path, headers=auth("portfolio"))) == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [case[3:6] for case in REMOVALS[:-1]],
    ids=[case[0] for case in REMOVALS[:-1]],
)
def test_without_the_combination_the_same_change_goes_through(
    client: TestClient, auth: Auth, method: str, path: str, body: dict[str, Any] | None
) -> None:
    _own_records(client, auth)
    response = _remove(client, auth, method, path, body)
    assert response.status_code == (204 if method == "DELETE" else 200), response.text


# -- the catalog as a whole ---------------------------------------------------------------------


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in sorted(files.items()):
            archive.writestr(name, content)
    return buffer.getvalue()


def _import(client: TestClient, auth: Auth, data: bytes) -> dict[str, int]:
    headers = {**auth("admin"), "Content-Type": "application/zip"}
    return ok(client.post("/v1/catalog/import", content=data, headers=headers))  # type: ignore[no-any-return]


def _exported(auth: Keys) -> dict[str, str]:
    """What ``offerwright catalog export`` writes of the service's catalog."""
    with auth.database.transaction(write=False) as session:
        return export_files(working_snapshot(session))


MINE = {
    "assurance/test.linux-vms.yaml": (
        "id: test.linux-vms\nname: Two managed Linux VMs in the EU\nowner: Compute portfolio\n"
        "request:\n  price_book: EUR\n  term_months: 12\n"
        "  needs: [{capability: compute.linux, quantity: 2, attributes: {platform: virtual}}]\n"
        "  residency: [EU]\n"
        "expect: {includes: [CMP-VM-LNX], service_levels: {CMP-VM-LNX: gold}, "
        "monthly: {max: 5000}}\n"
    ),
    "assurance/more.yaml": (
        "- {id: test.never, name: Never, owner: me,\n"
        "   request: {price_book: EUR, term_months: 12, offering: OFF-SAP-S4-LNX,"
        " budget_monthly: 1},\n"
        "   expect: {outcome: invalid, conflict: [budget]}}\n"
    ),
}


def test_import_export_import_keeps_the_assurance_files(client: TestClient, auth: Keys) -> None:
    before = _exported(auth)
    first = _import(client, auth, _zip({**before, **MINE}))
    assert (first["records_created"], first["records_updated"]) == (2, 0)
    read = ok(client.get(ONE, headers=auth("sales")))
    assert read["request"]["needs"][0]["attributes"] == {"platform": "virtual"}
    assert read["expect"]["monthly"] == {"min": None, "max": "5000"}
    never = ok(client.get(f"{PATH}/test.never", headers=auth("sales")))
    assert (never["expect"]["outcome"], never["expect"]["conflict"]) == ("invalid", ["budget"])

    exported = _exported(auth)
    # One file each, named by its id; the rest of the catalog as it was.
    assert set(exported) - set(before) == {
        "assurance/test.linux-vms.yaml",
        "assurance/test.never.yaml",
    }
    assert {name: text for name, text in exported.items() if name in before} == before
    again = _import(client, auth, _zip(exported))
    assert (again["records_created"], again["records_updated"], again["records_deleted"]) == (
        0,
        0,
        0,
    )
    assert again["components_unchanged"] == first["components_unchanged"]
    assert _exported(auth) == exported

    # An import without them makes the registry what the import says.
    emptied = _import(client, auth, _zip(before))
    assert (emptied["records_created"], emptied["records_deleted"]) == (0, 2)
    assert_problem(client.get(ONE, headers=auth("sales")), 404)


def test_a_json_import_carries_assurances_and_names_a_bad_one(
    client: TestClient, auth: Auth
) -> None:
    catalog = default_catalog_json()
    catalog["assurances"] = [
        *catalog.get("assurances", []),
        COMBINATION,
        {**COMBINATION, "id": "test.bad", "owner": ""},
    ]
    headers = auth("admin")
    refused = client.post("/v1/catalog/import", json=catalog, headers=headers)
    problem = assert_problem(refused, 422, "validation-error")
    index = len(catalog["assurances"]) - 1
    assert [(e["record"], e["field"]) for e in problem["errors"]] == [
        (f"assurances[{index}]", "owner")
    ]
    catalog["assurances"].pop()
    imported = ok(client.post("/v1/catalog/import", json=catalog, headers=headers))
    assert imported["records_created"] == 1
    assert ok(client.get(ONE, headers=auth("sales")))["expect"]["includes"] == ["CMP-VM-LNX"]
