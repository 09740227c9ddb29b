"""Request bodies as named schemas.

A route declares its body as a Pydantic model through a dependency
(``app.auth.json_model``)::

    QuoteBody = Annotated[QuoteRequest, Depends(json_model(QuoteRequest, "quote request"))]

    @router.post("/price")
    def price(principal: QuoteMaker, body: QuoteBody) -> ...

The body is read by ``json_body`` as every JSON body is (decimals as ``Decimal``, never
floats; NUL refused; 415/400 for the wrong media type or malformed JSON), only after the
caller is authenticated, then validated by the model: a 422 problem naming every invalid
field, in the catalog loader's words, as services answered before. FastAPI itself never
parses these bodies (it would read floats and answer its own error shape); the OpenAPI
document (``app.kit.contract``) names the model as the operation's ``requestBody`` and lists
its schema in ``components``, so a generated client gets a class per body.

"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from fastapi.dependencies.models import Dependant
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from app.kit.errors import FieldProblem, Invalid
from app.kit.routes import dependency_calls
from catalog import describe, format_path

M = TypeVar("M", bound=BaseModel)
REF = "#/components/schemas/{model}"


@dataclass(frozen=True, slots=True)
class Declared:
    model: type[BaseModel]
    media_types: frozenset[str]


_DECLARED: dict[Callable[..., Any], Declared] = {}


def validated(model: type[M], raw: dict[str, Any], what: str) -> M:
    """``raw`` as ``model``, or Invalid (422) with every field problem: "the <what> is not
    valid" and each field's path and message."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise Invalid(
            f"the {what} is not valid",
            [FieldProblem(format_path(path), message) for path, message in describe(error)],
        ) from error


def declare(
    dependency: Callable[..., Any], model: type[BaseModel], media_types: frozenset[str]
) -> None:
    """Record that ``dependency`` reads the request body as ``model``: the OpenAPI document
    names it as the operation's ``requestBody``."""
    _DECLARED[dependency] = Declared(model, media_types)


def declared_body(dependant: Dependant) -> Declared | None:
    """The body model a route reads through ``json_model``, if it does."""
    found = [_DECLARED[call] for call in dependency_calls(dependant) if call in _DECLARED]
    return found[0] if found else None


def request_body(declared: Declared, ref: dict[str, str]) -> dict[str, Any]:
    """The operation's ``requestBody``: the model by reference (``ref``), for each media
    type."""
    return {
        "required": True,
        "content": {media_type: {"schema": ref} for media_type in sorted(declared.media_types)},
    }


def add_schemas(
    schemas: dict[str, Any],
    models: Iterable[type[BaseModel]],
    mode: Literal["validation", "serialization"],
) -> dict[type[BaseModel], dict[str, str]]:
    """Add the schemas of ``models`` and of every model they use to ``schemas`` (the
    document's components); the reference to each of ``models``. A name already there (a
    model FastAPI named from a route) is kept, but must have the same fields: two different
    models of one name would give a client a wrong class."""
    unique = list(dict.fromkeys(models))
    if not unique:
        return {}
    refs, top = models_json_schema([(model, mode) for model in unique], ref_template=REF)
    for name, schema in top.get("$defs", {}).items():
        if name not in schemas:
            schemas[name] = schema
        elif _shape(schemas[name]) != _shape(schema):
            raise RuntimeError(f"two different schemas are named {name} in the OpenAPI document")
    return {model: dict(refs[(model, mode)]) for model in unique}


def _shape(schema: dict[str, Any]) -> tuple[Any, ...]:
    return (schema.get("type"), sorted(schema.get("properties", {})), schema.get("required"))
