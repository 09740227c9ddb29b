"""``app.kit.bodies.json_model``: a body read as every JSON body is (after authentication,
decimals exact, the same 415/400/422 problems), validated by its model, and named in the
OpenAPI document as the operation's request body."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from app.auth import json_model
from app.auth.auth import authenticated
from app.auth.principal import Principal
from app.kit import contract, problems
from app.kit.errors import Unauthenticated

seen: list[Any] = []


class Part(BaseModel):
    code: str = Field(min_length=1)


class Order(BaseModel):
    amount: Decimal
    parts: list[Part] = Field(max_length=3)


def _at_most_three(request: Request, raw: dict[str, Any]) -> None:
    seen.append(("checked", len(raw.get("parts", []))))


OrderBody = Annotated[Order, Depends(json_model(Order, "order", check=_at_most_three))]
PatchBody = Annotated[Order, Depends(json_model(Order, "order", merge_patch=True))]


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    problems.install(app)
    contract.install(app)

    async def caller(request: Request) -> Principal:
        if request.headers.get("authorization") != "Bearer good":
            raise Unauthenticated("send Authorization: Bearer <key>")
        return Principal("tester", "sales")

    app.dependency_overrides[authenticated] = caller

    @app.post("/orders")
    def order(body: OrderBody) -> dict[str, Any]:
        seen.append(body)
        return {"amount": str(body.amount)}

    @app.patch("/orders")
    def patch(body: PatchBody) -> dict[str, Any]:
        return {"amount": str(body.amount)}

    seen.clear()
    return TestClient(app)


AUTH = {"Authorization": "Bearer good"}


def test_the_model_arrives_with_exact_decimals(client: TestClient) -> None:
    response = client.post(
        "/orders", content=b'{"amount": 0.1, "parts": [{"code": "A"}]}',
        headers={**AUTH, "Content-Type": "application/json"},
    )  # fmt: skip
    assert response.json() == {"amount": "0.1"}
    assert seen == [("checked", 1), Order(amount=Decimal("0.1"), parts=[Part(code="A")])]


def test_nothing_is_read_before_authentication(client: TestClient) -> None:
    response = client.post("/orders", content=b"not json", headers={"Content-Type": "text/plain"})
    assert response.status_code == 401 and seen == []


@pytest.mark.parametrize(
    ("content", "media_type", "status", "slug"),
    [
        (b'{"amount": 1}', "text/plain", 415, "unsupported-media-type"),
        (b'{"amount": ', "application/json", 400, "malformed-json"),
        (b"[1]", "application/json", 422, "validation-error"),
    ],
)
def test_the_json_body_problems_are_the_same(
    client: TestClient, content: bytes, media_type: str, status: int, slug: str
) -> None:
    response = client.post("/orders", content=content, headers={**AUTH, "Content-Type": media_type})
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:offerwright:problem:{slug}"


def test_invalid_fields_are_named_as_services_name_them(client: TestClient) -> None:
    body = {"amount": "x", "parts": [{"code": ""}], "colour": "red"}
    response = client.post("/orders", json=body, headers=AUTH)
    problem = response.json()
    assert response.status_code == 422 and problem["detail"] == "the order is not valid"
    assert {error["field"] for error in problem["errors"]} == {"amount", "parts[0].code"}
    assert seen == [("checked", 1)]  # checked before validation


def test_a_merge_patch_body_accepts_both_media_types(client: TestClient) -> None:
    for media_type in ("application/merge-patch+json", "application/json"):
        response = client.patch(
            "/orders", content=b'{"amount": 2, "parts": []}',
            headers={**AUTH, "Content-Type": media_type},
        )  # fmt: skip
        assert response.json() == {"amount": "2"}


def test_the_document_names_the_model_as_the_request_body(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/orders"]["post"]
    assert post["requestBody"] == {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}},
    }
    assert set(spec["paths"]["/orders"]["patch"]["requestBody"]["content"]) == {
        "application/json",
        "application/merge-patch+json",
    }
    assert {"Order", "Part"} <= set(spec["components"]["schemas"])
    # What the body can answer, from what it depends on: authentication and a JSON body.
    assert {"400", "401", "408", "413", "415", "422", "429", "503"} <= set(post["responses"])
