"""Security of the REST API: who may call what (every route, every role), authentication,
throttling, keys at rest, hostile or broken input, and cost fields kept from those without
``cost.read``."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import ValidationError
from sqlalchemy import select, text
from typer.testing import CliRunner

from app.auth.service import revoke_key
from app.auth.throttle import server_options
from app.auth.visibility import Audience, cost_fields_in, visible, without_cost
from app.bootstrap import create_app
from app.cli import app as cli
from app.kit.settings import Settings, get_settings
from app.models import ApiKey
from tests.support.api import Auth
from tests.support.assured import with_combinations
from tests.support.database import BrokenDatabase, RolledBackDatabase
from tests.support.factories import copied_component, default_catalog_json
from tests.support.problems import assert_problem
from tests.support.routes import (
    APPROVERS,
    CASES,
    CENTRE,
    CONFIGURATION,
    COST,
    CURATORS,
    FOREIGN_DELIVERY,
    OWN_DELIVERY,
    QUOTE,
    ROLES,
    Case,
    draft_v2,
    write_headers,
)

# One application and one set of keys for the whole module (the role matrix alone calls
# every route as every role): see tests/support/shared_app.py.
pytestmark = pytest.mark.shared_app

SEES = {
    role: OWN_DELIVERY
    | (COST if role in ("portfolio", "approver", "admin") else frozenset())
    | (FOREIGN_DELIVERY if role != "delivery" else frozenset())
    for role in ROLES
}


def test_the_matrix_covers_every_route(client: TestClient) -> None:
    """A route added to the app without a row here fails this test."""
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    routes = {(method.upper(), path) for path, operations in paths.items() for method in operations}
    assert {route for route in routes if not route[1].startswith("/v1/")} == {("GET", "/healthz")}
    assert {(case.method, case.route) for case in CASES} == {
        route for route in routes if route[1].startswith("/v1/")
    }


@pytest.mark.parametrize("caller", [*ROLES, None], ids=[*ROLES, "no-key"])
@pytest.mark.parametrize("case", CASES, ids=str)
def test_role_matrix(
    client: TestClient, auth: Auth, database: RolledBackDatabase, case: Case, caller: str | None
) -> None:
    if case.changes_the_catalog:
        # Who may do what, not what the catalog gate makes of it (tests/assurance): without
        # the shipped combinations, deleting DE-FRA or retiring CMP-VM-LNX goes through.
        with_combinations(database)
    if case.setup is not None:
        case.setup(client, auth)
    response = case.call(client, auth(caller) if caller else {})
    if caller is None:
        assert_problem(response, 401, "unauthenticated")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    elif caller in case.allowed:
        assert response.status_code not in (401, 403), response.text
        assert response.status_code == case.ok, response.text
        _assert_shows(response, case, caller)
    else:
        assert_problem(response, 403, "forbidden")


def _assert_shows(response: Response, case: Case, caller: str) -> None:
    """The whole answer, every field at every depth: what the caller may see of what the
    route shows is there, and nothing else of what some roles may not see."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        assert not case.shows, f"{case} answers no JSON to look into"
        return
    found = sensitive_fields(response.json())
    if case.shows is None:
        assert set(found) <= SEES[caller], found
    else:
        assert set(found) == case.shows & SEES[caller], found


COST_KEYS = frozenset(
    {"effort", "non_labour_cost", "cost_factor", "labour_rates", "cost", "margin",
     "margin_floor_percent", "family_margin_floors"}
)  # fmt: skip


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, str):
        yield value


@functools.cache
def _delivery_texts() -> dict[str, frozenset[str]]:
    """Texts found only in delivery descriptions of the default catalog (nowhere else in
    it, nor in both kinds), of components CZ-BRN delivers and of those it does not."""
    catalog = default_catalog_json()
    centre = next(c for c in catalog["delivery_centres"] if c["code"] == "CZ-BRN")
    elsewhere: set[str] = set()
    texts: dict[str, set[str]] = {"delivery": set(), "foreign-delivery": set()}
    for collection, records in catalog.items():
        for record in records:
            if collection != "components":
                elsewhere.update(_leaves(record))
                continue
            documents = dict(record["documents"])
            description = documents.pop("delivery_description")
            elsewhere.update(_leaves({**record, "documents": documents}))
            own = record["competency"] in centre["competencies"]
            texts["delivery" if own else "foreign-delivery"].update(_leaves(description))
    both = texts["delivery"] & texts["foreign-delivery"]
    return {family: frozenset(found - elsewhere - both) for family, found in texts.items()}


def sensitive_fields(body: Any) -> dict[str, list[str]]:
    """Where ``body`` holds cost or a delivery description: family -> JSON paths."""
    texts = _delivery_texts()
    found: dict[str, list[str]] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            if value.get("kind") == "margin_floor" and "actual_percent" in value:
                found.setdefault("cost", []).append(f"{path}.actual_percent")
            for key, item in value.items():
                if key in COST_KEYS:
                    found.setdefault("cost", []).append(f"{path}.{key}")
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")
        elif isinstance(value, str):
            for family, known in texts.items():
                if value in known:
                    found.setdefault(family, []).append(path)

    walk(body, "$")
    return found


@pytest.mark.parametrize("path", ["/healthz", "/openapi.json", "/docs"])
def test_public_routes_need_no_key(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_delivery_descriptions_only_of_components_the_centre_delivers(
    client: TestClient, auth: Auth, role: str
) -> None:
    # CZ-BRN holds virtualisation (CMP-VM-LNX) but not sap-basis (SAP-BASIS-S4).
    own = client.get("/v1/components/CMP-VM-LNX/delivery-description", headers=auth(role))
    assert own.status_code == 200, own.text
    other = client.get("/v1/components/SAP-BASIS-S4/delivery-description", headers=auth(role))
    if role == "delivery":
        assert_problem(other, 403, "forbidden")
    else:
        assert other.status_code == 200, other.text
        assert other.json()["document"] == "delivery_description"


def test_a_delivery_key_is_bound_to_its_own_centre(client: TestClient, auth: Any) -> None:
    auth.add("madrid", "delivery", "ES-MAD")  # sap-basis, sap-ams, database-ops
    sap = client.get("/v1/components/SAP-BASIS-S4/delivery-description", headers=auth("madrid"))
    assert sap.status_code == 200, sap.text
    vm = client.get("/v1/components/CMP-VM-LNX/delivery-description", headers=auth("madrid"))
    assert_problem(vm, 403, "forbidden")
    # The other documents stay open to it.
    spec = client.get("/v1/components/CMP-VM-LNX/specification", headers=auth("madrid"))
    assert spec.status_code == 200


@pytest.mark.parametrize("key", ["sales", "wroclaw"])
def test_a_component_shows_a_delivery_description_exactly_where_its_route_does(
    client: TestClient, auth: Any, key: str
) -> None:
    """Every component, read whole, as a row and as its document: one decision."""
    auth.add("wroclaw", "delivery", "PL-WRO")  # service desk, end-user services, ...
    listed = client.get("/v1/components?limit=200", headers=auth(key)).json()["items"]
    assert len(listed) == 83
    served = 0
    for item in listed:
        code = item["code"]
        whole = client.get(f"/v1/components/{code}", headers=auth(key)).json()
        document = client.get(f"/v1/components/{code}/delivery-description", headers=auth(key))
        if document.status_code == 200:
            served += 1
            assert whole["documents"]["delivery_description"] == document.json()["content"]
        else:
            assert_problem(document, 403, "forbidden")
            assert "delivery_description" not in whole["documents"], code
            assert set(whole["documents"]) == {"specification", "statement_of_work"}
    assert served == (83 if key == "sales" else 19)


def test_an_approver_never_assures_a_version_of_their_own(client: TestClient, auth: Auth) -> None:
    # An admin import keeps the files' authors: version 2, in review, written by "approver".
    catalog = default_catalog_json()
    component = next(c for c in catalog["components"] if c["code"] == "CMP-VM-LNX")
    component.update(summary="Written by the approver.", status="in_review", author="approver")
    imported = client.post("/v1/catalog/import", json=catalog, headers=auth("admin"))
    assert imported.status_code == 200, imported.text
    read = client.get("/v1/components/CMP-VM-LNX?version=2", headers=auth("admin"))
    assert read.json()["status"] == "in_review" and read.json()["author"] == "approver"

    path = "/v1/components/CMP-VM-LNX/versions/2/transition"
    own = client.post(path, json={"to": "assured"}, headers=auth("approver"))
    assert_problem(own, 403, "forbidden")
    read = client.get("/v1/components/CMP-VM-LNX?version=2", headers=auth("admin"))
    assert read.json()["status"] == "in_review"
    other = client.post(path, json={"to": "assured"}, headers=auth("approver-2"))
    assert other.status_code == 200, other.text
    assert other.json()["status"] == "assured"


# Who may move a version to each status; everyone else is refused whatever the version's state.
MOVES = {"in_review": CURATORS, "assured": APPROVERS, "active": CURATORS, "retired": CURATORS}
DENIED_MOVES = [
    (role, to) for to, allowed in MOVES.items() for role in ROLES if role not in allowed
]


@pytest.mark.parametrize(("role", "to"), DENIED_MOVES, ids=[f"{r}-to-{t}" for r, t in DENIED_MOVES])
def test_a_forbidden_transition_is_403_whatever_the_state(
    client: TestClient, auth: Auth, role: str, to: str
) -> None:
    """The role decides first: a caller who may never make a move learns nothing about the
    version (whether it exists in that state, its status, its ETag) by asking for it."""
    draft_v2(client, auth)  # version 1 active, version 2 a draft sales cannot even read
    version = 1 if to == "in_review" else 2  # a version the move is illegal from
    response = client.post(
        f"/v1/components/CMP-VM-LNX/versions/{version}/transition",
        json={"to": to},
        headers=auth(role),
    )
    assert_problem(response, 403, "forbidden")


def test_a_forbidden_transition_with_a_stale_if_match_is_403(
    client: TestClient, auth: Auth
) -> None:
    draft_v2(client, auth)
    response = client.post(
        "/v1/components/CMP-VM-LNX/versions/2/transition",
        json={"to": "in_review"},
        headers={**auth("sales"), "If-Match": '"stale"'},
    )
    assert_problem(response, 403, "forbidden")
    assert "CMP-VM-LNX-2" not in response.text  # the unreleased version's ETag


# -- authentication --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ow_not-a-key-this-server-issued",
        "Bearer garbage",
        "Basic xyz",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer    ",
        "ow_no-scheme-at-all",
    ],
)
def test_bad_credentials_are_401(client: TestClient, header: str) -> None:
    response = client.get("/v1/components", headers={"Authorization": header})
    assert_problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_valid_key_under_another_scheme_is_401(client: TestClient, auth: Any) -> None:
    for scheme in ("Basic", "Token", "ApiKey"):
        response = client.get(
            "/v1/components", headers={"Authorization": f"{scheme} {auth.keys['sales']}"}
        )
        assert_problem(response, 401, "unauthenticated")


def test_the_bearer_scheme_is_case_insensitive(client: TestClient, auth: Any) -> None:
    for scheme in ("bearer", "BEARER"):
        response = client.get(
            "/v1/components", headers={"Authorization": f"{scheme} {auth.keys['sales']}"}
        )
        assert response.status_code == 200, response.text


def test_a_revoked_key_is_401(client: TestClient, auth: Auth, database: Any) -> None:
    assert client.get("/v1/components", headers=auth("sales")).status_code == 200
    with database.transaction(write=True) as session:
        revoke_key(session, "sales")
    response = client.get("/v1/components", headers=auth("sales"))
    assert_problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    # Revoking one key leaves the others working.
    assert client.get("/v1/components", headers=auth("portfolio")).status_code == 200


@pytest.mark.parametrize("parameter", ["api_key", "token", "access_token", "apikey", "foo"])
def test_a_key_in_the_query_string_is_refused(
    client: TestClient, auth: Any, parameter: str
) -> None:
    key = auth.keys["sales"]
    response = client.get(f"/v1/components?{parameter}={key}", headers=auth("sales"))
    assert_problem(response, 400, "credentials-in-query")
    assert key not in response.text


@pytest.mark.parametrize("parameter", ["api_key", "token", "access_token"])
def test_a_credential_parameter_is_refused_even_when_not_a_key(
    client: TestClient, auth: Auth, parameter: str
) -> None:
    response = client.get(f"/v1/components?{parameter}=whatever", headers=auth("admin"))
    assert_problem(response, 400, "credentials-in-query")


@contextmanager
def _app_client(database: Any, **settings: Any) -> Iterator[TestClient]:
    app = create_app(Settings(**{"auth_failures_per_minute": 10_000, **settings}), database)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


WRONG = {"Authorization": "Bearer ow_wrong"}


def test_repeated_wrong_keys_are_throttled_per_client(database: Any, auth: Auth) -> None:
    with _app_client(database, auth_failures_per_minute=3) as client:
        for _ in range(3):
            assert_problem(client.get("/v1/components", headers=WRONG), 401, "unauthenticated")
        throttled = client.get("/v1/components", headers=WRONG)
        assert_problem(throttled, 429, "too-many-requests")
        assert 1 <= int(throttled.headers["Retry-After"]) <= 60
        # Another client address is not held back by this one's failures.
        other = TestClient(client.app, raise_server_exceptions=False, client=("10.0.0.2", 123))
        assert_problem(other.get("/v1/components", headers=WRONG), 401, "unauthenticated")


def test_a_valid_key_is_served_from_a_throttled_address(database: Any, auth: Auth) -> None:
    """Failures from an address (a neighbour behind the same NAT, an attacker) never lock a
    valid key out: the default limit is 10 a minute, and the 11th failure is refused."""
    with _app_client(database, auth_failures_per_minute=10) as client:
        answers = [client.get("/v1/components", headers=WRONG) for _ in range(11)]
        assert [answer.status_code for answer in answers] == [401] * 10 + [429]
        assert client.get("/v1/components", headers=auth("sales")).status_code == 200
        again = client.get("/v1/components", headers=WRONG)
        assert_problem(again, 429, "too-many-requests")
        assert 1 <= int(again.headers["Retry-After"]) <= 60


@contextmanager
def _served(database: Any, client: str = "127.0.0.1", **settings: Any) -> Iterator[TestClient]:
    """The application as ``offerwright serve`` runs it (Uvicorn's proxy handling included),
    called from the TCP peer ``client``."""
    config = uvicorn.Config(
        create_app(Settings(**settings), database),
        log_config=None,
        **server_options(Settings(**settings)),
    )
    config.load()
    app = config.loaded_app
    with TestClient(app, raise_server_exceptions=False, client=(client, 50000)) as served:
        yield served


def _seen_address(peer: str, forwarded_for: str, **settings: Any) -> str:
    """The client address the application sees under these settings."""
    seen: list[str] = []

    async def echo(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["client"][0])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    config = uvicorn.Config(echo, log_config=None, **server_options(Settings(**settings)))
    config.load()
    client = TestClient(config.loaded_app, client=(peer, 50000))  # no lifespan: plain HTTP
    client.get("/", headers={"X-Forwarded-For": forwarded_for})
    return seen[0]


def test_forwarded_for_is_believed_only_from_trusted_proxies() -> None:
    # By default no proxy is trusted, not even one on this machine.
    assert _seen_address("127.0.0.1", "203.0.113.7") == "127.0.0.1"
    assert _seen_address("10.1.2.3", "203.0.113.7") == "10.1.2.3"
    # A trusted proxy (an address or a network) names the client; anyone else does not.
    assert _seen_address("10.1.2.3", "203.0.113.7", trusted_proxies="10.0.0.0/8") == ("203.0.113.7")
    assert _seen_address("127.0.0.1", "203.0.113.7", trusted_proxies="10.0.0.0/8") == ("127.0.0.1")
    assert _seen_address(
        "10.0.0.5", "203.0.113.7, 10.0.0.9", trusted_proxies="10.0.0.5, 10.0.0.9"
    ) == ("203.0.113.7")


@pytest.mark.parametrize(
    ("trusted", "options"),
    [
        ("", {"proxy_headers": False}),
        ("10.0.0.5,10.1.0.0/16", {"proxy_headers": True,
                                  "forwarded_allow_ips": ["10.0.0.5", "10.1.0.0/16"]}),
    ],
)  # fmt: skip
def test_serve_hands_the_setting_to_uvicorn(
    monkeypatch: pytest.MonkeyPatch, trusted: str, options: dict[str, Any]
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kwargs: calls.append(kwargs))
    monkeypatch.setenv("OFFERWRIGHT_TRUSTED_PROXIES", trusted)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["serve"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    (called,) = calls
    assert {name: called.get(name) for name in options} == options
    if not trusted:
        assert "forwarded_allow_ips" not in called


def test_the_trusted_proxies_setting_takes_addresses_and_networks_only() -> None:
    assert Settings(trusted_proxies=" 10.0.0.1, 192.168.0.0/16 ,::1").trusted_proxy_list == [
        "10.0.0.1",
        "192.168.0.0/16",
        "::1",
    ]
    for wrong in ("*", "proxy.internal", "10.0.0.1,nonsense", "10.0.0.1/8"):
        with pytest.raises(ValidationError):
            Settings(trusted_proxies=wrong)


def test_rotating_forwarded_for_from_an_untrusted_peer_is_still_throttled(
    database: Any, auth: Auth
) -> None:
    with _served(database, auth_failures_per_minute=3) as client:
        answers = [
            client.get("/v1/components", headers={**WRONG, "X-Forwarded-For": f"198.51.100.{n}"})
            for n in range(4)
        ]
        assert [answer.status_code for answer in answers] == [401, 401, 401, 429]
        assert int(answers[-1].headers["Retry-After"]) >= 1
    # Behind a trusted proxy, each forwarded client is counted apart.
    with _served(database, auth_failures_per_minute=3, trusted_proxies="127.0.0.1") as client:
        answers = [
            client.get("/v1/components", headers={**WRONG, "X-Forwarded-For": f"198.51.100.{n}"})
            for n in range(4)
        ]
        assert [answer.status_code for answer in answers] == [401] * 4


def test_valid_keys_do_not_count_towards_throttling(database: Any, auth: Auth) -> None:
    with _app_client(database, auth_failures_per_minute=3) as client:
        for _ in range(5):
            assert client.get("/v1/components", headers=auth("sales")).status_code == 200


def test_keys_are_stored_only_as_digests(database: Any, auth: Any) -> None:
    with database.transaction(write=False) as session:
        rows = {row.name: row for row in session.scalars(select(ApiKey))}
        raw_rows = [tuple(row) for row in session.execute(text("SELECT * FROM api_keys"))]
        audit_rows = [tuple(row) for row in session.execute(text("SELECT * FROM audit_log"))]
    assert set(auth.keys) <= set(rows)
    for name, key in auth.keys.items():
        assert rows[name].key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert rows[name].key_hash != key
        for row in raw_rows:
            assert all(key not in str(value) for value in row), f"raw key of {name} stored"
        for row in audit_rows:
            assert all(key not in str(value) for value in row), f"raw key of {name} audited"


# -- hostile and broken input ---------------------------------------------------------------

# (method, path) of every route that takes a JSON body.
BODY_ROUTES = [
    ("POST", "/v1/components"),
    ("PATCH", "/v1/components/CMP-VM-LNX"),
    ("POST", "/v1/components/CMP-VM-LNX/versions/1/transition"),
    ("POST", "/v1/delivery-centres"),
    ("PATCH", "/v1/delivery-centres/CZ-BRN"),
    ("POST", "/v1/catalog/import"),
    ("POST", "/v1/quotes/price"),
    ("POST", "/v1/configurations"),
]


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES, ids=[" ".join(r) for r in BODY_ROUTES])
@pytest.mark.parametrize("raw", [b"{bad", b'{"summary": "x"', b"\xff\xfe{}", b"{}}"])
def test_malformed_json_is_400(
    client: TestClient, auth: Auth, method: str, path: str, raw: bytes
) -> None:
    headers = {**write_headers(auth, "portfolio"), "Content-Type": "application/json"}
    response = client.request(method, path, content=raw, headers=headers)
    assert_problem(response, 400, "malformed-json")


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES, ids=[" ".join(r) for r in BODY_ROUTES])
def test_no_key_is_401_before_the_body_is_looked_at(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(
        method, path, content=b"{bad", headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 401, "unauthenticated")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param(
            "POST", "/v1/components", lambda: {**copied_component(), "colour": "red"},
            id="POST component",
        ),
        pytest.param(
            "PATCH", "/v1/components/CMP-VM-LNX", lambda: {"colour": "red"},
            id="PATCH component",
        ),
        pytest.param(
            "POST", "/v1/components/CMP-VM-LNX/versions/1/transition",
            lambda: {"to": "retired", "colour": "red"}, id="POST transition",
        ),
        pytest.param(
            "POST", "/v1/delivery-centres",
            lambda: {**CENTRE, "colour": "red"},
            id="POST delivery centre",
        ),
        pytest.param(
            "PATCH", "/v1/delivery-centres/CZ-BRN", lambda: {"colour": "red"},
            id="PATCH delivery centre",
        ),
        pytest.param(
            "POST", "/v1/quotes/price", lambda: {**QUOTE, "colour": "red"}, id="POST quote",
        ),
        pytest.param(
            "POST", "/v1/configurations", lambda: {**CONFIGURATION, "colour": "red"},
            id="POST configuration",
        ),
    ],
)  # fmt: skip
def test_unknown_fields_are_422(
    client: TestClient, auth: Auth, method: str, path: str, body: Callable[[], Any]
) -> None:
    response = client.request(method, path, json=body(), headers=write_headers(auth, "portfolio"))
    problem = assert_problem(response, 422)
    assert [error["field"] for error in problem["errors"]] == ["colour"]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        pytest.param(
            "POST", "/v1/components",
            lambda: {**copied_component(), "quantity": {"min": "abc", "max": 10, "step": 1}},
            "quantity.min", id="POST component",
        ),
        pytest.param(
            "PATCH", "/v1/components/CMP-VM-LNX", lambda: {"quantity": {"min": "abc"}},
            "quantity.min", id="PATCH component",
        ),
        pytest.param(
            "PATCH", "/v1/components/CMP-VM-LNX",
            lambda: {"service_levels": [{"name": "bronze", "availability": "high"}]},
            "service_levels[0].availability", id="PATCH component list item",
        ),
        pytest.param(
            "PATCH", "/v1/delivery-centres/CZ-BRN", lambda: {"monthly_capacity_hours": "lots"},
            "monthly_capacity_hours", id="PATCH delivery centre",
        ),
        pytest.param(
            "POST", "/v1/components/CMP-VM-LNX/versions/1/transition", lambda: {"to": 5}, "to",
            id="POST transition",
        ),
        pytest.param("GET", "/v1/components?limit=many", lambda: None, "limit", id="GET limit"),
        pytest.param(
            "GET", "/v1/components/CMP-VM-LNX?version=two", lambda: None, "version",
            id="GET version",
        ),
    ],
)  # fmt: skip
def test_wrong_types_are_422_naming_the_field(
    client: TestClient, auth: Auth, method: str, path: str, body: Callable[[], Any], field: str
) -> None:
    data = body()
    headers = write_headers(auth, "portfolio")
    if data is None:
        response = client.request(method, path, headers=headers)
    else:
        response = client.request(method, path, json=data, headers=headers)
    problem = assert_problem(response, 422)
    assert field in [error["field"] for error in problem["errors"]], problem


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES, ids=[" ".join(r) for r in BODY_ROUTES])
def test_deeply_nested_json_is_a_client_error(
    client: TestClient, auth: Auth, method: str, path: str
) -> None:
    """Valid JSON nested deeper than the parser's recursion limit (300 kB, under the body
    limit) is the client's problem: a 4xx, never a 500."""
    depth = 50_000
    nested = b'{"a":' * depth + b"1" + b"}" * depth
    headers = {**write_headers(auth, "portfolio"), "Content-Type": "application/json"}
    response = client.request(method, path, content=nested, headers=headers)
    assert 400 <= response.status_code < 500, response.text
    assert_problem(response, response.status_code)


def test_bodies_over_the_limit_are_413(database: Any, auth: Auth) -> None:
    big = json.dumps({"summary": "x" * 2000}).encode()
    with _app_client(database, max_body_bytes=1000) as client:
        headers = {**write_headers(auth, "portfolio"), "Content-Type": "application/json"}
        for method, path in (
            ("PATCH", "/v1/components/CMP-VM-LNX"),
            ("POST", "/v1/components"),
            ("POST", "/v1/components/CMP-VM-LNX/versions/1/transition"),
        ):
            response = client.request(method, path, content=big, headers=headers)
            assert_problem(response, 413, "payload-too-large")

        # Without a Content-Length (chunked), counted as it arrives.
        def chunks() -> Iterator[bytes]:
            yield b'{"summary": "'
            for _ in range(20):
                yield b"x" * 100
            yield b'"}'

        response = client.patch("/v1/components/CMP-VM-LNX", content=chunks(), headers=headers)
        assert_problem(response, 413, "payload-too-large")
        after = client.get("/v1/components/CMP-VM-LNX", headers=auth("portfolio"))
        assert after.json()["latest_version"] == 1
        # Under the limit is fine, and imports have a limit of their own.
        small = client.patch("/v1/components/CMP-VM-LNX", json={"summary": "s"}, headers=headers)
        assert small.status_code == 200, small.text
        imported = client.post(
            "/v1/catalog/import", json=default_catalog_json(), headers=auth("admin")
        )
        assert imported.status_code == 200, imported.text
    with _app_client(database, max_import_bytes=1000) as client:
        imported = client.post(
            "/v1/catalog/import", json=default_catalog_json(), headers=auth("admin")
        )
        assert_problem(imported, 413, "payload-too-large")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/components/NO-SUCH-COMPONENT"),
        ("GET", "/v1/components/NO-SUCH-COMPONENT/specification"),
        ("GET", "/v1/components/NO-SUCH-COMPONENT/delivery-description"),
        ("PATCH", "/v1/components/NO-SUCH-COMPONENT"),
        ("POST", "/v1/components/NO-SUCH-COMPONENT/versions/1/transition"),
        ("POST", "/v1/components/CMP-VM-LNX/versions/99/transition"),
        ("GET", "/v1/components/CMP-VM-LNX?version=99"),
        ("GET", "/v1/delivery-centres/NO-SUCH-CENTRE"),
        ("PATCH", "/v1/delivery-centres/NO-SUCH-CENTRE"),
        ("DELETE", "/v1/delivery-centres/NO-SUCH-CENTRE"),
        ("GET", "/v1/rules/R-NOPE-999"),
    ],
)
def test_unknown_codes_are_404(client: TestClient, auth: Auth, method: str, path: str) -> None:
    body = {"to": "retired"} if path.endswith("/transition") else {"name": "x"}
    kwargs: dict[str, Any] = {} if method in ("GET", "DELETE") else {"json": body}
    response = client.request(method, path, headers=write_headers(auth, "admin"), **kwargs)
    assert_problem(response, 404, "not-found")


@pytest.mark.parametrize("path", ["/v1/nothing-here", "/nothing-here", "/v1/components/X/nope"])
def test_unknown_routes_are_404_problems(client: TestClient, auth: Auth, path: str) -> None:
    assert_problem(client.get(path, headers=auth("sales")), 404, "not-found")
    assert_problem(client.get(path), 404, "not-found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/v1/components/CMP-VM-LNX"),
        ("PUT", "/v1/components"),
        ("PUT", "/v1/rules/R-SAP-001"),
        ("GET", "/v1/catalog/import"),
        ("POST", "/v1/audit"),
    ],
)
def test_wrong_methods_are_405_problems(
    client: TestClient, auth: Auth, method: str, path: str
) -> None:
    response = client.request(method, path, headers=auth("admin"))
    assert_problem(response, 405, "method-not-allowed")
    assert method not in response.headers["Allow"]


# "draft" is a target (in_review -> draft): from active it is an illegal move, a 409
@pytest.mark.parametrize("to", ["bogus", "deleted", "ACTIVE", ""])
def test_transition_to_an_unknown_status_is_422(client: TestClient, auth: Auth, to: str) -> None:
    response = client.post(
        "/v1/components/CMP-VM-LNX/versions/1/transition", json={"to": to}, headers=auth("admin")
    )
    problem = assert_problem(response, 422)
    assert [error["field"] for error in problem["errors"]] == ["to"]
    component = client.get("/v1/components/CMP-VM-LNX", headers=auth("admin")).json()
    assert component["status"] == "active"


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "active"},
        {"version": 7},
        {"author": "someone-else"},
        {"status": "active", "version": 7, "author": "someone-else"},
    ],
    ids=lambda fields: "+".join(fields),
)
def test_server_set_fields_cannot_be_assigned(
    client: TestClient, auth: Auth, fields: dict[str, Any]
) -> None:
    created = client.post(
        "/v1/components", json={**copied_component(), **fields}, headers=auth("portfolio")
    )
    problem = assert_problem(created, 422, "read-only-field")
    assert {error["field"] for error in problem["errors"]} == set(fields)
    assert all(name in problem["detail"] for name in fields)
    assert client.get("/v1/components/CMP-VM-LNX-COPY", headers=auth("admin")).status_code == 404

    patched = client.patch(
        "/v1/components/CMP-VM-LNX",
        json={"summary": "s", **fields},
        headers=write_headers(auth, "admin"),
    )
    problem = assert_problem(patched, 422, "read-only-field")
    assert {error["field"] for error in problem["errors"]} == set(fields)
    component = client.get("/v1/components/CMP-VM-LNX", headers=auth("admin")).json()
    assert (component["version"], component["status"], component["latest_version"]) == (
        1,
        "active",
        1,
    )
    assert component["author"] != "someone-else"


def test_a_component_code_cannot_be_patched(client: TestClient, auth: Auth) -> None:
    response = client.patch(
        "/v1/components/CMP-VM-LNX",
        json={"code": "CMP-RENAMED"},
        headers=write_headers(auth, "admin"),
    )
    problem = assert_problem(response, 422, "read-only-field")
    assert [error["field"] for error in problem["errors"]] == ["code"]


def test_an_unexpected_error_is_a_500_problem_without_internals() -> None:
    app = create_app(Settings(), BrokenDatabase())  # type: ignore[arg-type]
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/v1/components", headers={"Authorization": "Bearer ow_x"})
    assert_problem(response, 500, "internal-error")
    assert "boom" not in response.text and "secret" not in response.text


def _audit_count(client: TestClient, auth: Auth) -> int:
    count, cursor = 0, None
    while True:
        query = "/v1/audit?limit=200" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(query, headers=auth("admin"))
        assert page.status_code == 200, page.text
        count += len(page.json()["items"])
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return count


@pytest.mark.parametrize("latest", ["active", "draft"])
@pytest.mark.parametrize(
    "patch",
    [
        {"summary": "changed", "competency": "no-such-competency"},
        {"summary": "changed", "quantity": {"min": -5}},
        {"summary": "changed", "colour": "red"},
        {"summary": "changed", "status": "retired"},
    ],
    ids=["inconsistent", "invalid", "unknown-field", "read-only"],
)
def test_a_refused_patch_leaves_nothing_behind(
    client: TestClient, auth: Auth, latest: str, patch: dict[str, Any]
) -> None:
    if latest == "draft":
        draft_v2(client, auth)  # then the patch would edit version 2 in place
    path = "/v1/components/CMP-VM-LNX"
    version = client.get(path, headers=auth("admin")).json()["latest_version"]
    before = client.get(f"{path}?version={version}", headers=auth("admin"))
    audited = _audit_count(client, auth)

    response = client.patch(
        path, json=patch, headers={**auth("admin"), "If-Match": before.headers["ETag"]}
    )
    assert_problem(response, 422)

    after = client.get(f"{path}?version={version}", headers=auth("admin"))
    assert after.headers["ETag"] == before.headers["ETag"]
    assert after.json() == before.json()
    assert _audit_count(client, auth) == audited


def test_a_refused_registry_write_leaves_nothing_behind(client: TestClient, auth: Auth) -> None:
    path = "/v1/delivery-centres/CZ-BRN"
    before = client.get(path, headers=auth("admin"))
    audited = _audit_count(client, auth)
    for response in (
        client.patch(
            path,
            json={"name": "x", "competencies": ["no-such-competency"]},
            headers={**auth("admin"), "If-Match": before.headers["ETag"]},
        ),
        client.delete("/v1/capabilities/compute.linux", headers=write_headers(auth, "admin")),
    ):
        assert_problem(response, 422)
    after = client.get(path, headers=auth("admin"))
    assert (after.headers["ETag"], after.json()) == (before.headers["ETag"], before.json())
    assert client.get("/v1/capabilities/compute.linux", headers=auth("admin")).status_code == 200
    assert _audit_count(client, auth) == audited


# -- cost fields ------------------------------------------------------------------------------

COST_WORDS = ("effort", "non_labour_cost", "cost_factor", "labour_rates", '"cost"')


@pytest.mark.parametrize("role", ["sales", "delivery"])
def test_callers_without_cost_read_see_no_cost_anywhere(
    client: TestClient, auth: Auth, role: str
) -> None:

    listed = client.get("/v1/components?limit=200", headers=auth(role)).json()["items"]
    assert len(listed) == 83
    for item in listed:
        body = client.get(f"/v1/components/{item['code']}", headers=auth(role)).json()
        assert cost_fields_in("component", body) == [], item["code"]
    pages = [
        client.get(path, headers=auth(role)).text
        for path in (
            "/v1/components?limit=200",
            "/v1/delivery-centres?limit=200",
            "/v1/delivery-centres/CZ-BRN",
            "/v1/components/CMP-VM-LNX/delivery-description",
        )
    ]
    assert not [word for page in pages for word in COST_WORDS if word in page]
    # ... and the representation without cost is tagged as a different one.
    etag = client.get("/v1/components/CMP-VM-LNX", headers=auth(role)).headers["ETag"]
    full = client.get("/v1/components/CMP-VM-LNX", headers=auth("admin")).headers["ETag"]
    assert etag != full


# The visibility functions themselves (pure: no database).

COSTED: dict[str, Any] = {
    "code": "CMP-X",
    "effort": {"monthly": {"linux-admin": 1}},
    "non_labour_cost": {"currency": "EUR", "monthly": "10"},
    "partner": {"name": "Vendor", "cost": {"monthly": "5"}},
    "service_levels": [
        {"name": "bronze", "price_factor": "1.0", "cost_factor": "1.0"},
        {"name": "gold", "price_factor": "1.3", "cost_factor": "1.2"},
    ],
    "prices": {"EUR": {"one_time": "100"}},
}


def test_without_cost_removes_every_cost_field() -> None:
    original = copy.deepcopy(COSTED)
    cleaned = without_cost("component", COSTED)
    assert cleaned == {
        "code": "CMP-X",
        "partner": {"name": "Vendor"},
        "service_levels": [
            {"name": "bronze", "price_factor": "1.0"},
            {"name": "gold", "price_factor": "1.3"},
        ],
        "prices": {"EUR": {"one_time": "100"}},
    }
    assert original == COSTED  # the input is left alone


def test_without_cost_tolerates_absent_and_odd_shapes() -> None:
    assert without_cost("component", {"code": "X"}) == {"code": "X"}
    odd = {"partner": None, "service_levels": "gold", "effort": None}
    assert without_cost("component", odd) == {"partner": None, "service_levels": "gold"}
    assert without_cost("capability", {"code": "c", "effort": 1}) == {"code": "c", "effort": 1}


def test_without_cost_of_a_delivery_centre_drops_labour_rates() -> None:
    centre = {"code": "CZ-BRN", "labour_rates": {"linux-admin": 1150}, "competencies": ["x"]}
    assert without_cost("delivery_centre", centre) == {"code": "CZ-BRN", "competencies": ["x"]}


def test_cost_fields_in_finds_every_cost_field() -> None:
    assert sorted(cost_fields_in("component", COSTED)) == sorted(
        [
            "effort",
            "non_labour_cost",
            "partner.cost",
            "service_levels[0].cost_factor",
            "service_levels[1].cost_factor",
        ]
    )
    assert cost_fields_in("component", without_cost("component", COSTED)) == []
    assert cost_fields_in("component", {"service_levels": [{"name": "gold"}]}) == []
    assert cost_fields_in("component", {"partner": {"name": "Vendor"}}) == []
    assert cost_fields_in("delivery_centre", {"labour_rates": {}}) == ["labour_rates"]
    assert cost_fields_in("offering", {"effort": 1}) == []


def test_visible_keeps_what_the_audience_may_not_see_out() -> None:
    component = {
        **COSTED,
        "competency": "virtualisation",
        "documents": {"specification": "s", "delivery_description": {"tooling": ["t"]}},
    }
    everything = Audience(cost=True, competencies=None)
    assert visible("component", component, everything) == component
    brno = Audience(cost=False, competencies=frozenset({"virtualisation"}))
    assert visible("component", component, brno) == without_cost("component", component)
    madrid = Audience(cost=False, competencies=frozenset({"sap-basis"}))
    seen = visible("component", component, madrid)
    assert seen["documents"] == {"specification": "s"}
    assert cost_fields_in("component", seen) == []
    assert component["documents"]["delivery_description"] == {"tooling": ["t"]}  # untouched
    centre = {"code": "CZ-BRN", "labour_rates": {"x": 1}}
    assert visible("delivery_centre", centre, madrid) == {"code": "CZ-BRN"}
    assert visible("rule", {"id": "R-1", "effort": 1}, madrid) == {"id": "R-1", "effort": 1}


def test_cost_fields_in_reports_a_field_sent_as_null() -> None:
    # Clearing a cost field is setting it too.
    assert cost_fields_in("component", {"effort": None, "partner": {"cost": None}}) == [
        "effort",
        "partner.cost",
    ]
