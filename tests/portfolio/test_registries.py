"""The registry APIs (capabilities, competencies, delivery centres, price books, rules,
offerings): listing, reading with ETags, conditional writes checked against the whole catalog,
visibility per role, and the audit trail of every write."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from catalog.snapshot import CatalogSnapshot
from tests.support.api import Headers, etag_of, merge_patch, ok
from tests.support.problems import assert_problem

Body = dict[str, Any]

# The registries' own behaviour: what the catalog gate makes of each write (a new centre
# taking SAP Basis from Madrid, a test rule every shipped bundle reaches) is tests/assurance's.
# Without the shipped combinations the gate has nothing to run, and these stay fast.
pytestmark = pytest.mark.usefixtures("without_assured_combinations")


@dataclass(frozen=True)
class Case:
    path: str  # URL segment
    field: str  # the audit's entity_kind and the snapshot field
    key: str  # "code", or "id" for rules
    required: tuple[str, ...]  # keys every listed item has
    existing: str  # a record of the default catalog
    new_key: str  # the key of a record this test creates
    new: Callable[[Body], Body]  # the new record, made from the existing one as read
    change: Body  # a valid merge patch of the new record


def _copy(key: str, value: str, **changes: Any) -> Callable[[Body], Body]:
    return lambda existing: {**existing, key: value, **changes}


CASES = [
    Case(
        "competencies",
        "competencies",
        "code",
        ("code", "name", "description"),
        "unix-linux-ops",
        "quantum-ops",
        lambda _: {"code": "quantum-ops", "name": "Quantum ops", "description": "Qubits."},
        {"description": "Qubits, kept cold."},
    ),
    Case(
        "delivery-centres",
        "delivery_centres",
        "code",
        ("code", "name", "country", "region"),
        "ES-MAD",
        "ES-BCN",
        _copy("code", "ES-BCN", name="Barcelona SAP Centre"),
        {"monthly_capacity_hours": 5000, "labour_rates": {"architect": "120"}},
    ),
    Case(
        "price-books",
        "price_books",
        "code",
        ("code", "currency"),
        "EUR",
        "EUR2",
        _copy("code", "EUR2", name="Euro list prices 2027"),
        {"name": "Euro list prices 2027 (revised)", "fx_rates": {"CHF": "0.95"}},
    ),
    Case(
        "rules",
        "rules",
        "id",
        ("id", "kind", "message"),
        "R-SAP-001",
        "R-TEST-001",
        _copy("id", "R-TEST-001", severity="warning", message="S/4HANA usually goes with HANA."),
        {"message": "Advice: run S/4HANA on HANA."},
    ),
    Case(
        "offerings",
        "offerings",
        "code",
        ("code", "name", "capabilities", "default_components"),
        "OFF-SAP-S4-LNX",
        "OFF-TEST",
        _copy("code", "OFF-TEST", name="Test offering"),
        {"name": "Test offering, renamed"},
    ),
]
CAPABILITIES = Case(
    "capabilities",
    "capabilities",
    "code",
    ("code", "name", "unit"),
    "compute.linux",
    "quantum.compute",
    lambda _: {"code": "quantum.compute", "name": "Q", "unit": "server", "description": "Q."},
    {"name": "Managed Linux server (any platform)"},
)
ALL = [*CASES, CAPABILITIES]


def ids(cases: list[Case]) -> list[str]:
    return [case.path for case in cases]


# --- helpers ---------------------------------------------------------------------------------


def read(client: TestClient, headers: Headers, path: str) -> Body:
    return ok(client.get(path, headers=headers))  # type: ignore[no-any-return]


def delete(client: TestClient, headers: Headers, path: str, if_match: str | None) -> Response:
    sent = dict(headers) if if_match is None else {**headers, "If-Match": if_match}
    return client.delete(path, headers=sent)


def list_all(client: TestClient, headers: Headers, path: str, limit: int = 50) -> list[Body]:
    items: list[Body] = []
    cursor = None
    for _ in range(100):
        params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        page = ok(client.get(f"/v1/{path}", headers=headers, params=params))
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the listing never ended")


def audit_of(client: TestClient, auth: Any, kind: str, key: str) -> list[Body]:
    params = {"entity_kind": kind, "entity_key": key, "limit": 200}
    page = ok(client.get("/v1/audit", headers=auth("admin"), params=params))
    return page["items"]  # type: ignore[no-any-return]


def new_record(client: TestClient, auth: Any, case: Case) -> Body:
    existing = read(client, auth("portfolio"), f"/v1/{case.path}/{case.existing}")
    return case.new(existing)


def create(client: TestClient, auth: Any, case: Case, who: str = "portfolio") -> Response:
    return client.post(f"/v1/{case.path}", headers=auth(who), json=new_record(client, auth, case))


def snapshot_keys(snapshot: CatalogSnapshot, case: Case) -> set[str]:
    return {getattr(item, case.key) for item in getattr(snapshot, case.field)}


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ALL, ids=ids(ALL))
def test_list_items_have_required_keys(
    client: TestClient, auth: Any, default_snapshot: CatalogSnapshot, case: Case
) -> None:
    items = list_all(client, auth("sales"), case.path, limit=200)
    assert items
    for item in items:
        assert set(case.required) <= item.keys(), item
    keys = [item[case.key] for item in items]
    assert keys == sorted(set(keys))
    assert set(keys) == snapshot_keys(default_snapshot, case)


@pytest.mark.parametrize("case", ALL, ids=ids(ALL))
def test_list_pages_with_next_cursor(
    client: TestClient, auth: Any, default_snapshot: CatalogSnapshot, case: Case
) -> None:
    keys = [item[case.key] for item in list_all(client, auth("portfolio"), case.path, limit=3)]
    assert keys == sorted(set(keys))
    assert set(keys) == snapshot_keys(default_snapshot, case)


def test_rules_default_page_is_50(client: TestClient, auth: Any) -> None:
    page = read(client, auth("sales"), "/v1/rules")
    assert len(page["items"]) == 50
    assert page["next_cursor"]
    rest = read(client, auth("sales"), f"/v1/rules?cursor={page['next_cursor']}")
    assert rest["next_cursor"] is None
    first = {item["id"] for item in page["items"]}
    assert first.isdisjoint(item["id"] for item in rest["items"])


@pytest.mark.parametrize("path", ["rules", "delivery-centres"])
@pytest.mark.parametrize("params", ["limit=0", "limit=201", "cursor=not-a-cursor!"])
def test_list_bad_parameters(client: TestClient, auth: Any, path: str, params: str) -> None:
    response = client.get(f"/v1/{path}?{params}", headers=auth("sales"))
    if params.startswith("limit"):
        assert_problem(response, 422, "validation-error")
    else:
        assert_problem(response, 400, "bad-request")


@pytest.mark.parametrize("case", ALL, ids=ids(ALL))
def test_get_one_with_etag(client: TestClient, auth: Any, case: Case) -> None:
    response = client.get(f"/v1/{case.path}/{case.existing}", headers=auth("portfolio"))
    assert response.status_code == 200, response.text
    assert response.json()[case.key] == case.existing
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert etag_of(client, auth("portfolio"), f"/v1/{case.path}/{case.existing}") == etag
    listed = list_all(client, auth("portfolio"), case.path, limit=200)
    assert response.json() in listed


@pytest.mark.parametrize("case", ALL, ids=ids(ALL))
def test_get_unknown_is_404(client: TestClient, auth: Any, case: Case) -> None:
    response = client.get(f"/v1/{case.path}/NO-SUCH-RECORD", headers=auth("sales"))
    problem = assert_problem(response, 404, "not-found")
    assert "NO-SUCH-RECORD" in problem["detail"]


def test_specific_records(client: TestClient, auth: Any) -> None:
    centre = read(client, auth("sales"), "/v1/delivery-centres/CZ-BRN")
    assert (centre["country"], centre["region"]) == ("CZ", "EU")
    assert "virtualisation" in centre["competencies"]
    book = read(client, auth("sales"), "/v1/price-books/GBP")
    assert book["currency"] == "GBP"
    rule = read(client, auth("sales"), "/v1/rules/R-SAP-001")
    assert rule["kind"] == "requires"
    assert rule["if"] == "SAP-BASIS-S4"
    assert rule["then"] == ["DB-HANA"]


def test_labour_rates_are_cost(client: TestClient, auth: Any) -> None:
    for who in ("sales", "delivery"):
        centre = read(client, auth(who), "/v1/delivery-centres/CZ-BRN")
        assert "labour_rates" not in centre
        assert centre["competencies"]
    for who in ("portfolio", "approver", "admin"):
        assert read(client, auth(who), "/v1/delivery-centres/CZ-BRN")["labour_rates"]["dba"]
    assert etag_of(client, auth("sales"), "/v1/delivery-centres/CZ-BRN") != etag_of(
        client, auth("portfolio"), "/v1/delivery-centres/CZ-BRN"
    )


def body_hash(response: Response) -> str:
    return f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'


def test_the_etag_is_the_hash_of_the_representation_sent(client: TestClient, auth: Any) -> None:
    path = "/v1/delivery-centres/CZ-BRN"
    sales, admin = client.get(path, headers=auth("sales")), client.get(path, headers=auth("admin"))
    for response in (sales, admin):
        assert response.headers["ETag"] == body_hash(response)
    # A change of labour rates only (cost): admin's representation changes, sales' does not.
    rates = {**admin.json()["labour_rates"], "dba": "999"}
    patched = client.patch(
        path, json={"labour_rates": rates},
        headers={**auth("admin"), "If-Match": admin.headers["ETag"]},
    )  # fmt: skip
    assert patched.status_code == 200, patched.text
    assert patched.headers["ETag"] == body_hash(patched) != admin.headers["ETag"]
    assert etag_of(client, auth("admin"), path) == patched.headers["ETag"]
    assert etag_of(client, auth("sales"), path) == sales.headers["ETag"]

    # A writer's If-Match is checked against the representation it was sent.
    def rename(if_match: str) -> Response:
        headers = {**auth("portfolio"), "If-Match": if_match}
        return client.patch(path, json={"name": "Brno"}, headers=headers)

    assert rename(sales.headers["ETag"]).status_code == 412
    assert rename(etag_of(client, auth("portfolio"), path)).status_code == 200
    deleted = client.delete(
        "/v1/delivery-centres/DE-FRA",
        headers={
            **auth("portfolio"),
            "If-Match": etag_of(client, auth("sales"), "/v1/delivery-centres/DE-FRA"),
        },
    )
    assert deleted.status_code == 412, deleted.text


def test_margin_floors_are_cost_and_discount_limits_are_not(client: TestClient, auth: Any) -> None:
    for who in ("sales", "delivery"):
        for book in (
            read(client, auth(who), "/v1/price-books/EUR"),
            read(client, auth(who), "/v1/price-books")["items"][0],
        ):
            assert book["guardrails"] == {
                "max_discount_percent": {"sales": "10", "portfolio": "10", "approver": "25",
                                         "admin": "25"},
            }  # fmt: skip
    for who in ("portfolio", "approver", "admin"):
        guardrails = read(client, auth(who), "/v1/price-books/EUR")["guardrails"]
        assert guardrails["margin_floor_percent"] == "25"
        assert guardrails["family_margin_floors"]["sap"] == "30"


def test_delivery_key_sees_only_its_own_centre(client: TestClient, auth: Any) -> None:
    delivery = auth("delivery")  # CZ-BRN
    items = read(client, delivery, "/v1/delivery-centres")["items"]
    assert [centre["code"] for centre in items] == ["CZ-BRN"]
    assert "labour_rates" not in items[0]
    ok(client.get("/v1/delivery-centres/CZ-BRN", headers=delivery))
    for other in ("GB-LON", "DE-FRA", "NO-SUCH"):
        assert_problem(
            client.get(f"/v1/delivery-centres/{other}", headers=delivery), 404, "not-found"
        )
    auth.add("delivery-blr", "delivery", centre="IN-BLR")
    items = read(client, auth("delivery-blr"), "/v1/delivery-centres")["items"]
    assert [centre["code"] for centre in items] == ["IN-BLR"]
    # other registries are not narrowed
    assert len(read(client, delivery, "/v1/price-books")["items"]) == 3


# --- writing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_create_patch_delete(client: TestClient, auth: Any, case: Case) -> None:
    portfolio = auth("portfolio")
    path = f"/v1/{case.path}/{case.new_key}"
    body = new_record(client, auth, case)

    created = client.post(f"/v1/{case.path}", headers=portfolio, json=body)
    assert created.status_code == 201, created.text
    assert created.json()[case.key] == case.new_key
    assert created.headers["Location"] == path
    assert read(client, portfolio, path) == created.json()
    etag = created.headers["ETag"]
    assert etag == etag_of(client, portfolio, path)
    assert case.new_key in {
        item[case.key] for item in list_all(client, portfolio, case.path, limit=200)
    }

    assert_problem(
        merge_patch(client, portfolio, path, case.change, None), 428, "precondition-required"
    )
    assert_problem(merge_patch(client, portfolio, path, case.change, '"stale"'), 412)
    assert read(client, portfolio, path) == created.json()

    changed = merge_patch(client, portfolio, path, case.change, etag)
    assert changed.status_code == 200, changed.text
    after = changed.json()
    for name, value in case.change.items():
        if isinstance(value, dict):  # merge patch: nested objects merge
            assert after[name] == {**created.json()[name], **value}
        else:
            assert after[name] == value
    new_etag = changed.headers["ETag"]
    assert new_etag != etag
    assert read(client, portfolio, path) == after

    assert_problem(
        merge_patch(client, portfolio, path, case.change, etag), 412, "precondition-failed"
    )
    assert_problem(delete(client, portfolio, path, None), 428, "precondition-required")
    assert_problem(delete(client, portfolio, path, etag), 412, "precondition-failed")
    assert read(client, portfolio, path) == after

    deleted = delete(client, portfolio, path, new_etag)
    assert deleted.status_code == 204, deleted.text
    assert_problem(client.get(path, headers=portfolio), 404, "not-found")
    assert_problem(delete(client, portfolio, path, "*"), 404, "not-found")


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_if_match_star(client: TestClient, auth: Any, case: Case) -> None:
    ok(create(client, auth, case), 201)
    path = f"/v1/{case.path}/{case.new_key}"
    ok(merge_patch(client, auth("admin"), path, case.change, "*"))
    assert delete(client, auth("admin"), path, "*").status_code == 204


def test_patch_existing_capability(client: TestClient, auth: Any) -> None:
    path = "/v1/capabilities/compute.linux"
    etag = etag_of(client, auth("portfolio"), path)
    changed = ok(merge_patch(client, auth("portfolio"), path, CAPABILITIES.change, etag))
    assert changed["name"] == CAPABILITIES.change["name"]
    assert changed["unit"] == "server"
    assert read(client, auth("sales"), path)["name"] == CAPABILITIES.change["name"]


def test_patch_changing_nothing_keeps_the_etag(client: TestClient, auth: Any) -> None:
    path = "/v1/price-books/EUR"
    etag = etag_of(client, auth("portfolio"), path)
    name = read(client, auth("portfolio"), path)["name"]
    audited = audit_of(client, auth, "price_books", "EUR")
    response = merge_patch(client, auth("portfolio"), path, {"name": name, "code": "EUR"}, etag)
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == etag
    assert audit_of(client, auth, "price_books", "EUR") == audited


def test_patch_with_equal_numeric_amount_changes_nothing(client: TestClient, auth: Any) -> None:
    """Amounts are read back as decimal strings ("0.04") but may be sent as JSON numbers;
    0.04 is the rate already stored, so the record, its ETag and the audit stay as they are."""
    path = "/v1/price-books/EUR"
    before = read(client, auth("portfolio"), path)
    assert before["fx_rates"]["CZK"] == "0.04"
    etag = etag_of(client, auth("portfolio"), path)
    audited = audit_of(client, auth, "price_books", "EUR")
    response = merge_patch(client, auth("portfolio"), path, {"fx_rates": {"CZK": 0.04}}, etag)
    assert response.status_code == 200, response.text
    assert response.json() == before
    assert response.headers["ETag"] == etag
    assert audit_of(client, auth, "price_books", "EUR") == audited


@pytest.mark.parametrize("case", ALL, ids=ids(ALL))
def test_create_existing_key_is_409(client: TestClient, auth: Any, case: Case) -> None:
    existing = read(client, auth("portfolio"), f"/v1/{case.path}/{case.existing}")
    response = client.post(f"/v1/{case.path}", headers=auth("portfolio"), json=existing)
    assert_problem(response, 409, "conflict")


@pytest.mark.parametrize("case", ALL, ids=ids(ALL))
def test_changing_the_key_is_422(client: TestClient, auth: Any, case: Case) -> None:
    path = f"/v1/{case.path}/{case.existing}"
    before = read(client, auth("portfolio"), path)
    etag = etag_of(client, auth("portfolio"), path)
    new_key = "RENAMED" if case.path in ("rules", "offerings") else "renamed"
    response = merge_patch(client, auth("portfolio"), path, {case.key: new_key}, etag)
    problem = assert_problem(response, 422, "read-only-field")
    assert [error["field"] for error in problem["errors"]] == [case.key]
    assert read(client, auth("portfolio"), path) == before
    assert_problem(client.get(f"/v1/{case.path}/{new_key}", headers=auth("portfolio")), 404)


@pytest.mark.parametrize("case", ALL, ids=ids(ALL))
def test_unknown_field_is_422(client: TestClient, auth: Any, case: Case) -> None:
    body = {**new_record(client, auth, case), "colour": "blue"}
    response = client.post(f"/v1/{case.path}", headers=auth("portfolio"), json=body)
    problem = assert_problem(response, 422)
    assert "colour" in [error["field"] for error in problem["errors"]]


def test_invalid_field_value_names_the_field(client: TestClient, auth: Any) -> None:
    path = "/v1/delivery-centres/DE-FRA"
    etag = etag_of(client, auth("portfolio"), path)
    response = merge_patch(client, auth("portfolio"), path, {"country": "Germany"}, etag)
    problem = assert_problem(response, 422)
    assert "country" in [error["field"] for error in problem["errors"]]
    assert read(client, auth("portfolio"), path)["country"] == "DE"


@pytest.mark.parametrize("who", ["sales", "approver", "delivery"])
@pytest.mark.parametrize("case", ALL, ids=ids(ALL))
def test_only_writers_write(client: TestClient, auth: Any, who: str, case: Case) -> None:
    body = new_record(client, auth, case)
    assert_problem(client.post(f"/v1/{case.path}", headers=auth(who), json=body), 403, "forbidden")
    path = f"/v1/{case.path}/{case.existing}"
    assert_problem(merge_patch(client, auth(who), path, {"name": "x"}, "*"), 403, "forbidden")
    assert_problem(delete(client, auth(who), path, "*"), 403, "forbidden")
    ok(client.get(path, headers=auth("portfolio")))


def test_non_object_and_malformed_bodies(client: TestClient, auth: Any) -> None:
    portfolio = auth("portfolio")
    assert_problem(client.post("/v1/price-books", headers=portfolio, json=["EUR"]), 422)
    response = client.post(
        "/v1/price-books",
        headers={**portfolio, "Content-Type": "application/json"},
        content=b"{nope",
    )
    assert_problem(response, 400, "malformed-json")
    response = client.patch(
        "/v1/price-books/EUR", headers={**portfolio, "If-Match": "*", "Content-Type": "text/csv"}
    )
    assert_problem(response, 415, "unsupported-media-type")


# --- changes that would break the catalog ----------------------------------------------------

BREAKING = [
    # (description, method, path, merge patch or None, text expected in an error message)
    ("capability in use", "DELETE", "/v1/capabilities/compute.linux", None, "compute.linux"),
    ("sole competency holder", "DELETE", "/v1/delivery-centres/PL-WRO", None, "collaboration"),
    ("price book in use", "DELETE", "/v1/price-books/EUR", None, "EUR"),
    ("competency in use", "DELETE", "/v1/competencies/sap-basis", None, "sap-basis"),
    ("component in a rule", "PATCH", "/v1/rules/R-SAP-001", {"then": ["NO-SUCH"]}, "NO-SUCH"),
    ("rule if", "PATCH", "/v1/rules/R-SAP-001", {"if": "NOT-THERE"}, "NOT-THERE"),
    (
        "offering component",
        "PATCH",
        "/v1/offerings/OFF-SAP-S4-LNX",
        {"optional_components": ["NO-SUCH"]},
        "NO-SUCH",
    ),
    (
        "centre competency",
        "PATCH",
        "/v1/delivery-centres/ES-MAD",
        {"competencies": ["sap-basis", "no-such-competency"]},
        "no-such-competency",
    ),
    (
        "missing labour rate",
        "PATCH",
        "/v1/delivery-centres/ES-MAD",
        {"labour_rates": {"dba": None}},
        "dba",
    ),
    ("FX rate", "PATCH", "/v1/price-books/GBP", {"fx_rates": {"CZK": None}}, "CZK"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "mentioned"),
    [case[1:] for case in BREAKING],
    ids=[case[0] for case in BREAKING],
)
def test_breaking_change_is_refused(
    client: TestClient, auth: Any, method: str, path: str, body: Body | None, mentioned: str
) -> None:
    portfolio = auth("portfolio")
    before = read(client, portfolio, path)
    etag = etag_of(client, portfolio, path)
    kind, key = path.split("/")[2].replace("-", "_"), path.split("/")[3]
    audited = audit_of(client, auth, kind, key)
    if method == "DELETE":
        response = delete(client, portfolio, path, etag)
    else:
        assert body is not None
        response = merge_patch(client, portfolio, path, body, etag)
    problem = assert_problem(response, 422, "validation-error")
    assert "inconsistent" in problem["detail"]
    assert problem["errors"]
    assert mentioned in " ".join(error["message"] for error in problem["errors"])
    assert read(client, portfolio, path) == before
    assert etag_of(client, portfolio, path) == etag
    assert audit_of(client, auth, kind, key) == audited


def test_new_capability_needs_a_provider(client: TestClient, auth: Any) -> None:
    """The catalog requires every capability to be provided by a component, and a component
    may only name known capabilities; a capability without a provider is refused."""
    response = create(client, auth, CAPABILITIES)
    problem = assert_problem(response, 422, "validation-error")
    assert "no component provides capability 'quantum.compute'" in [
        error["message"] for error in problem["errors"]
    ]
    assert_problem(client.get("/v1/capabilities/quantum.compute", headers=auth("portfolio")), 404)


def test_breaking_create_leaves_nothing(client: TestClient, auth: Any) -> None:
    body = {
        "id": "R-TEST-BAD",
        "kind": "requires",
        "if": "SAP-BASIS-S4",
        "then": ["GHOST-COMPONENT"],
        "message": "Broken.",
    }
    problem = assert_problem(client.post("/v1/rules", headers=auth("portfolio"), json=body), 422)
    assert "GHOST-COMPONENT" in " ".join(error["message"] for error in problem["errors"])
    assert_problem(client.get("/v1/rules/R-TEST-BAD", headers=auth("portfolio")), 404)
    assert audit_of(client, auth, "rules", "R-TEST-BAD") == []


def test_deleting_a_centre_that_is_not_the_only_holder(client: TestClient, auth: Any) -> None:
    etag = etag_of(client, auth("portfolio"), "/v1/delivery-centres/ES-MAD")
    response = delete(client, auth("portfolio"), "/v1/delivery-centres/ES-MAD", etag)
    assert response.status_code == 204, response.text
    codes = [c["code"] for c in read(client, auth("portfolio"), "/v1/delivery-centres")["items"]]
    assert "ES-MAD" not in codes
    assert len(codes) == 6


# --- audit -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_every_write_is_audited(client: TestClient, auth: Any, case: Case) -> None:
    path = f"/v1/{case.path}/{case.new_key}"
    created = create(client, auth, case)
    assert created.status_code == 201, created.text
    changed = merge_patch(client, auth("portfolio-2"), path, case.change, created.headers["ETag"])
    assert changed.status_code == 200, changed.text
    assert delete(client, auth("admin"), path, changed.headers["ETag"]).status_code == 204

    entries = audit_of(client, auth, case.field, case.new_key)
    assert [entry["action"] for entry in entries] == [
        "record.delete",
        "record.update",
        "record.create",
    ]
    removal, update, creation = entries
    assert (creation["actor"], creation["role"]) == ("portfolio", "portfolio")
    assert (update["actor"], update["role"]) == ("portfolio-2", "portfolio")
    assert (removal["actor"], removal["role"]) == ("admin", "admin")
    assert creation["before"] is None
    assert creation["after"] == created.json()
    assert update["before"] == created.json()
    assert update["after"] == changed.json()
    assert removal["before"] == changed.json()
    assert removal["after"] is None
    assert {entry["entity_kind"] for entry in entries} == {case.field}


def test_capability_patch_is_audited(client: TestClient, auth: Any) -> None:
    path = "/v1/capabilities/compute.linux"
    before = read(client, auth("portfolio"), path)
    earlier = audit_of(client, auth, "capabilities", "compute.linux")
    ok(merge_patch(client, auth("portfolio"), path, CAPABILITIES.change, "*"))
    entries = audit_of(client, auth, "capabilities", "compute.linux")
    assert entries[1:] == earlier
    assert entries[0]["action"] == "record.update"
    assert entries[0]["actor"] == "portfolio"
    assert entries[0]["before"] == before
    assert entries[0]["after"]["name"] == CAPABILITIES.change["name"]
