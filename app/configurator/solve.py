"""Solving a configuration request: the best bundles (``search``), or, when there is none,
why not and what would change that (``explain``)."""

from __future__ import annotations

import time
from dataclasses import replace

from app.configurator.errors import SolverTimeout
from app.configurator.explain import explain_infeasible
from app.configurator.needs import resolved
from app.configurator.request import ConfigurationRequest, Limits
from app.configurator.results import Solution
from app.configurator.search import best_bundles
from app.configurator.validate import validate_request
from catalog.snapshot import CatalogSnapshot


def configure(
    snapshot: CatalogSnapshot, request: ConfigurationRequest, limits: Limits | None = None
) -> Solution:
    """The best bundles for ``request``; Infeasible with a minimal conflict and repairs when
    there is none, SolverTimeout when the time limit passes before any is found."""
    limits = limits or Limits()
    validate_request(snapshot, request, limits)
    request = replace(
        request, needs=resolved(snapshot, request.needs, request.offering, request.exclude)
    )
    deadline = time.monotonic() + limits.time_limit_seconds
    solution = best_bundles(snapshot, request, limits, deadline)
    if solution.bundles:
        return solution
    if time.monotonic() >= deadline:
        raise SolverTimeout(
            f"no bundle found within the {limits.time_limit_seconds:g} s time limit"
        )
    raise explain_infeasible(snapshot, request, limits, deadline)
