"""The components API: listing, reading, versioning, ETags, lifecycle, creation, hidden cost,
documents, audit and summary. Every test runs on SQLite and PostgreSQL and is rolled back."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from app.auth.principal import Principal
from app.kit.errors import Forbidden
from app.portfolio.components import service as component_service
from catalog.snapshot import CatalogSnapshot
from tests.support.api import MERGE_PATCH, Headers, etag_of, ok
from tests.support.factories import (
    SERVER_SET,
    activate,
    component_body,
    create_draft,
    get_component,
    move_component,
    patch_component,
)
from tests.support.problems import assert_problem, error_fields

VERSION_METADATA = ("active_version", "latest_version")
COST_KEYS = ("effort", "non_labour_cost")
PARTNERED = "MON-APM"  # the one component of the default catalog with a partner we use


# --- helpers ---------------------------------------------------------------------------------


def create(client: TestClient, headers: Headers, body: dict[str, Any]) -> Response:
    return client.post("/v1/components", headers=headers, json=body)


def list_page(client: TestClient, headers: Headers, **params: Any) -> dict[str, Any]:
    return ok(client.get("/v1/components", headers=headers, params=params))  # type: ignore[no-any-return]


def list_codes(client: TestClient, headers: Headers, **params: Any) -> list[str]:
    """Every code of a (filtered) listing, following next_cursor to the end."""
    codes: list[str] = []
    cursor = None
    for _ in range(100):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = list_page(client, headers, **query)
        codes.extend(item["code"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return codes
    raise AssertionError("the listing never ended")


def audit(client: TestClient, auth: Any, **params: Any) -> dict[str, Any]:
    return ok(client.get("/v1/audit", headers=auth("admin"), params=params))  # type: ignore[no-any-return]


def strip_metadata(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key not in VERSION_METADATA}


# --- listing ---------------------------------------------------------------------------------


def test_list_default_limit_is_50(client: TestClient, auth: Any) -> None:
    page = list_page(client, auth("sales"))
    assert len(page["items"]) == 50
    assert page["next_cursor"]
    first = page["items"][0]
    assert {"code", "version", "status", "name", "summary", "family", "layer"} <= first.keys()


def test_list_pages_through_every_component_once(
    client: TestClient, auth: Any, default_snapshot: CatalogSnapshot
) -> None:
    codes: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = list_page(client, auth("sales"), limit=20, **({"cursor": cursor} if cursor else {}))
        pages += 1
        assert len(page["items"]) <= 20
        codes.extend(item["code"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert len(page["items"]) == 20
    assert pages == 5
    assert len(codes) == 83
    assert codes == sorted(set(codes))
    assert set(codes) == {component.code for component in default_snapshot.components}


@pytest.mark.parametrize("limit", [0, 201, -1])
def test_list_limit_out_of_range_is_422(client: TestClient, auth: Any, limit: int) -> None:
    response = client.get("/v1/components", headers=auth("sales"), params={"limit": limit})
    problem = assert_problem(response, 422, "validation-error")
    assert "limit" in error_fields(problem)


def test_list_limit_200_is_allowed(client: TestClient, auth: Any) -> None:
    page = list_page(client, auth("sales"), limit=200)
    assert len(page["items"]) == 83
    assert page["next_cursor"] is None


def test_list_filters_by_family(
    client: TestClient, auth: Any, default_snapshot: CatalogSnapshot
) -> None:
    page = list_page(client, auth("sales"), family="compute", limit=200)
    expected = {c.code for c in default_snapshot.components if c.family == "compute"}
    assert expected
    assert {item["code"] for item in page["items"]} == expected
    assert all(item["family"] == "compute" for item in page["items"])


def test_list_filters_by_layer(
    client: TestClient, auth: Any, default_snapshot: CatalogSnapshot
) -> None:
    page = list_page(client, auth("sales"), layer="platform", limit=200)
    expected = {c.code for c in default_snapshot.components if c.layer == "platform"}
    assert expected
    assert {item["code"] for item in page["items"]} == expected
    assert all(item["layer"] == "platform" for item in page["items"])


def test_list_filters_by_status(client: TestClient, auth: Any) -> None:
    create_draft(client, auth)
    assert len(list_codes(client, auth("portfolio"), status="active")) == 83
    assert list_codes(client, auth("portfolio"), status="draft") == ["CMP-VM-TEST"]
    assert list_codes(client, auth("sales"), status="draft") == []


def test_list_filters_by_capability(
    client: TestClient, auth: Any, default_snapshot: CatalogSnapshot
) -> None:
    page = list_page(client, auth("sales"), capability="compute.linux", limit=200)
    expected = {c.code for c in default_snapshot.components if "compute.linux" in c.provides}
    assert {item["code"] for item in page["items"]} == expected
    assert "CMP-VM-LNX" in expected
    assert all("compute.linux" in item["provides"] for item in page["items"])
    # requiring a capability is not providing it
    assert "DB-HANA" not in expected


def test_list_unknown_filter_value_gives_empty_page(client: TestClient, auth: Any) -> None:
    page = list_page(client, auth("sales"), family="no-such-family")
    assert page == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("q", ["LiNuX", "cmp-vm", "hardened image", "SAP HANA"])
def test_list_text_search_is_case_insensitive_over_code_name_summary(
    client: TestClient, auth: Any, default_snapshot: CatalogSnapshot, q: str
) -> None:
    expected = {
        c.code
        for c in default_snapshot.components
        if q.lower() in f"{c.code} {c.name} {c.summary}".lower()
    }
    assert expected
    assert set(list_codes(client, auth("sales"), q=q)) == expected


def test_list_text_search_matches_code_name_and_summary(client: TestClient, auth: Any) -> None:
    # "hardened image" only appears in CMP-VM-LNX's summary; its name is "Managed Linux
    # virtual server".
    assert "CMP-VM-LNX" in list_codes(client, auth("sales"), q="hardened image")
    assert "CMP-VM-LNX" in list_codes(client, auth("sales"), q="managed linux virtual")
    assert "CMP-VM-LNX" in list_codes(client, auth("sales"), q="vm-lnx")


@pytest.mark.parametrize("q", ["%", "_", "linux%", "a_b", "%%", "\\", "_%_"])
def test_list_text_search_wildcards_are_literal(client: TestClient, auth: Any, q: str) -> None:
    assert list_codes(client, auth("sales"), q=q) == []


def test_list_text_search_finds_literal_percent_and_underscore(
    client: TestClient, auth: Any
) -> None:
    create_draft(client, auth, name="Promo 100% uptime_plan server")
    portfolio = auth("portfolio")
    assert list_codes(client, portfolio, q="100%") == ["CMP-VM-TEST"]
    assert list_codes(client, portfolio, q="uptime_plan") == ["CMP-VM-TEST"]
    assert list_codes(client, portfolio, q="0% UPTIME_") == ["CMP-VM-TEST"]


@pytest.mark.parametrize("cursor", ["not-a-cursor!", "e30", "%%%"])
def test_list_bad_cursor_is_400(client: TestClient, auth: Any, cursor: str) -> None:
    response = client.get("/v1/components", headers=auth("sales"), params={"cursor": cursor})
    assert_problem(response, 400, "bad-request")


def test_list_needs_authentication(client: TestClient) -> None:
    assert_problem(client.get("/v1/components"), 401, "unauthenticated")


# --- reading one -----------------------------------------------------------------------------


def test_get_component_has_etag_and_body(client: TestClient, auth: Any) -> None:
    response = client.get("/v1/components/CMP-VM-LNX", headers=auth("sales"))
    assert response.status_code == 200
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    body = response.json()
    assert body["code"] == "CMP-VM-LNX"
    assert body["version"] == 1
    assert body["status"] == "active"
    assert body["family"] == "compute"
    assert body["active_version"] == 1
    assert body["latest_version"] == 1
    # the tag is stable while nothing changes
    assert etag_of(client, auth("sales"), "/v1/components/CMP-VM-LNX") == etag


def test_get_component_by_version(client: TestClient, auth: Any) -> None:
    body = get_component(client, auth("sales"), "CMP-VM-LNX", version=1)
    assert body["version"] == 1
    assert body == get_component(client, auth("sales"), "CMP-VM-LNX")


def test_get_unknown_component_is_404_problem(client: TestClient, auth: Any) -> None:
    response = client.get("/v1/components/NO-SUCH-THING", headers=auth("sales"))
    problem = assert_problem(response, 404, "not-found")
    assert "NO-SUCH-THING" in problem["detail"]


def test_get_unknown_version_is_404(client: TestClient, auth: Any) -> None:
    for who in ("sales", "portfolio"):
        response = client.get("/v1/components/CMP-VM-LNX", headers=auth(who), params={"version": 7})
        assert_problem(response, 404, "not-found")


def test_get_version_zero_is_422(client: TestClient, auth: Any) -> None:
    response = client.get("/v1/components/CMP-VM-LNX", headers=auth("sales"), params={"version": 0})
    assert_problem(response, 422, "validation-error")


# --- versioning and immutability -------------------------------------------------------------


def test_patch_active_creates_draft_version_2(client: TestClient, auth: Any) -> None:
    editor = auth("portfolio-2")
    before = get_component(client, editor, "CMP-VM-LNX")
    etag = etag_of(client, editor, "/v1/components/CMP-VM-LNX")
    response = patch_component(client, editor, "CMP-VM-LNX", {"summary": "A new summary."}, etag)
    assert response.status_code == 200, response.text
    v2 = response.json()
    assert v2["version"] == 2
    assert v2["status"] == "draft"
    assert v2["author"] == "portfolio-2"
    assert v2["summary"] == "A new summary."
    assert v2["active_version"] == 1
    assert v2["latest_version"] == 2
    assert response.headers["ETag"] != etag
    assert response.headers["ETag"] == etag_of(
        client, editor, "/v1/components/CMP-VM-LNX?version=2"
    )

    v1 = get_component(client, editor, "CMP-VM-LNX", version=1)
    assert strip_metadata(v1) == strip_metadata(before)
    assert v1["status"] == "active"
    assert v1["latest_version"] == 2
    assert v1["active_version"] == 1
    # the default read is still the active version
    assert get_component(client, editor, "CMP-VM-LNX")["version"] == 1
    assert get_component(client, auth("sales"), "CMP-VM-LNX")["summary"] == before["summary"]


def test_second_patch_edits_the_draft_in_place(client: TestClient, auth: Any) -> None:
    editor = auth("portfolio")
    etag = etag_of(client, editor, "/v1/components/CMP-VM-LNX")
    first = patch_component(client, editor, "CMP-VM-LNX", {"summary": "First edit."}, etag)
    assert first.status_code == 200
    second = patch_component(
        client, editor, "CMP-VM-LNX", {"name": "Renamed server"}, first.headers["ETag"]
    )
    assert second.status_code == 200, second.text
    body = second.json()
    assert body["version"] == 2
    assert body["latest_version"] == 2
    assert body["summary"] == "First edit."
    assert body["name"] == "Renamed server"
    assert second.headers["ETag"] != first.headers["ETag"]
    assert get_component(client, editor, "CMP-VM-LNX", version=2)["name"] == "Renamed server"
    response = client.get("/v1/components/CMP-VM-LNX", headers=editor, params={"version": 3})
    assert_problem(response, 404, "not-found")


def test_patch_after_in_review_creates_version_3(client: TestClient, auth: Any) -> None:
    editor = auth("portfolio")
    etag = etag_of(client, editor, "/v1/components/CMP-VM-LNX")
    v2 = patch_component(client, editor, "CMP-VM-LNX", {"summary": "Version two."}, etag)
    assert v2.status_code == 200
    review = move_component(client, editor, "CMP-VM-LNX", 2, "in_review")
    assert review.status_code == 200, review.text
    v2_before = get_component(client, editor, "CMP-VM-LNX", version=2)

    v3 = patch_component(
        client, editor, "CMP-VM-LNX", {"summary": "Version three."}, review.headers["ETag"]
    )
    assert v3.status_code == 200, v3.text
    assert v3.json()["version"] == 3
    assert v3.json()["status"] == "draft"
    assert v3.json()["summary"] == "Version three."

    v2_after = get_component(client, editor, "CMP-VM-LNX", version=2)
    assert strip_metadata(v2_after) == strip_metadata(v2_before)
    assert v2_after["status"] == "in_review"
    assert v2_after["summary"] == "Version two."
    assert v2_after["latest_version"] == 3


def test_patch_changing_nothing_creates_no_version(client: TestClient, auth: Any) -> None:
    editor = auth("portfolio")
    before = get_component(client, editor, "CMP-VM-LNX")
    etag = etag_of(client, editor, "/v1/components/CMP-VM-LNX")
    entries_before = audit(client, auth, entity_key="CMP-VM-LNX")["items"]
    response = patch_component(client, editor, "CMP-VM-LNX", {"name": before["name"]}, etag)
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 1
    assert response.headers["ETag"] == etag
    after = get_component(client, editor, "CMP-VM-LNX")
    assert after == before
    assert after["latest_version"] == 1
    assert audit(client, auth, entity_key="CMP-VM-LNX")["items"] == entries_before
    empty = patch_component(client, editor, "CMP-VM-LNX", {}, etag)
    assert empty.status_code == 200
    assert get_component(client, editor, "CMP-VM-LNX")["latest_version"] == 1


def test_patch_sending_back_what_was_read_creates_no_version(client: TestClient, auth: Any) -> None:
    editor = auth("portfolio")
    body = get_component(client, editor, "CMP-VM-LNX")
    etag = etag_of(client, editor, "/v1/components/CMP-VM-LNX")
    unchanged = {key: value for key, value in body.items() if key not in SERVER_SET}
    unchanged.pop("code")
    response = patch_component(client, editor, "CMP-VM-LNX", unchanged, etag)
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 1
    assert get_component(client, editor, "CMP-VM-LNX")["latest_version"] == 1


def test_patch_with_equal_numeric_amount_creates_no_version(client: TestClient, auth: Any) -> None:
    """Amounts are read back as decimal strings ("18.5") but may be sent as JSON numbers;
    18.5 is the amount already stored, so nothing changes and no version may appear."""
    editor = auth("portfolio")
    before = get_component(client, editor, "CMP-VM-LNX")
    assert before["non_labour_cost"]["monthly"] == "18.5"
    etag = etag_of(client, editor, "/v1/components/CMP-VM-LNX")
    response = patch_component(
        client, editor, "CMP-VM-LNX", {"non_labour_cost": {"monthly": 18.5}}, etag
    )
    assert response.status_code == 200, response.text
    assert response.json()["non_labour_cost"] == before["non_labour_cost"]
    assert response.json()["version"] == 1
    assert get_component(client, editor, "CMP-VM-LNX")["latest_version"] == 1


@pytest.mark.parametrize("content_type", [MERGE_PATCH, "application/json"])
def test_patch_uses_json_merge_patch_semantics(
    client: TestClient, auth: Any, content_type: str
) -> None:
    editor = auth("portfolio")
    before = get_component(client, editor, "CMP-VM-LNX")
    assert before["non_labour_cost"] is not None
    etag = etag_of(client, editor, "/v1/components/CMP-VM-LNX")
    body = {
        "non_labour_cost": None,  # null removes an optional field
        "attributes": {"hypervisor": None, "tier": "gold"},  # maps merge, null removes a key
        "quantity": {"max": 500},  # nested objects merge
    }
    response = patch_component(client, editor, "CMP-VM-LNX", body, etag, content_type)
    assert response.status_code == 200, response.text
    after = response.json()
    assert after.get("non_labour_cost") is None
    assert after["attributes"] == {"os": "linux", "platform": "virtual", "tier": "gold"}
    assert after["quantity"] == {**before["quantity"], "max": 500}
    # everything not mentioned is kept
    assert after["prices"] == before["prices"]
    assert after["documents"] == before["documents"]
    assert after["service_levels"] == before["service_levels"]


def test_patch_with_charset_parameter_is_accepted(client: TestClient, auth: Any) -> None:
    editor = auth("portfolio")
    etag = etag_of(client, editor, "/v1/components/CMP-VM-LNX")
    response = patch_component(
        client, editor, "CMP-VM-LNX", {"summary": "New."}, etag, f"{MERGE_PATCH}; charset=utf-8"
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "application/json-patch+json"]
)
def test_patch_other_content_types_are_415(
    client: TestClient, auth: Any, content_type: str
) -> None:
    editor = auth("portfolio")
    etag = etag_of(client, editor, "/v1/components/CMP-VM-LNX")
    response = patch_component(client, editor, "CMP-VM-LNX", {"summary": "x"}, etag, content_type)
    assert_problem(response, 415, "unsupported-media-type")
    assert get_component(client, editor, "CMP-VM-LNX")["latest_version"] == 1


def test_patch_read_only_fields_are_refused(client: TestClient, auth: Any) -> None:
    editor = auth("portfolio")
    etag = etag_of(client, editor, "/v1/components/CMP-VM-LNX")
    response = patch_component(
        client, editor, "CMP-VM-LNX", {"status": "active", "version": 5}, etag
    )
    problem = assert_problem(response, 422, "read-only-field")
    assert set(error_fields(problem)) == {"status", "version"}
    assert get_component(client, editor, "CMP-VM-LNX")["latest_version"] == 1


def test_patch_with_invalid_result_is_422_and_changes_nothing(
    client: TestClient, auth: Any
) -> None:
    editor = auth("portfolio")
    etag = etag_of(client, editor, "/v1/components/CMP-VM-LNX")
    response = patch_component(client, editor, "CMP-VM-LNX", {"layer": "stratosphere"}, etag)
    problem = assert_problem(response, 422)
    assert "layer" in error_fields(problem)
    assert get_component(client, editor, "CMP-VM-LNX")["latest_version"] == 1


def test_sales_cannot_patch(client: TestClient, auth: Any) -> None:
    etag = etag_of(client, auth("sales"), "/v1/components/CMP-VM-LNX")
    response = patch_component(client, auth("sales"), "CMP-VM-LNX", {"summary": "x"}, etag)
    assert_problem(response, 403, "forbidden")


# --- ETags -----------------------------------------------------------------------------------


def test_patch_without_if_match_is_428(client: TestClient, auth: Any) -> None:
    response = patch_component(client, auth("portfolio"), "CMP-VM-LNX", {"summary": "x"}, None)
    assert_problem(response, 428, "precondition-required")
    assert get_component(client, auth("portfolio"), "CMP-VM-LNX")["latest_version"] == 1


def test_patch_with_stale_etag_is_412_and_changes_nothing(client: TestClient, auth: Any) -> None:
    editor = auth("portfolio")
    stale = etag_of(client, editor, "/v1/components/CMP-VM-LNX")
    first = patch_component(client, editor, "CMP-VM-LNX", {"summary": "First."}, stale)
    assert first.status_code == 200
    v2 = get_component(client, editor, "CMP-VM-LNX", version=2)

    response = patch_component(client, editor, "CMP-VM-LNX", {"summary": "Lost update."}, stale)
    assert_problem(response, 412, "precondition-failed")
    assert get_component(client, editor, "CMP-VM-LNX", version=2) == v2
    assert v2["summary"] == "First."


def test_patch_with_made_up_etag_is_412(client: TestClient, auth: Any) -> None:
    response = patch_component(client, auth("portfolio"), "CMP-VM-LNX", {"summary": "x"}, '"nope"')
    assert_problem(response, 412, "precondition-failed")
    assert get_component(client, auth("portfolio"), "CMP-VM-LNX")["latest_version"] == 1


def test_patch_with_if_match_star(client: TestClient, auth: Any) -> None:
    response = patch_component(client, auth("portfolio"), "CMP-VM-LNX", {"summary": "Star."}, "*")
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2
    assert response.json()["summary"] == "Star."


def test_patch_with_one_of_several_etags(client: TestClient, auth: Any) -> None:
    editor = auth("portfolio")
    etag = etag_of(client, editor, "/v1/components/CMP-VM-LNX")
    response = patch_component(
        client, editor, "CMP-VM-LNX", {"summary": "List."}, f'"other", {etag}'
    )
    assert response.status_code == 200, response.text


def test_cost_free_representation_has_its_own_etag(client: TestClient, auth: Any) -> None:
    sales = etag_of(client, auth("sales"), "/v1/components/CMP-VM-LNX")
    portfolio = etag_of(client, auth("portfolio"), "/v1/components/CMP-VM-LNX")
    assert sales != portfolio


def body_hash(response: Response) -> str:
    return f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'


def test_the_etag_is_the_hash_of_the_representation_sent(client: TestClient, auth: Any) -> None:
    auth.add("wroclaw", "delivery", "PL-WRO")
    path = "/v1/components/CMP-VM-LNX"  # PL-WRO does not deliver it: no delivery description
    before = {who: client.get(path, headers=auth(who)) for who in ("sales", "wroclaw", "admin")}
    for response in before.values():
        assert response.headers["ETag"] == body_hash(response)
    # Different representations, different tags.
    assert len({response.headers["ETag"] for response in before.values()}) == 3
    # A new draft version changes what every reader of version 1 is sent (its
    # latest_version), so every tag changes with it.
    edited = patch_component(client, auth("portfolio"), "CMP-VM-LNX", {"summary": "Draft."},
                   before["admin"].headers["ETag"])  # fmt: skip
    assert edited.headers["ETag"] == body_hash(edited)
    for who, response in before.items():
        again = client.get(path, headers=auth(who))
        assert again.json()["latest_version"] == 2
        assert again.headers["ETag"] == body_hash(again) != response.headers["ETag"]


def test_transition_with_stale_if_match_is_412(client: TestClient, auth: Any) -> None:
    draft = client.post(
        "/v1/components", headers=auth("portfolio"), json=component_body(client, auth)
    )
    assert draft.status_code == 201
    stale = draft.headers["ETag"]
    ok(patch_component(client, auth("portfolio"), "CMP-VM-TEST", {"summary": "Edited."}, stale))
    response = client.post(
        "/v1/components/CMP-VM-TEST/versions/1/transition",
        headers={**auth("portfolio"), "If-Match": stale},
        json={"to": "in_review"},
    )
    assert_problem(response, 412, "precondition-failed")
    assert get_component(client, auth("portfolio"), "CMP-VM-TEST")["status"] == "draft"


# --- lifecycle -------------------------------------------------------------------------------


@pytest.mark.usefixtures("without_assured_combinations")  # the lifecycle, not the gate
def test_lifecycle_draft_to_active(client: TestClient, auth: Any) -> None:
    create_draft(client, auth)
    review = ok(move_component(client, auth("portfolio"), "CMP-VM-TEST", 1, "in_review"))
    assert review["status"] == "in_review"
    assured = ok(move_component(client, auth("approver"), "CMP-VM-TEST", 1, "assured"))
    assert assured["status"] == "assured"
    active = ok(move_component(client, auth("portfolio"), "CMP-VM-TEST", 1, "active", comment="go"))
    assert active["status"] == "active"
    assert active["active_version"] == 1
    assert get_component(client, auth("sales"), "CMP-VM-TEST")["status"] == "active"


def test_four_eyes_at_the_service_level(database: Any, client: TestClient, auth: Any) -> None:
    create_draft(client, auth)
    ok(move_component(client, auth("portfolio"), "CMP-VM-TEST", 1, "in_review"))
    with (
        database.transaction(write=True) as session,
        pytest.raises(Forbidden, match="four eyes"),
    ):
        component_service.transition(
            session, Principal("portfolio", "approver"), "CMP-VM-TEST", 1, "assured", None
        )
    assert get_component(client, auth("portfolio"), "CMP-VM-TEST")["status"] == "in_review"
    # a different approver may
    with database.transaction(write=True) as session:
        view = component_service.transition(
            session, Principal("someone-else", "approver"), "CMP-VM-TEST", 1, "assured", None
        )
    assert view.body["status"] == "assured"


def test_portfolio_cannot_assure(client: TestClient, auth: Any) -> None:
    create_draft(client, auth)
    ok(move_component(client, auth("portfolio"), "CMP-VM-TEST", 1, "in_review"))
    assert_problem(
        move_component(client, auth("portfolio-2"), "CMP-VM-TEST", 1, "assured"), 403, "forbidden"
    )
    assert_problem(
        move_component(client, auth("admin"), "CMP-VM-TEST", 1, "assured"), 403, "forbidden"
    )
    assert get_component(client, auth("portfolio"), "CMP-VM-TEST")["status"] == "in_review"


def test_approver_cannot_submit_or_activate(client: TestClient, auth: Any) -> None:
    create_draft(client, auth)
    assert_problem(
        move_component(client, auth("approver"), "CMP-VM-TEST", 1, "in_review"), 403, "forbidden"
    )
    ok(move_component(client, auth("portfolio"), "CMP-VM-TEST", 1, "in_review"))
    ok(move_component(client, auth("approver"), "CMP-VM-TEST", 1, "assured"))
    assert_problem(
        move_component(client, auth("approver"), "CMP-VM-TEST", 1, "active"), 403, "forbidden"
    )
    assert get_component(client, auth("portfolio"), "CMP-VM-TEST")["status"] == "assured"


def test_sales_cannot_transition(client: TestClient, auth: Any) -> None:
    create_draft(client, auth)
    assert_problem(
        move_component(client, auth("sales"), "CMP-VM-TEST", 1, "in_review"), 403, "forbidden"
    )
    assert_problem(
        move_component(client, auth("sales"), "CMP-VM-LNX", 1, "retired"), 403, "forbidden"
    )
    assert get_component(client, auth("sales"), "CMP-VM-LNX")["status"] == "active"


@pytest.mark.parametrize("who", ["sales", "delivery"])
def test_readers_learn_nothing_about_drafts_through_transition(
    client: TestClient, auth: Any, who: str
) -> None:
    """Sales and delivery may neither move nor see unreleased versions: any transition they
    ask for is forbidden, never answered with the hidden version's status."""
    create_draft(client, auth)
    response = move_component(client, auth(who), "CMP-VM-TEST", 1, "active")
    assert response.status_code in (403, 404), response.text
    assert "draft" not in response.json()["detail"]


@pytest.mark.usefixtures("without_assured_combinations")  # the lifecycle, not the gate
@pytest.mark.parametrize(
    ("setup", "to"),
    [
        ([], "active"),  # draft -> active
        ([], "assured"),  # draft -> assured
        (["in_review", "assured", "active"], "in_review"),  # active -> in_review
        (["in_review", "assured", "active", "retired"], "active"),  # retired -> active
        (["in_review", "assured", "active", "retired"], "retired"),  # retired -> retired
    ],
)
def test_illegal_transitions_are_409(
    client: TestClient, auth: Any, setup: list[str], to: str
) -> None:
    create_draft(client, auth)
    for step in setup:
        who = "approver" if step == "assured" else "portfolio"
        ok(move_component(client, auth(who), "CMP-VM-TEST", 1, step))
    status_before = get_component(client, auth("portfolio"), "CMP-VM-TEST", 1)["status"]
    who = "approver" if to == "assured" else "portfolio"
    problem = assert_problem(
        move_component(client, auth(who), "CMP-VM-TEST", 1, to), 409, "illegal-transition"
    )
    assert to in problem["detail"]
    assert get_component(client, auth("portfolio"), "CMP-VM-TEST", 1)["status"] == status_before


def test_active_to_in_review_on_default_catalog_is_409(client: TestClient, auth: Any) -> None:
    response = move_component(client, auth("portfolio"), "CMP-VM-LNX", 1, "in_review")
    assert_problem(response, 409, "illegal-transition")


def test_unknown_target_status_is_422(client: TestClient, auth: Any) -> None:
    response = move_component(client, auth("portfolio"), "CMP-VM-LNX", 1, "deleted")
    assert_problem(response, 422, "validation-error")


def test_transition_of_unknown_version_is_404(client: TestClient, auth: Any) -> None:
    assert_problem(
        move_component(client, auth("portfolio"), "CMP-VM-LNX", 9, "retired"), 404, "not-found"
    )
    assert_problem(
        move_component(client, auth("portfolio"), "NO-SUCH", 1, "retired"), 404, "not-found"
    )


def test_activating_version_2_retires_version_1(client: TestClient, auth: Any) -> None:
    editor = auth("portfolio")
    etag = etag_of(client, editor, "/v1/components/CMP-VM-LNX")
    ok(patch_component(client, editor, "CMP-VM-LNX", {"summary": "Second generation."}, etag))
    activate(client, auth, code="CMP-VM-LNX", version=2)

    for who in ("sales", "portfolio"):
        current = get_component(client, auth(who), "CMP-VM-LNX")
        assert current["version"] == 2
        assert current["status"] == "active"
        assert current["active_version"] == 2
        assert current["summary"] == "Second generation."
    old = get_component(client, auth("sales"), "CMP-VM-LNX", version=1)
    assert old["status"] == "retired"
    listed = list_page(client, auth("sales"), q="cmp-vm-lnx", limit=200)["items"]
    assert {item["code"]: item["version"] for item in listed}["CMP-VM-LNX"] == 2


@pytest.mark.usefixtures("without_assured_combinations")  # the lifecycle, not the gate
def test_retired_version_stays_readable_by_sales(client: TestClient, auth: Any) -> None:
    ok(move_component(client, auth("portfolio"), "CMP-VM-LNX", 1, "retired"))
    old = get_component(client, auth("sales"), "CMP-VM-LNX", version=1)
    assert old["status"] == "retired"
    assert old["active_version"] is None
    # nothing is active any more: no default version, and not listed to sales
    assert_problem(client.get("/v1/components/CMP-VM-LNX", headers=auth("sales")), 404)
    assert "CMP-VM-LNX" not in list_codes(client, auth("sales"))
    ok(client.get("/v1/components/CMP-VM-LNX/specification?version=1", headers=auth("sales")))


def test_sales_cannot_see_drafts(client: TestClient, auth: Any) -> None:
    create_draft(client, auth)
    sales = auth("sales")
    assert_problem(client.get("/v1/components/CMP-VM-TEST", headers=sales), 404, "not-found")
    response = client.get("/v1/components/CMP-VM-TEST", headers=sales, params={"version": 1})
    assert_problem(response, 404, "not-found")
    assert "CMP-VM-TEST" not in list_codes(client, sales)
    assert "CMP-VM-TEST" in list_codes(client, auth("portfolio"))
    # a draft version 2 of an active component is not shown to sales either
    etag = etag_of(client, auth("portfolio"), "/v1/components/CMP-VM-LNX")
    ok(patch_component(client, auth("portfolio"), "CMP-VM-LNX", {"summary": "Secret draft."}, etag))
    response = client.get("/v1/components/CMP-VM-LNX", headers=sales, params={"version": 2})
    assert_problem(response, 404, "not-found")
    assert get_component(client, sales, "CMP-VM-LNX")["version"] == 1
    listed = list_page(client, sales, q="cmp-vm-lnx")["items"]
    assert all(item["summary"] != "Secret draft." for item in listed)
    assert_problem(
        client.get("/v1/components/CMP-VM-LNX/specification?version=2", headers=sales), 404
    )


# --- creation --------------------------------------------------------------------------------


def test_create_component(client: TestClient, auth: Any) -> None:
    body = component_body(client, auth)
    response = create(client, auth("portfolio-2"), body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["code"] == "CMP-VM-TEST"
    assert created["name"] == body["name"]
    assert created["status"] == "draft"
    assert created["version"] == 1
    assert created["author"] == "portfolio-2"
    assert created["active_version"] is None
    assert created["latest_version"] == 1
    assert response.headers["Location"] == "/v1/components/CMP-VM-TEST?version=1"
    assert response.headers["ETag"] == etag_of(
        client, auth("portfolio"), "/v1/components/CMP-VM-TEST?version=1"
    )
    stored = get_component(client, auth("portfolio"), "CMP-VM-TEST")
    assert {k: v for k, v in stored.items() if k not in SERVER_SET} == body


def test_create_existing_code_is_409(client: TestClient, auth: Any) -> None:
    body = component_body(client, auth, code="CMP-VM-LNX")
    assert_problem(create(client, auth("portfolio"), body), 409, "conflict")
    assert get_component(client, auth("portfolio"), "CMP-VM-LNX")["latest_version"] == 1


def test_create_with_server_fields_is_422(client: TestClient, auth: Any) -> None:
    body = {**component_body(client, auth), "status": "active", "version": 3, "author": "mallory"}
    problem = assert_problem(create(client, auth("portfolio"), body), 422, "read-only-field")
    assert set(error_fields(problem)) == {"status", "version", "author"}
    assert_problem(client.get("/v1/components/CMP-VM-TEST", headers=auth("portfolio")), 404)


def test_create_with_unknown_field_is_422(client: TestClient, auth: Any) -> None:
    body = {**component_body(client, auth), "colour": "blue"}
    problem = assert_problem(create(client, auth("portfolio"), body), 422)
    assert "colour" in error_fields(problem)


def test_create_with_wrong_type_names_the_path(client: TestClient, auth: Any) -> None:
    body = component_body(client, auth)
    body["quantity"] = {**body["quantity"], "min": "abc"}
    problem = assert_problem(create(client, auth("portfolio"), body), 422)
    assert "quantity.min" in error_fields(problem)


def test_create_requiring_unknown_capability_is_422(client: TestClient, auth: Any) -> None:
    body = component_body(client, auth)
    body["requires"] = {**body["requires"], "teleportation.quantum": "1"}
    problem = assert_problem(create(client, auth("portfolio"), body), 422)
    messages = " ".join(error["message"] for error in problem["errors"])
    assert "teleportation.quantum" in messages
    assert_problem(client.get("/v1/components/CMP-VM-TEST", headers=auth("portfolio")), 404)


def test_create_with_non_object_json_is_422(client: TestClient, auth: Any) -> None:
    response = client.post("/v1/components", headers=auth("portfolio"), json=[1, 2])
    assert_problem(response, 422)


def test_create_with_malformed_json_is_400(client: TestClient, auth: Any) -> None:
    response = client.post(
        "/v1/components",
        headers={**auth("portfolio"), "Content-Type": "application/json"},
        content=b'{"code": "CMP-X",',
    )
    assert_problem(response, 400, "malformed-json")


def test_create_with_wrong_content_type_is_415(client: TestClient, auth: Any) -> None:
    response = client.post(
        "/v1/components",
        headers={**auth("portfolio"), "Content-Type": "text/plain"},
        content=json.dumps(component_body(client, auth)),
    )
    assert_problem(response, 415, "unsupported-media-type")


@pytest.mark.parametrize("who", ["sales", "approver", "delivery"])
def test_only_writers_create(client: TestClient, auth: Any, who: str) -> None:
    body = component_body(client, auth)
    assert_problem(create(client, auth(who), body), 403, "forbidden")


# --- hidden cost -----------------------------------------------------------------------------


def assert_cost_free(body: dict[str, Any]) -> None:
    for key in COST_KEYS:
        assert key not in body, key
    for level in body["service_levels"]:
        assert "cost_factor" not in level
        assert "price_factor" in level
    if body.get("partner") is not None:
        assert "cost" not in body["partner"]
        assert "name" in body["partner"]


@pytest.mark.parametrize("who", ["sales", "delivery"])
@pytest.mark.parametrize("code", ["CMP-VM-LNX", PARTNERED])
def test_cost_is_hidden_from_sales_and_delivery(
    client: TestClient, auth: Any, who: str, code: str
) -> None:
    body = get_component(client, auth(who), code)
    assert_cost_free(body)
    assert "prices" in body
    body_v1 = get_component(client, auth(who), code, version=1)
    assert_cost_free(body_v1)


@pytest.mark.parametrize("who", ["portfolio", "approver", "admin"])
def test_cost_is_shown_to_curators(client: TestClient, auth: Any, who: str) -> None:
    body = get_component(client, auth(who), PARTNERED)
    assert "effort" in body
    assert "non_labour_cost" in body
    assert all("cost_factor" in level for level in body["service_levels"])
    assert body["partner"]["cost"]["currency"] == "GBP"
    lnx = get_component(client, auth(who), "CMP-VM-LNX")
    assert lnx["effort"]["monthly"] == {"vmware-engineer": "0.6"}
    assert lnx["non_labour_cost"]["currency"] == "EUR"


def test_partner_component_exists(default_snapshot: CatalogSnapshot) -> None:
    partnered = {c.code for c in default_snapshot.components if c.partner is not None}
    assert PARTNERED in partnered


@pytest.mark.parametrize("who", ["sales", "delivery"])
def test_cost_is_hidden_in_list_items(client: TestClient, auth: Any, who: str) -> None:
    for item in list_page(client, auth(who), limit=200)["items"]:
        assert not set(COST_KEYS) & item.keys()
        assert "partner" not in item


def test_labour_rates_hidden_from_sales(client: TestClient, auth: Any) -> None:
    sales = ok(client.get("/v1/delivery-centres", headers=auth("sales")))["items"]
    assert len(sales) == 7
    assert all("labour_rates" not in centre for centre in sales)
    one = ok(client.get("/v1/delivery-centres/DE-FRA", headers=auth("sales")))
    assert "labour_rates" not in one
    portfolio = ok(client.get("/v1/delivery-centres", headers=auth("portfolio")))["items"]
    assert all(centre["labour_rates"] for centre in portfolio)


# --- documents -------------------------------------------------------------------------------

DOCUMENTS = [
    ("specification", "specification"),
    ("statement-of-work", "statement_of_work"),
    ("delivery-description", "delivery_description"),
]


@pytest.mark.parametrize(("path", "name"), DOCUMENTS)
def test_document_as_json(client: TestClient, auth: Any, path: str, name: str) -> None:
    component = get_component(client, auth("sales"), "CMP-VM-LNX")
    response = client.get(f"/v1/components/CMP-VM-LNX/{path}", headers=auth("sales"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert document["code"] == "CMP-VM-LNX"
    assert document["version"] == 1
    assert document["name"] == component["name"]
    assert document["document"] == name
    assert document["content"] == component["documents"][name]


@pytest.mark.parametrize(("path", "name"), DOCUMENTS)
def test_document_as_html(client: TestClient, auth: Any, path: str, name: str) -> None:
    response = client.get(
        f"/v1/components/CMP-VM-LNX/{path}", headers={**auth("sales"), "Accept": "text/html"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "Managed Linux virtual server" in html
    assert "CMP-VM-LNX" in html
    assert html.lstrip().lower().startswith("<!doctype html>")


def test_document_json_preferred_when_listed_first(client: TestClient, auth: Any) -> None:
    response = client.get(
        "/v1/components/CMP-VM-LNX/specification",
        headers={**auth("sales"), "Accept": "application/json, text/html"},
    )
    assert response.headers["content-type"].startswith("application/json")


def assert_safe_html(html: str) -> None:
    """No script, no event handler and no link to anything but http(s)/mailto in any tag
    (a rejected link may stay in the page as harmless text)."""
    lowered = html.lower()
    assert "<script" not in lowered
    tags = re.findall(r"<[a-z][^>]*>", lowered)
    assert tags
    for tag in tags:
        assert not re.search(r"\son[a-z]+\s*=", tag), tag
        for url in re.findall(r"(?:href|src)\s*=\s*[\"']?([^\"' >]*)", tag):
            assert url.startswith(("http:", "https:", "mailto:")), tag


def test_document_html_is_sanitised(client: TestClient, auth: Any) -> None:
    evil = (
        "## Evil\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n"
        '<img src=x onerror="alert(2)">\n\n[ok](https://example.com)'
    )
    body = component_body(client, auth)
    body["documents"] = {**body["documents"], "specification": evil}
    ok(create(client, auth("portfolio"), body), 201)
    response = client.get(
        "/v1/components/CMP-VM-TEST/specification",
        headers={**auth("portfolio"), "Accept": "text/html"},
        params={"version": 1},
    )
    assert response.status_code == 200, response.text
    assert_safe_html(response.text)
    html = response.text.lower()
    assert "<img" not in html
    assert 'href="javascript:' not in html
    assert '<a href="https://example.com"' in html
    # the JSON form carries the raw text as written
    raw = ok(
        client.get("/v1/components/CMP-VM-TEST/specification?version=1", headers=auth("portfolio"))
    )
    assert raw["content"] == evil


def test_document_html_is_sanitised_after_patch(client: TestClient, auth: Any) -> None:
    draft = client.post(
        "/v1/components", headers=auth("portfolio"), json=component_body(client, auth)
    )
    assert draft.status_code == 201
    spec = "<script>alert(1)</script> and [x](javascript:alert(1))"
    ok(
        patch_component(
            client,
            auth("portfolio"),
            "CMP-VM-TEST",
            {"documents": {"specification": spec}},
            draft.headers["ETag"],
        )
    )
    response = client.get(
        "/v1/components/CMP-VM-TEST/specification?version=1",
        headers={**auth("portfolio"), "Accept": "text/html"},
    )
    assert response.status_code == 200
    assert_safe_html(response.text)
    assert 'href="javascript:' not in response.text.lower()


@pytest.mark.parametrize(
    "link",
    [
        "[x](JaVaScRiPt:alert(1))",
        "[x](java&#x73;cript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<javascript:alert(1)>",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](vbscript:msgbox(1))",
    ],
)
def test_document_html_refuses_link_tricks(client: TestClient, auth: Any, link: str) -> None:
    body = component_body(client, auth)
    body["documents"] = {**body["documents"], "specification": f"Click {link} now."}
    ok(create(client, auth("portfolio"), body), 201)
    response = client.get(
        "/v1/components/CMP-VM-TEST/specification?version=1",
        headers={**auth("portfolio"), "Accept": "text/html"},
    )
    assert_safe_html(response.text)


def test_document_html_escapes_the_name(client: TestClient, auth: Any) -> None:
    create_draft(client, auth, name="<b>Bold</b> & co")
    response = client.get(
        "/v1/components/CMP-VM-TEST/statement-of-work?version=1",
        headers={**auth("portfolio"), "Accept": "text/html"},
    )
    assert "<b>Bold" not in response.text
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in response.text


def test_delivery_description_only_for_competent_centre(client: TestClient, auth: Any) -> None:
    delivery = auth("delivery")  # CZ-BRN
    response = client.get("/v1/components/CMP-VM-LNX/delivery-description", headers=delivery)
    assert response.status_code == 200, response.text
    assert response.json()["document"] == "delivery_description"
    refused = client.get("/v1/components/SAP-BASIS-S4/delivery-description", headers=delivery)
    problem = assert_problem(refused, 403, "forbidden")
    assert "CZ-BRN" in problem["detail"]
    html = client.get(
        "/v1/components/SAP-BASIS-S4/delivery-description",
        headers={**delivery, "Accept": "text/html"},
    )
    assert html.status_code == 403
    # the customer-facing specification is not restricted
    ok(client.get("/v1/components/SAP-BASIS-S4/specification", headers=delivery))


def test_delivery_key_of_sap_centre_reads_sap(client: TestClient, auth: Any) -> None:
    auth.add("delivery-mad", "delivery", centre="ES-MAD")
    ok(client.get("/v1/components/SAP-BASIS-S4/delivery-description", headers=auth("delivery-mad")))
    response = client.get(
        "/v1/components/CMP-VM-LNX/delivery-description", headers=auth("delivery-mad")
    )
    assert_problem(response, 403, "forbidden")


def test_document_of_unknown_component_is_404(client: TestClient, auth: Any) -> None:
    response = client.get("/v1/components/NO-SUCH/specification", headers=auth("sales"))
    assert_problem(response, 404, "not-found")


# --- audit -----------------------------------------------------------------------------------


def test_audit_records_update_and_transition(client: TestClient, auth: Any) -> None:
    editor = auth("portfolio")
    old_summary = get_component(client, editor, "CMP-VM-LNX")["summary"]
    etag = etag_of(client, editor, "/v1/components/CMP-VM-LNX")
    ok(patch_component(client, editor, "CMP-VM-LNX", {"summary": "Audited summary."}, etag))
    ok(move_component(client, editor, "CMP-VM-LNX", 2, "in_review", comment="please review"))

    items = audit(client, auth)["items"]
    transition, update = items[0], items[1]
    assert items[0]["id"] > items[1]["id"]
    for entry in (transition, update):
        assert entry["actor"] == "portfolio"
        assert entry["role"] == "portfolio"
        assert entry["entity_kind"] == "component"
        assert entry["entity_key"] == "CMP-VM-LNX"
        assert {"id", "at", "before", "after", "comment", "action"} <= entry.keys()
    assert update["action"] == "component.update"
    assert update["before"]["summary"] == old_summary
    assert update["after"]["summary"] == "Audited summary."
    assert update["after"]["version"] == 2
    assert transition["action"] == "component.transition"
    assert transition["before"] == {"version": 2, "status": "draft"}
    assert transition["after"] == {"version": 2, "status": "in_review"}
    assert transition["comment"] == "please review"


def test_audit_records_creation(client: TestClient, auth: Any) -> None:
    create_draft(client, auth)
    entry = audit(client, auth, entity_key="CMP-VM-TEST")["items"][0]
    assert entry["action"] == "component.create"
    assert entry["before"] is None
    assert entry["after"]["code"] == "CMP-VM-TEST"
    assert entry["after"]["status"] == "draft"


def test_audit_records_superseded_version(client: TestClient, auth: Any) -> None:
    etag = etag_of(client, auth("portfolio"), "/v1/components/CMP-VM-LNX")
    ok(patch_component(client, auth("portfolio"), "CMP-VM-LNX", {"summary": "v2"}, etag))
    activate(client, auth, code="CMP-VM-LNX", version=2)
    items = audit(client, auth, entity_key="CMP-VM-LNX", limit=2)["items"]
    assert items[0]["after"] == {"version": 2, "status": "active"}
    assert items[1]["before"] == {"version": 1, "status": "active"}
    assert items[1]["after"] == {"version": 1, "status": "retired"}


@pytest.mark.parametrize("who", ["sales", "portfolio", "approver", "delivery"])
def test_audit_is_admin_only(client: TestClient, auth: Any, who: str) -> None:
    assert_problem(client.get("/v1/audit", headers=auth(who)), 403, "forbidden")


def test_audit_filters(client: TestClient, auth: Any) -> None:
    etag = etag_of(client, auth("portfolio"), "/v1/components/CMP-VM-LNX")
    ok(patch_component(client, auth("portfolio"), "CMP-VM-LNX", {"summary": "By portfolio."}, etag))
    sap = etag_of(client, auth("portfolio-2"), "/v1/components/SAP-BASIS-S4")
    ok(
        patch_component(
            client, auth("portfolio-2"), "SAP-BASIS-S4", {"summary": "By portfolio-2."}, sap
        )
    )

    by_key = audit(client, auth, entity_key="SAP-BASIS-S4")["items"]
    assert by_key
    assert {entry["entity_key"] for entry in by_key} == {"SAP-BASIS-S4"}
    assert by_key[0]["actor"] == "portfolio-2"

    by_actor = audit(client, auth, actor="portfolio")["items"]
    assert by_actor
    assert {entry["actor"] for entry in by_actor} == {"portfolio"}
    assert {entry["entity_key"] for entry in by_actor} == {"CMP-VM-LNX"}

    both = audit(client, auth, actor="portfolio", entity_key="SAP-BASIS-S4")["items"]
    assert both == []
    kinds = audit(client, auth, entity_kind="component")["items"]
    assert {entry["entity_key"] for entry in kinds} >= {"CMP-VM-LNX", "SAP-BASIS-S4"}
    assert {entry["entity_kind"] for entry in kinds} == {"component"}


def test_audit_pages_with_next_cursor(client: TestClient, auth: Any) -> None:
    editor = auth("portfolio")
    for index in range(3):
        ok(patch_component(client, editor, "CMP-VM-LNX", {"summary": f"Summary {index}."}, "*"))
    full = audit(client, auth, actor="portfolio")["items"]
    assert len(full) == 3
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"actor": "portfolio", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = audit(client, auth, **params)
        seen.extend(entry["id"] for entry in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [entry["id"] for entry in full]
    assert seen == sorted(seen, reverse=True)
    assert [entry["after"]["summary"] for entry in full] == [
        "Summary 2.",
        "Summary 1.",
        "Summary 0.",
    ]


def test_audit_since_filter(client: TestClient, auth: Any) -> None:
    ok(patch_component(client, auth("portfolio"), "CMP-VM-LNX", {"summary": "Recent."}, "*"))
    recent = audit(client, auth, since="2000-01-01T00:00:00Z", entity_key="CMP-VM-LNX")
    assert recent["items"]
    assert audit(client, auth, since="2999-01-01T00:00:00+00:00")["items"] == []


def test_audit_since_without_timezone_is_not_a_server_error(client: TestClient, auth: Any) -> None:
    response = client.get(
        "/v1/audit", headers=auth("admin"), params={"since": "2000-01-01T00:00:00"}
    )
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert response.json()["items"]


def test_audit_bad_cursor_is_400(client: TestClient, auth: Any) -> None:
    response = client.get("/v1/audit", headers=auth("admin"), params={"cursor": "garbage!"})
    assert_problem(response, 400, "bad-request")


def test_audit_cursor_from_another_list_is_400(client: TestClient, auth: Any) -> None:
    cursor = list_page(client, auth("admin"), limit=1)["next_cursor"]
    assert cursor
    response = client.get("/v1/audit", headers=auth("admin"), params={"cursor": cursor})
    assert_problem(response, 400, "bad-request")


# --- summary ---------------------------------------------------------------------------------


def test_summary_counts(client: TestClient, auth: Any, default_snapshot: CatalogSnapshot) -> None:
    summary = ok(client.get("/v1/catalog/summary", headers=auth("sales")))
    assert summary["components"] == 83
    assert sum(summary["by_family"].values()) == 83
    assert sum(summary["by_layer"].values()) == 83
    assert summary["by_status"] == {"active": 83}
    assert summary["by_family"]["compute"] == sum(
        1 for c in default_snapshot.components if c.family == "compute"
    )


def test_summary_after_draft(client: TestClient, auth: Any) -> None:
    body = component_body(client, auth)
    body["family"] = "test-family"
    ok(create(client, auth("portfolio"), body), 201)
    curator = ok(client.get("/v1/catalog/summary", headers=auth("portfolio")))
    assert curator["components"] == 84
    assert curator["by_status"] == {"active": 83, "draft": 1}
    assert curator["by_family"]["test-family"] == 1
    sales = ok(client.get("/v1/catalog/summary", headers=auth("sales")))
    assert sales["components"] == 83
    assert sales["by_status"] == {"active": 83}
    assert "test-family" not in sales["by_family"]


def test_summary_counts_one_row_per_component(client: TestClient, auth: Any) -> None:
    etag = etag_of(client, auth("portfolio"), "/v1/components/CMP-VM-LNX")
    ok(patch_component(client, auth("portfolio"), "CMP-VM-LNX", {"summary": "v2"}, etag))
    curator = ok(client.get("/v1/catalog/summary", headers=auth("portfolio")))
    assert curator["components"] == 83
    assert curator["by_status"] == {"active": 82, "draft": 1}
    sales = ok(client.get("/v1/catalog/summary", headers=auth("sales")))
    assert sales["by_status"] == {"active": 83}
