"""Answers checked against the OpenAPI document a client is generated from: the status is
documented for the operation, the media type too, every documented header is sent, and the
body validates against the published schema (JSON Schema 2020-12, with the document's
components; unknown members fail where the schema forbids them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from jsonschema import Draft202012Validator, FormatChecker

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    # RFC 3339: a date, a time and an offset.
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


class Contract:
    """The document as ``GET /openapi.json`` serves it."""

    def __init__(self, client: TestClient) -> None:
        self.spec: dict[str, Any] = client.get("/openapi.json").json()

    def operation(self, method: str, path: str) -> dict[str, Any]:
        operation: dict[str, Any] = self.spec["paths"][path][method.lower()]
        return operation

    def validate(self, schema: dict[str, Any], instance: Any) -> None:
        document = {**schema, "components": self.spec["components"]}
        Draft202012Validator(document, format_checker=FORMATS).validate(instance)

    def request(self, method: str, path: str, body: Any) -> Any:
        """``body`` as a client sends it: valid by the operation's request schema."""
        content = self.operation(method, path)["requestBody"]["content"]
        self.validate(content["application/json"]["schema"], body)
        return body

    def check(self, response: Response, method: str, path: str) -> Any:
        """The answer, checked against ``method path``'s documented response; its JSON (or
        its bytes for a document)."""
        responses = self.operation(method, path)["responses"]
        status = str(response.status_code)
        assert status in responses, f"{method} {path}: {status} is not documented"
        declared = responses[status]
        media_type = response.headers["content-type"].split(";")[0].strip()
        assert media_type in declared.get("content", {}), (method, path, status, media_type)
        for header in declared.get("headers", {}):
            assert header.lower() in response.headers, (method, path, status, header)
        schema = declared["content"][media_type].get("schema", {})
        if not media_type.endswith("json"):
            assert schema == {"type": "string", "format": "binary"}
            return response.content
        assert schema, f"{method} {path}: {status} has no schema, so any answer would pass"
        self.validate(schema, response.json())
        return response.json()

    def schema_of(self, name: str) -> dict[str, Any]:
        schema: dict[str, Any] = self.spec["components"]["schemas"][name]
        return schema
