"""Request-scoped dependencies: the unit of work, the caller, and JSON bodies."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.auth.principal import Permission, Principal
from app.auth.service import identify
from app.auth.throttle import FailedLogins
from app.kit.database import Database
from app.kit.errors import (
    CredentialsInQuery,
    FieldProblem,
    Forbidden,
    Invalid,
    MalformedJson,
    Unauthenticated,
    UnsupportedMediaType,
)
from app.kit.wiring import provided
from catalog import NUL_MESSAGE, format_path, nul_paths

# Query parameters that would put a credential into logs, proxies and browser history.
_CREDENTIAL_PARAMETERS = frozenset(
    {"api_key", "apikey", "api-key", "key", "token", "access_token", "bearer", "authorization"}
)


def _identify(database: Database, key: str) -> tuple[Principal, int] | None:
    """The key's principal and the catalog revision as this request begins, in one short
    read on a pooled connection (every request comes through here)."""
    return database.read(lambda connection: identify(connection, key))


# Declares the scheme in the OpenAPI document (so /docs has an Authorize button) and reads
# the header; it never answers by itself: the refusals below keep their problem bodies.
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="APIKey",
    description="An API key (`offerwright keys create`), sent as `Authorization: Bearer <key>`.",
)


async def authenticated(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    """The caller: one hop to a worker thread for the lookup, on a connection of its own (the
    request's transaction, if it has one, begins after authentication)."""
    for name, value in request.query_params.multi_items():
        if name.lower() in _CREDENTIAL_PARAMETERS or value.startswith("ow_"):
            raise CredentialsInQuery(
                "credentials are never accepted in the query string; "
                "send Authorization: Bearer <key>"
            )
    if credentials is None:  # no header, another scheme, or no key after "Bearer"
        if "authorization" not in request.headers:
            raise Unauthenticated("send Authorization: Bearer <key>")
        raise Unauthenticated("the Authorization header must be 'Bearer <key>'")
    key = credentials.credentials  # stripped
    identified = await anyio.to_thread.run_sync(_identify, provided(request, Database), key)
    if identified is None:
        # The key is checked first: only wrong keys are throttled, a valid one is served.
        provided(request, FailedLogins).failed(request.client.host if request.client else "unknown")
        raise Unauthenticated("unknown or revoked API key")
    principal, request.state.catalog_revision = identified
    request.state.principal = principal
    return principal


Caller = Annotated[Principal, Depends(authenticated)]


def db_session(request: Request, _caller: Caller) -> Iterator[Session]:
    """The request's read transaction, begun once the caller is known (a request without a
    valid key never opens one), ended when the route returns."""
    with provided(request, Database).transaction(write=False) as session:
        yield session


DbSession = Annotated[Session, Depends(db_session, scope="function")]


async def write_session(
    request: Request, _caller: Caller
) -> Callable[[], AbstractContextManager[Session]]:
    """The request's write transaction, for the route to open in its own thread: waiting
    for the write turn, the transaction, the work and the commit then all happen in the one
    thread the route already holds. (Opened by a dependency, the turn was taken in one
    worker thread and the route needed another: with every thread held by writers waiting
    for the turn, its holder waited for a thread until the busy timeout.)"""
    database = provided(request, Database)
    return lambda: database.transaction(write=True)


Writing = Annotated[
    Callable[[], AbstractContextManager[Session]], Depends(write_session, scope="function")
]


def requires(permission: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    # async: no I/O here, so no hop to a worker thread and back (one per dependency).
    async def check(principal: Caller) -> Principal:
        if not principal.can(permission):
            raise Forbidden(f"the {principal.role} role may not do this ({permission})")
        return principal

    return check


CatalogReader = Annotated[Principal, Depends(requires("catalog.read"))]
CatalogWriter = Annotated[Principal, Depends(requires("catalog.write"))]
AuditReader = Annotated[Principal, Depends(requires("audit.read"))]
QuoteMaker = Annotated[Principal, Depends(requires("quote.price"))]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


async def _json_object(request: Request, media_types: frozenset[str]) -> dict[str, Any]:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in media_types:
        raise UnsupportedMediaType(
            f"send the body as {' or '.join(sorted(media_types))}, not {media_type or 'nothing'}"
        )
    raw = await request.body()
    try:
        # Decimals, never floats: prices and amounts must survive exactly.
        data = json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedJson(f"the request body is not valid JSON: {error}") from error
    except RecursionError as error:
        raise MalformedJson("the request body is nested too deeply") from error
    if not isinstance(data, dict):
        raise Invalid("the request body must be a JSON object")
    nul = nul_paths(data)  # refused here for every JSON body, before anything is stored
    if nul:
        raise Invalid(
            "text in the request body must not contain the NUL character",
            [FieldProblem(format_path(path), NUL_MESSAGE) for path in nul],
        )
    return data


JSON = frozenset({"application/json"})
MERGE_PATCH = frozenset({"application/json", "application/merge-patch+json"})


async def json_body(request: Request) -> dict[str, Any]:
    return await _json_object(request, JSON)


async def merge_patch_body(request: Request) -> dict[str, Any]:
    return await _json_object(request, MERGE_PATCH)


JsonBody = Annotated[dict[str, Any], Depends(json_body)]
MergePatchBody = Annotated[dict[str, Any], Depends(merge_patch_body)]

Limit = Annotated[int, Query(ge=1, le=200, description="page size")]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]
