"""Benchmark: configuring bundles. Model building and solving measured apart, in process, on
the default catalog, synthetic catalogs of 700 and 10,000 components and one full
configuration of each automotive-shaped variant model (a few incompatibilities per table,
and a real density of them); a minimal conflict
for an infeasible request; and the whole path through ``POST /v1/configurations`` (warm
solver workers, SQLite).

    .venv/bin/python -m benchmarks.configurator [--runs 15] [--no-synthetic]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import pickle
import random
import time
from dataclasses import dataclass, replace
from decimal import Decimal

from app.configurator.constraints import add_all
from app.configurator.errors import Infeasible, SolverTimeout
from app.configurator.model import build_variables
from app.configurator.request import ConfigurationRequest, Limits, Need
from app.configurator.solve import configure
from benchmarks.api_post import post_timings
from benchmarks.report import RESULTS, machine, median, today, write_section
from benchmarks.synthetic import DENSE_LABEL, DENSITY, automotive, generate
from catalog.loader import load_default_catalog
from catalog.snapshot import CatalogSnapshot

TYPICAL = ConfigurationRequest(
    price_book="EUR",
    term_months=36,
    needs=(
        Need("compute.linux", 40),
        Need("compute.windows", 10),
        Need("storage.block", 60),
        Need("backup.protected-data", 40),
        Need("service-desk", 500),
        Need("network.wan", 5),
    ),
    residency=("EU",),
)
INFEASIBLE = replace(TYPICAL, budget_monthly=Decimal("10000"))
LIMITS = Limits(time_limit_seconds=30)


def synthetic_request(snapshot: CatalogSnapshot, seed: int = 7) -> ConfigurationRequest:
    """Five needs drawn from capabilities some active component provides; the first draw
    (of a few) that has a valid bundle, since some synthetic capabilities have none."""
    chooser = random.Random(seed)
    provided = sorted(
        {cap for c in snapshot.components if c.status == "active" for cap in c.provides}
    )
    request = ConfigurationRequest(snapshot.price_books[0].code, 36, ())
    for _ in range(8):
        needs = tuple(Need(cap, chooser.randint(1, 20)) for cap in chooser.sample(provided, 5))
        request = ConfigurationRequest(snapshot.price_books[0].code, 36, needs)
        try:
            configure(snapshot, request, Limits(time_limit_seconds=10))
        except (Infeasible, SolverTimeout):
            continue
        return request
    return request


@dataclass
class Phases:
    build: list[float]
    total: list[float]
    outcome: str


def _phases(snapshot: CatalogSnapshot, request: ConfigurationRequest, runs: int) -> Phases:
    build: list[float] = []
    total: list[float] = []
    outcomes: set[str] = set()
    for _ in range(runs):
        started = time.perf_counter()
        config = build_variables(snapshot, request)
        add_all(config)
        build.append(time.perf_counter() - started)
        started = time.perf_counter()
        try:
            outcomes.add(configure(snapshot, request, LIMITS).status)
        except Infeasible:
            outcomes.add("infeasible, conflict explained")
        except SolverTimeout:
            outcomes.add(f"no answer within the {LIMITS.time_limit_seconds:g} s limit")
        total.append(time.perf_counter() - started)
    return Phases(build, total, ", ".join(sorted(outcomes)))


def _cold(snapshot: CatalogSnapshot, request: ConfigurationRequest) -> list[float]:
    """Configure on fresh copies of ``snapshot``: nothing derived for it yet."""
    serialised = pickle.dumps(snapshot)
    measured = []
    for _ in range(3):
        fresh = pickle.loads(serialised)
        started = time.perf_counter()
        with contextlib.suppress(Infeasible, SolverTimeout):
            configure(fresh, request, LIMITS)
        measured.append(time.perf_counter() - started)
    return measured


def _api(snapshot: CatalogSnapshot, runs: int) -> list[float]:
    body = {
        "price_book": "EUR", "term_months": 36, "residency": ["EU"],
        "needs": [{"capability": n.capability, "quantity": n.quantity} for n in TYPICAL.needs],
    }  # fmt: skip
    return post_timings(snapshot, "/v1/configurations", body, 200, runs)


def _cases(synthetic: bool) -> list[tuple[str, CatalogSnapshot, ConfigurationRequest, str]]:
    """(label, catalog, request, target of configure all told)."""
    cases = [("default (83 components), 6 needs, EU", load_default_catalog(), TYPICAL, "")]
    if not synthetic:
        return cases
    for size, target in ((700, "≤ 300 ms"), (10_000, "≤ 2 s")):
        snapshot = generate(size, seed=7)
        cases.append((f"synthetic, {size:,} components, 5 needs", snapshot,
                      synthetic_request(snapshot), target))  # fmt: skip
    for label, car in (("", automotive(seed=7)),
                       (DENSE_LABEL, automotive(seed=7, forbidden_share=DENSITY))):  # fmt: skip
        rows = sum(len(rule.rows) for rule in car.rules if rule.kind == "table")
        cases.append(
            (f"automotive-shaped model{label}: {len(car.components)} components in 100 "
             f"exactly-one variables, 110 tables, {rows:,} rows; one full configuration "
             "(need cap.vehicle)",
             car, ConfigurationRequest("EUR", 36, (Need("cap.vehicle", 1),)), "≤ 1 s")
        )  # fmt: skip
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-synthetic", action="store_true")
    arguments = parser.parse_args()
    runs = arguments.runs
    rows: list[tuple[str, str, list[float], str]] = []
    cases = _cases(not arguments.no_synthetic)
    default = cases[0][1]
    load = os.getloadavg()[0]
    gc.freeze()  # as a solver worker does with the snapshot it serves (solver_pool._run)
    for label, snapshot, request, target in cases:
        cold = _cold(snapshot, request)
        phases = _phases(snapshot, request, runs)
        rows.append((label, "configure, the first request of a fresh snapshot (cold)", cold, ""))
        rows.append((label, "model building", phases.build, ""))
        rows.append((label, f"configure, all told ({phases.outcome})", phases.total, target))
        print(f"{label}: build {median(phases.build) * 1000:.1f} ms, "
              f"total {median(phases.total) * 1000:.1f} ms, {phases.outcome}")  # fmt: skip
    conflict = _phases(default, INFEASIBLE, runs).total
    rows.append(("default, budget 10,000.00 EUR/month (infeasible)",
                 "minimal conflict and repairs", conflict, "≤ 400 ms"))  # fmt: skip
    print(f"conflict: {median(conflict) * 1000:.1f} ms")
    api = _api(default, runs)
    rows.append(("default, 6 needs, EU", "`POST /v1/configurations` (warm workers, SQLite)",
                 api, "≤ 100 ms"))  # fmt: skip
    print(f"api: {median(api) * 1000:.1f} ms")
    lines = [
        "## Configuring bundles (`python -m benchmarks.configurator`)",
        "",
        f"Machine: {machine()}. Date: {today()}. Load average {load:.1f} at the start. "
        f"Median of {runs} runs, one CP-SAT worker, alternatives=1. A snapshot's first request "
        "derives what its later ones share (the pricing terms of a price book, term and "
        "discount, the tables' diagrams, the scope's graph): measured apart, three times on "
        "fresh copies of the snapshot.",
        "",
        "| catalog and request | what | median | range | target |",
        "| --- | --- | ---: | --- | --- |",
        *(
            f"| {label} | {what} | {median(values) * 1000:.1f} ms | "
            f"{min(values) * 1000:.1f} to {max(values) * 1000:.1f} ms | {target} |"
            for label, what, values, target in rows
        ),
    ]
    write_section("configurator", lines)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
