"""The OpenAPI document as the contract: every operation lists the problems it can answer,
under ``application/problem+json`` with the one problem schema.

Routes name the problems their own rules give (``problems(404, 409)``); what every route of
a kind can answer is added here once, from what the route depends on, so no route can forget
it: an authenticated route can answer 400 (credentials in the query), 401 and 429 (too many
failed authentications) and 503 (database busy); a permission check 403; a JSON body 400
(malformed), 408 (sent too slowly), 413, 415 and 422; any parameter 422. FastAPI's own 422
(``HTTPValidationError``) is replaced: the API answers problems, never that shape.

A body read through ``app.kit.bodies.json_model`` is the operation's ``requestBody``, its
model named in ``components``. A route whose problem carries more members names its own
``Problem`` subclass (``problems(422, model=InfeasibleProblem)``)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import RouteContext

from app.kit import bodies
from app.kit.problems import PROBLEM_MEDIA_TYPE
from app.kit.routes import api_routes, dependency_calls
from app.kit.schemas import FieldError, Problem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
SCHEMAS = "#/components/schemas/"

# What each status means for a client, in this API.
DESCRIPTIONS: dict[int, str] = {
    400: "Bad request: malformed JSON, a bad cursor, or credentials in the query string",
    401: "No valid API key (`Authorization: Bearer <key>`)",
    403: "The key's role may not do this",
    404: "No such resource (or not one the caller may see)",
    408: "The request body was not sent in time",
    409: "Conflict with the current state (lifecycle, a concurrent write, a running request)",
    412: "`If-Match` names a version that is no longer current: read it again",
    413: "The request body is too large",
    415: "Unsupported request media type",
    422: "Invalid input: `errors[]` names each field and what is wrong",
    428: "`If-Match` is required: send the `ETag` you last read",
    429: "Too many failed authentications from this address: wait (`Retry-After`)",
    503: "Busy (database, solvers, renderers or option engines): retry after `Retry-After`",
}


# A cached read answers 304 to an If-None-Match naming its current ETag.
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the `ETag` in `If-None-Match` is still current"}
}

# Problem subclasses routes name (``problems(..., model=...)``), by name.
_NAMED_PROBLEMS: dict[str, type[Problem]] = {}


def problem_response(status: int, model: type[Problem] = Problem) -> dict[str, Any]:
    schema = PROBLEM_REF
    if model is not Problem:
        _NAMED_PROBLEMS[model.__name__] = model
        schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {
        "description": DESCRIPTIONS[status],
        "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}},
    }


def problems(*statuses: int, model: type[Problem] = Problem) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route's own problems, for its decorator; ``model``: a Problem
    with more members, for all of them."""
    return {status: problem_response(status, model) for status in statuses}


def _has_parameters(dependant: Dependant) -> bool:
    return bool(
        dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or dependant.body_params
        or any(_has_parameters(sub) for sub in dependant.dependencies)
    )


# Each dependency's name (its ``__qualname__``) and the problems it can raise.
DEPENDENCY_PROBLEMS: dict[str, tuple[int, ...]] = {
    "authenticated": (400, 401, 429, 503),
    "requires.<locals>.check": (403,),
    "json_body": (400, 408, 413, 415, 422),
    "merge_patch_body": (400, 408, 413, 415, 422),
}


def implied_problems(route: RouteContext) -> set[int]:
    """The problems a route can answer because of what it depends on."""
    dependant: Dependant = route.dependant
    statuses: set[int] = set()
    for call in dependency_calls(dependant):
        statuses.update(DEPENDENCY_PROBLEMS.get(getattr(call, "__qualname__", ""), ()))
    if _has_parameters(dependant):
        statuses.add(422)
    return statuses


# Every query parameter and path segment is refused with NUL (``app.kit.params``).
NO_NUL = "^[^\\x00]*$"


def _no_nul(schema: dict[str, Any]) -> None:
    """A string parameter without a pattern of its own: no NUL, as the API refuses it."""
    for branch in [schema, *schema.get("anyOf", ())]:
        if branch.get("type") == "string" and "pattern" not in branch:
            branch["pattern"] = NO_NUL


def _document(app: FastAPI) -> dict[str, Any]:
    spec = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        separate_input_output_schemas=app.separate_input_output_schemas,
    )
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for model in (Problem, FieldError):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schema.pop("$defs", None)
        schemas[model.__name__] = schema
    operations = {
        (route.path_format, method.lower()): route
        for route in api_routes(app.routes)
        for method in route.methods or ()
    }
    read: list[tuple[dict[str, Any], bodies.Declared]] = []
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", ()):
                _no_nul(parameter["schema"])
            route = operations.get((path, method))
            declared = bodies.declared_body(route.dependant) if route is not None else None
            if declared is not None:
                read.append((operation, declared))
            responses = operation.setdefault("responses", {})
            implied = implied_problems(route) if route is not None else set()
            for status in sorted(implied | {int(code) for code in responses if code[0] in "45"}):
                if PROBLEM_MEDIA_TYPE not in responses.get(str(status), {}).get("content", {}):
                    responses[str(status)] = problem_response(status)
    refs = bodies.add_schemas(schemas, [declared.model for _, declared in read], "validation")
    for operation, declared in read:
        operation["requestBody"] = bodies.request_body(declared, refs[declared.model])
    bodies.add_schemas(schemas, _NAMED_PROBLEMS.values(), "serialization")
    return spec


def install(app: FastAPI) -> None:
    """Serve the OpenAPI document built (once) by ``_document``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
