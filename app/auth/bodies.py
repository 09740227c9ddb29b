"""Request bodies read as Pydantic models: the dependency routes declare their body with.

The body is read by ``json_body`` as every JSON body is (decimals as ``Decimal``, never
floats; NUL refused; 415/400 for the wrong media type or malformed JSON), only after the
caller is authenticated, then validated by the model: a 422 problem naming every invalid
field. ``app.kit.bodies`` records the model, so the OpenAPI document names it.

(Written without ``from __future__ import annotations``: FastAPI reads the dependency's
annotations, which name the parser chosen when it is made.)"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel

from app.auth.auth import JSON, MERGE_PATCH, Caller, json_body, merge_patch_body
from app.kit import bodies
from app.kit.bodies import validated

# Runs on the raw body before the model validates it: a bound checked before the work
# (a quote's number of lines), with the request for the settings.
Check = Callable[[Request, dict[str, Any]], None]
Model = TypeVar("Model", bound=BaseModel)


def json_model(
    model: type[Model], what: str, *, check: Check | None = None, merge_patch: bool = False
) -> Callable[..., Model]:
    """The dependency that reads the body as ``model`` (``what`` names it in a 422's detail);
    ``merge_patch`` accepts ``application/merge-patch+json`` too."""
    parse = merge_patch_body if merge_patch else json_body

    # A plain ``def``: validating runs in a worker thread, never on the event loop (a body
    # of a megabyte with an error per item takes seconds to describe).
    def body(
        request: Request,
        _caller: Caller,  # authenticated first, wherever the route lists its body
        raw: Annotated[dict[str, Any], Depends(parse)],
    ) -> Model:
        if check is not None:
            check(request, raw)
        return validated(model, raw, what)

    bodies.declare(body, model, MERGE_PATCH if merge_patch else JSON)
    return body


def json_document(
    model: type[BaseModel], *, merge_patch: bool = False
) -> Callable[..., Awaitable[dict[str, Any]]]:
    """The dependency that reads the body as a JSON document its service checks against
    ``model`` itself, in context (a draft completed by the service, a merge patch applied
    before the result is checked): the OpenAPI document names ``model`` as its schema."""
    parse = merge_patch_body if merge_patch else json_body

    async def body(
        _caller: Caller,  # authenticated first, wherever the route lists its body
        raw: Annotated[dict[str, Any], Depends(parse)],
    ) -> dict[str, Any]:
        return raw

    bodies.declare(body, model, MERGE_PATCH if merge_patch else JSON)
    return body
