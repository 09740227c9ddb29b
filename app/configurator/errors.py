"""The configurator's domain errors; the API maps each to an RFC 9457 problem."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.configurator.results import Bundle


@dataclass(frozen=True, slots=True)
class RequestProblem:
    field: str
    message: str


class ConfigurationInvalid(Exception):
    """The request is malformed or names what the catalog does not have (422)."""

    def __init__(self, problems: Sequence[RequestProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))

    def __reduce__(self) -> tuple[type[ConfigurationInvalid], tuple[tuple[RequestProblem, ...]]]:
        return type(self), (self.problems,)  # raised in a solver worker, read in the API


@dataclass(frozen=True, slots=True)
class ConflictItem:
    kind: str  # need, include, exclude, residency, availability, budget, rule, capacity
    ref: str
    detail: str


@dataclass(frozen=True, slots=True)
class Repair:
    """Request constraints whose relaxation makes the ask feasible, and the best bundle then."""

    relax: tuple[ConflictItem, ...]
    bundle: Bundle

    @property
    def detail(self) -> str:
        return repair_text(self.relax)


def repair_text(relax: Sequence[ConflictItem]) -> str:
    """One repair in words: its changes all together ("A and B"), never read as choices."""
    return " and ".join(item.detail for item in relax)


class Infeasible(Exception):
    """No bundle meets the request: a minimal conflict, and repairs of the request."""

    def __init__(
        self, detail: str, conflicts: Sequence[ConflictItem], repairs: Sequence[Repair]
    ) -> None:
        self.detail = detail
        self.conflicts = tuple(conflicts)
        self.repairs = tuple(repairs)
        super().__init__(detail)

    def __reduce__(self) -> tuple[type[Infeasible], tuple[object, ...]]:
        return type(self), (self.detail, self.conflicts, self.repairs)


class SolverTimeout(Exception):
    """The time limit passed before any valid bundle was found."""


class OutOfRange(Exception):
    """The model of a request holds numbers past the solver's 64-bit integers. The catalog
    bounds what one line can amount to (``catalog.limits``); many lines at those extremes
    can still add up past what one constraint or the objective holds. An answer from such a
    model would be a guess (CP-SAT refuses it), so the request is refused instead."""
