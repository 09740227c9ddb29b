"""The pricing engine's one error: every problem of a request at once, each naming the
request field and, when the catalog is at fault, the component and its field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PricingProblem:
    field: str  # where in the request, e.g. "lines[2].service_level"
    message: str  # what is wrong, naming the component's field when the catalog is at fault
    component: str | None = None


class PricingError(Exception):
    """A request the engine cannot price; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[PricingProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))
