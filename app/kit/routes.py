"""The application's JSON routes as mounted, and what each path allows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.routing import BaseRoute


def api_routes(routes: list[BaseRoute]) -> Iterator[RouteContext]:
    """Every JSON route of an application (``app.routes``), prefixes applied."""
    for context in iter_route_contexts(routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def allowed_methods(routes: list[BaseRoute], path: str) -> list[str]:
    """The methods some route serves at ``path``: a 405's ``Allow``. Routing stops at the
    first route whose path matches, which may serve only one of the path's methods; the
    answer must name them all."""
    methods: set[str] = set()
    for route in api_routes(routes):
        if route.path_regex.match(path):
            methods.update(route.methods or ())
    return sorted(methods)


def dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """Every dependency a route (or a dependency) runs, however deep: what the contract,
    the body declarations and the wiring read off a route."""
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from dependency_calls(sub)
