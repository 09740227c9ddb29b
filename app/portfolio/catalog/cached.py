"""Catalog reads answered from the revision cache, with ETag and If-None-Match (304).

A hit costs no query beyond authentication's (which reads the revision too) and no thread:
the route is ``async`` and only a miss goes to a worker thread to build the answer."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import anyio.to_thread
from fastapi import Request, Response
from sqlalchemy.orm import Session

from app.auth import Principal
from app.kit.database import Database
from app.kit.preconditions import matches
from app.kit.representation import Representation, represent
from app.kit.responses import tagged
from app.kit.revision_cache import RevisionCache
from app.kit.wiring import provided
from app.portfolio.catalog.store import catalog_revision

Build = Callable[[Session], Any]


def _built(database: Database, cache: RevisionCache, key: Hashable, build: Build) -> Representation:
    with database.transaction(write=False) as session:
        before = catalog_revision(session)
        encoded = represent(build(session))
        # Under READ COMMITTED each statement sees the latest commit: the answer is that of
        # one revision only if the revision did not move while it was read.
        if catalog_revision(session) == before:
            cache.put(before, key, encoded)
    return encoded


async def catalog_answer(
    request: Request, principal: Principal, key: Hashable, build: Build
) -> Response:
    """``build(session)``'s JSON, built once per catalog revision for each ``key`` and kind
    of caller (what a caller may see of the catalog depends on its role and centre only)."""
    cache = provided(request, RevisionCache)
    full_key = (principal.role, principal.centre, key)
    encoded = cache.get(request.state.catalog_revision, full_key)
    if encoded is None:
        database = provided(request, Database)
        encoded = await anyio.to_thread.run_sync(_built, database, cache, full_key, build)
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None and matches(if_none_match, encoded.etag):
        return Response(status_code=304, headers={"ETag": encoded.etag})
    return tagged(encoded)
