"""Checking a real answer against the schema `/openapi.json` publishes for it: what a
client generated from the document expects is what it gets."""

from __future__ import annotations

from typing import Any

from httpx import Response
from jsonschema import Draft202012Validator


def assert_matches_spec(spec: dict[str, Any], method: str, path: str, response: Response) -> None:
    """``response`` (to ``method`` on the templated ``path``) is documented with its status
    and media type, and its body validates against the documented schema."""
    documented = spec["paths"][path][method.lower()]["responses"]
    assert str(response.status_code) in documented, (method, path, response.status_code)
    media_type = response.headers["content-type"].split(";")[0]
    content = documented[str(response.status_code)].get("content", {})
    assert media_type in content, (method, path, media_type, list(content))
    documented_schema = content[media_type].get("schema", {})
    assert documented_schema, (method, path, "documented without a schema: anything would pass")
    schema = {**documented_schema, "components": spec["components"]}
    errors = sorted(Draft202012Validator(schema).iter_errors(response.json()), key=str)
    assert not errors, [f"{list(error.absolute_path)}: {error.message}" for error in errors[:5]]
