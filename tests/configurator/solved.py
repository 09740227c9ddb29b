"""A configured bundle as plain lines, checked by the independent checker on the way: what
most configurator tests compare."""

from __future__ import annotations

import pytest

from app.configurator.errors import Infeasible
from app.configurator.request import ConfigurationRequest
from app.configurator.results import Bundle
from app.configurator.solve import configure
from catalog.snapshot import CatalogSnapshot
from tests.configurator.checker import Line, violations


def lines_of(bundle: Bundle) -> list[Line]:
    return [
        (line.component.code, line.service_level.name, line.delivery_centre, line.quantity)
        for line in bundle.quote.lines
    ]


def checked_lines(snapshot: CatalogSnapshot, request: ConfigurationRequest) -> list[Line]:
    """The lines of the one bundle ``request`` asks for, after the checker found them valid."""
    (bundle,) = configure(snapshot, request).bundles
    lines = lines_of(bundle)
    assert violations(snapshot, request, lines) == []
    return lines


def why_infeasible(snapshot: CatalogSnapshot, request: ConfigurationRequest) -> Infeasible:
    """Why ``request`` has no bundle (the test fails if it has one)."""
    with pytest.raises(Infeasible) as raised:
        configure(snapshot, request)
    return raised.value
