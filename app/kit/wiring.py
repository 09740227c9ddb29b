"""What the composition root (``app.bootstrap``) built, handed to routes by type.

A route declares what it needs as a typed dependency (``Annotated[Solver,
Depends(wired(Solver))]``); the composition root provides one of each kind when it builds
the application. Nothing else reads ``app.state``, and a kind some route wants that nobody
provided is a clear error when the application is built, not a ``KeyError`` on some
request later."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, cast

from fastapi import FastAPI, Request

from app.kit.routes import api_routes, dependency_calls

Kind = TypeVar("Kind")


class Wiring:
    """One instance of each kind, keyed by the kind (a class or a protocol)."""

    def __init__(self, parts: Mapping[type[Any], object]) -> None:
        # Not checked with isinstance: tests hand in fakes of the same shape, and the
        # composition root's types are checked by mypy.
        self._parts = dict(parts)

    def get(self, kind: type[Kind]) -> Kind:
        return cast(Kind, self._parts[kind])

    def missing(self, app: FastAPI) -> list[str]:
        """The kinds some route of ``app`` wants that this wiring does not provide."""
        wanted = {
            kind
            for route in api_routes(app.routes)
            for call in dependency_calls(route.dependant)
            if (kind := getattr(call, "wired_kind", None)) is not None
        }
        return sorted(kind.__name__ for kind in wanted if kind not in self._parts)


def install(app: FastAPI, wiring: Wiring) -> None:
    missing = wiring.missing(app)
    if missing:
        raise LookupError(f"the composition root provides no {', '.join(missing)}")
    app.state.wiring = wiring


def wired(kind: type[Kind]) -> Callable[[Request], Awaitable[Kind]]:
    """The dependency that hands a route the application's ``kind``."""

    # async: no I/O, so FastAPI runs it on the event loop, not in a worker thread.
    async def provide(request: Request) -> Kind:
        return provided(request, kind)

    provide.__qualname__ = f"wired[{kind.__name__}]"
    provide.wired_kind = kind  # type: ignore[attr-defined]
    return provide


def provided(request: Request, kind: type[Kind]) -> Kind:
    """The application's ``kind``, read directly: for the dependencies every request goes
    through (authentication, its transaction, cached catalog answers), where one more
    dependency to resolve would cost on every request."""
    wiring: Wiring = request.app.state.wiring
    return wiring.get(kind)
