"""The assured combinations run against a catalog: each one's request configured, its answer
reduced to what an expectation can speak of, and judged. Pure: the caller says how a request
is solved (in process, or through the solver pool) and how many solves run at once."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any, Literal

from app.configurator import (
    ConfigurationInvalid,
    ConfigurationRequest,
    Infeasible,
    Need,
    OutOfRange,
    Solution,
    SolverTimeout,
)
from catalog import AssuredCombination
from pricing import from_cents

Solve = Callable[[ConfigurationRequest], Solution]
Outcome = Literal["valid", "invalid", "error"]


def request_of(combination: AssuredCombination) -> ConfigurationRequest:
    """The configuration request a combination asks, as sales would send it."""
    asked = combination.request
    return ConfigurationRequest(
        price_book=asked.price_book,
        term_months=asked.term_months,
        needs=tuple(
            Need(need.capability, need.quantity, tuple(need.attributes.items()))
            for need in asked.needs
        ),
        offering=asked.offering,
        min_availability=asked.min_availability,
        residency=asked.residency,
        budget_monthly=asked.budget_monthly,
        include=asked.include,
        exclude=asked.exclude,
        objective=asked.objective,
        discount_percent=asked.discount_percent,
    )


@dataclass(frozen=True, slots=True)
class FoundLine:
    component: str
    quantity: int
    service_level: str
    centre: str

    def __str__(self) -> str:
        return f"{self.quantity:,} x {self.component} {self.service_level} at {self.centre}"


@dataclass(frozen=True, slots=True)
class Finding:
    """What the configurator answered, reduced to what an expectation can speak of."""

    outcome: Outcome  # a bundle, no bundle (a conflict), or no answer at all
    detail: str  # the answer in words: the price found, or the conflict, or the error
    currency: str | None = None
    monthly: Decimal | None = None
    availability: Decimal | None = None
    lines: tuple[FoundLine, ...] = ()
    conflict: tuple[str, ...] = ()  # the kinds of the minimal conflict, in its order
    timed_out: bool = False  # no answer in time: another try may answer (nothing else may)

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "detail": self.detail,
            "currency": self.currency,
            "monthly": None if self.monthly is None else str(self.monthly),
            "availability": None if self.availability is None else str(self.availability),
            "lines": [
                {
                    "component": line.component,
                    "quantity": line.quantity,
                    "service_level": line.service_level,
                    "centre": line.centre,
                }
                for line in self.lines
            ],
            "conflict": list(self.conflict),
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    combination: str  # its id
    name: str
    owner: str
    held: bool
    reasons: tuple[str, ...]  # every expectation that failed, in words; none when held
    finding: Finding
    seconds: float = field(default=0.0, compare=False)  # how long its solve took

    def as_dict(self) -> dict[str, Any]:
        return {
            "combination": self.combination,
            "name": self.name,
            "owner": self.owner,
            "held": self.held,
            "reasons": list(self.reasons),
            "found": self.finding.as_dict(),
        }


def monthly_text(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency} a month"


_PERMILLE = Decimal("0.001")


def percent_text(value: Decimal) -> str:
    """An availability to 0.001 %, rounded down: never more than the bundle reaches (the
    configurator's own rounding of the best a bundle reaches)."""
    return f"{value.quantize(_PERMILLE, rounding=ROUND_DOWN)} %"


def finding_of(solve: Solve, request: ConfigurationRequest) -> Finding:
    """Configure ``request`` and keep what an expectation can speak of."""
    try:
        solution = solve(request)
    except Infeasible as error:
        kinds = tuple(dict.fromkeys(item.kind for item in error.conflicts))
        return Finding("invalid", error.detail, conflict=kinds)
    except ConfigurationInvalid as error:
        return Finding("error", f"no answer: the request does not fit the catalog: {error}")
    except SolverTimeout as error:
        said = f"no answer: {str(error) or 'the solver ran out of time'}"
        return Finding("error", said, timed_out=True)
    except OutOfRange as error:
        return Finding("error", f"no answer: out of the solver's range: {error}")
    bundle = solution.bundles[0]
    quote = bundle.quote
    monthly = from_cents(quote.price.monthly_cents)
    lines = tuple(
        FoundLine(line.component.code, line.quantity, line.service_level.name, line.delivery_centre)
        for line in quote.lines
    )
    availability = bundle.availability
    said = monthly_text(monthly, quote.currency) + f", {len(lines)} line(s)"
    if availability is not None:
        said += f", {percent_text(availability)} available"
    return Finding("valid", said, quote.currency, monthly, availability, lines)


def judge(combination: AssuredCombination, finding: Finding) -> list[str]:
    """Every expectation of ``combination`` that ``finding`` fails, in words."""
    expect = combination.expect
    if finding.outcome == "error":
        return [finding.detail]
    if expect.outcome == "invalid":
        if finding.outcome == "valid":
            return [f"expected no valid bundle, found one: {finding.detail}"]
        missing = [kind for kind in expect.conflict if kind not in finding.conflict]
        if missing:
            return [
                f"expected a conflict of {', '.join(missing)}; the conflict is of "
                f"{', '.join(finding.conflict) or 'nothing'}: {finding.detail}"
            ]
        return []
    if finding.outcome == "invalid":
        return [f"expected a valid bundle, found none: {finding.detail}"]
    return _bundle_failures(combination, finding)


def _bundle_failures(combination: AssuredCombination, finding: Finding) -> list[str]:
    expect = combination.expect
    failures: list[str] = []
    chosen = {line.component: line for line in finding.lines}
    for code in expect.includes:
        if code not in chosen:
            failures.append(f"{code} is not in the bundle")
    for code in expect.excludes:
        if code in chosen:
            failures.append(f"{code} is in the bundle")
    for code, level in expect.service_levels.items():
        line = chosen.get(code)
        if line is None:
            failures.append(f"{code} is not in the bundle (expected at service level {level})")
        elif line.service_level != level:
            failures.append(f"{code} is at service level {line.service_level}, expected {level}")
    band = expect.monthly
    if band is not None and finding.monthly is not None and finding.currency is not None:
        price = monthly_text(finding.monthly, finding.currency)
        if band.min is not None and finding.monthly < band.min:
            floor = monthly_text(band.min, finding.currency)
            failures.append(f"the monthly price {price} is below the band's {floor}")
        if band.max is not None and finding.monthly > band.max:
            ceiling = monthly_text(band.max, finding.currency)
            failures.append(f"the monthly price {price} is above the band's {ceiling}")
    if expect.min_availability is not None:
        floor_text = f"{expect.min_availability.normalize():f} %"
        if finding.availability is None:
            failures.append(f"the bundle has no availability chain (expected {floor_text})")
        elif finding.availability < expect.min_availability:
            failures.append(
                f"the bundle is {percent_text(finding.availability)} available, "
                f"expected at least {floor_text}"
            )
    if expect.centres is not None:
        allowed = set(expect.centres)
        outside = sorted({f"{line.component} at {line.centre}" for line in finding.lines
                          if line.centre not in allowed})  # fmt: skip
        if outside:
            failures.append(f"delivered outside {', '.join(expect.centres)}: {', '.join(outside)}")
    return failures


def assess(combination: AssuredCombination, solve: Solve) -> Verdict:
    """One combination configured and judged."""
    started = time.perf_counter()
    finding = finding_of(solve, request_of(combination))
    seconds = time.perf_counter() - started
    reasons = tuple(judge(combination, finding))
    return Verdict(
        combination.id,
        combination.name,
        combination.owner,
        not reasons,
        reasons,
        finding,
        seconds,
    )


def run_suite(
    combinations: Iterable[AssuredCombination], solve: Solve, *, at_once: int = 1
) -> tuple[Verdict, ...]:
    """Every combination, in the order given. ``at_once`` > 1 runs that many side by side,
    each in a thread that waits on ``solve``: worth it only when ``solve`` hands the work to
    other processes (the solver pool); in process, the threads would share one interpreter
    and gain nothing."""
    if at_once <= 1:
        return tuple(assess(combination, solve) for combination in combinations)
    with ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="assure") as threads:
        return tuple(threads.map(lambda combination: assess(combination, solve), combinations))
