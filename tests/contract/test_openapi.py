"""The OpenAPI document is the contract: every operation lists the problems it can answer,
with the one problem schema under application/problem+json, and a 405 names every method
the path serves."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.bootstrap import create_app
from app.kit.settings import Settings

PROBLEM = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    # Building the document opens nothing: no database is touched.
    return create_app(Settings(database_url="sqlite:///:memory:")).openapi()


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]


def test_fastapis_validation_error_shape_is_not_advertised(spec: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert "HTTPValidationError" not in str(spec["paths"])


def test_the_problem_schema_has_the_rfc_9457_members(spec: dict[str, Any]) -> None:
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance"}
    assert "errors" in problem["properties"]


def test_every_error_answer_is_a_problem(spec: dict[str, Any]) -> None:
    # The problem schema, or one with more members (an infeasible configuration's).
    schemas = spec["components"]["schemas"]
    problem = schemas["Problem"]
    for method, path, operation in operations(spec):
        for status, response in operation["responses"].items():
            if status[0] in "45":
                (media_type,) = response["content"]
                assert media_type == "application/problem+json", (method, path, status)
                ref = response["content"][media_type]["schema"]["$ref"]
                named = schemas[ref.rsplit("/", 1)[1]]
                assert set(problem["required"]) <= set(named["required"]), (method, path, status)
                assert problem["properties"].keys() <= named["properties"].keys()


def test_authenticated_operations_list_the_authentication_problems(
    spec: dict[str, Any],
) -> None:
    for method, path, operation in operations(spec):
        if path.startswith("/v1/"):
            assert {"400", "401", "429", "503"} <= set(operation["responses"]), (method, path)


def test_operations_behind_a_permission_list_403(spec: dict[str, Any]) -> None:
    assert "403" in spec["paths"]["/v1/components"]["post"]["responses"]
    assert "403" in spec["paths"]["/v1/audit"]["get"]["responses"]


def test_operations_with_a_json_body_list_the_body_problems(spec: dict[str, Any]) -> None:
    for method, path, operation in operations(spec):
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            assert {"400", "408", "413", "415", "422"} <= set(operation["responses"]), (
                method,
                path,
            )


def test_unauthenticated_routes_list_no_authentication_problems(spec: dict[str, Any]) -> None:
    assert "401" not in spec["paths"]["/healthz"]["get"]["responses"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("OPTIONS", "/v1/components", "GET, POST"),
        ("DELETE", "/v1/components", "GET, POST"),
        ("OPTIONS", "/v1/capabilities/some-key", "DELETE, GET, PATCH"),
        ("PUT", "/v1/proposals/1", "GET"),
    ],
)
def test_a_405_allows_every_method_the_path_serves(method: str, path: str, allowed: str) -> None:
    # Routing stops at the first route whose path matches; GET /v1/components and
    # POST /v1/components are two routes, and the answer must name both.
    client = TestClient(create_app(Settings(database_url="sqlite:///:memory:")))
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:offerwright:problem:method-not-allowed"


def test_operation_ids_are_unique_names_a_client_can_call(spec: dict[str, Any]) -> None:
    # A generated client names its functions by them (configure, create_proposal...).
    ids = [operation["operationId"] for _, _, operation in operations(spec)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z_]*", name) for name in ids), ids


def test_no_two_models_share_a_name(spec: dict[str, Any]) -> None:
    # FastAPI gives two models of one name module-qualified names (catalog__offerings__Offering),
    # which generators cannot use.
    assert [name for name in spec["components"]["schemas"] if "__" in name] == []
