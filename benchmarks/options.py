"""Benchmark: interactive options. Click sequences on the default catalog, on a synthetic
variant model (100 exactly-one groups, table rules of 100,000 rows in all) and on two
automotive-shaped ones (``benchmarks.synthetic.automotive``, with a few incompatibilities
per table and with a real density of them): each sequence on
a freshly prepared engine, each click taken at random (seeded) among the options the
previous answer called possible, chosen or rejected. Reports the preparation (time and the
memory it adds), the time per click, and one click through ``POST
/v1/configurations/options``.

    .venv/bin/python -m benchmarks.options [--sequences 5] [--clicks 10] [--no-synthetic]
"""

from __future__ import annotations

import argparse
import gc
import os
import pickle
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.configurator.options import OptionsEngine, OptionsRequest
from app.configurator.request import Need
from benchmarks.api_post import post_timings
from benchmarks.report import RESULTS, machine, median, percentile, today, write_section
from benchmarks.synthetic import DENSE_LABEL, DENSITY, automotive, generate
from catalog.loader import load_default_catalog
from catalog.snapshot import CatalogSnapshot

DEFAULT_REQUEST = OptionsRequest(
    needs=(Need("compute.linux", 40), Need("storage.block", 60), Need("service-desk", 500)),
    residency=("EU",),
)


@dataclass
class Measured:
    prepare: list[float] = field(default_factory=list)
    memory: list[float] = field(default_factory=list)  # MiB of resident memory added
    clicks: list[float] = field(default_factory=list)
    first_clicks: list[float] = field(default_factory=list)
    scope: int = 0
    states: dict[str, int] = field(default_factory=dict)


def resident_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_sequences(
    snapshot: CatalogSnapshot, start: OptionsRequest, sequences: int, clicks: int
) -> Measured:
    measured = Measured()
    serialised = pickle.dumps(snapshot)
    for sequence in range(sequences):
        chooser = random.Random(sequence)
        # A snapshot of its own each time, as a new catalog revision is: nothing built for
        # an earlier one (its tables' diagrams) is reused.
        fresh: CatalogSnapshot = pickle.loads(serialised)
        gc.collect()
        before = resident_mib()
        started = time.perf_counter()
        engine = OptionsEngine(fresh)
        measured.prepare.append(time.perf_counter() - started)
        if sequence == 0:  # later engines reuse memory the first one's predecessors freed
            measured.memory.append(resident_mib() - before)
        request = start
        for click in range(clicks + 1):
            started = time.perf_counter()
            answer = engine.options(request)
            elapsed = time.perf_counter() - started
            (measured.first_clicks if click == 0 else measured.clicks).append(elapsed)
            if sequence == 0 and click == 0:
                measured.scope = len(answer.components)
                for option in answer.components:
                    measured.states[option.state] = measured.states.get(option.state, 0) + 1
            assert answer.valid, "a click taken from possible options reached a dead end"
            open_ = [option.code for option in answer.components if option.state == "possible"]
            if not open_:
                break
            code = chooser.choice(open_)
            pick = chooser.random() < 0.6
            request = OptionsRequest(
                request.needs, request.residency, request.include, request.exclude,
                request.offering,
                chosen=(*request.chosen, code) if pick else request.chosen,
                rejected=request.rejected if pick else (*request.rejected, code),
            )  # fmt: skip
        engine.close()
        del engine, fresh
    return measured


def _api(snapshot: CatalogSnapshot, runs: int) -> list[float]:
    body = {
        "price_book": "EUR", "term_months": 36, "residency": ["EU"],
        "needs": [{"capability": n.capability, "quantity": n.quantity}
                  for n in DEFAULT_REQUEST.needs],
        "chosen": ["SD-L1-247"], "rejected": ["STO-BLOCK-STD"],
    }  # fmt: skip
    return post_timings(snapshot, "/v1/configurations/options", body, 200, runs)


def _ms(values: list[float]) -> str:
    return f"{median(values) * 1000:.1f} ms"


def _range(values: list[float]) -> str:
    return f"{min(values) * 1000:.1f} to {max(values) * 1000:.1f} ms"


@dataclass(frozen=True)
class Case:
    label: str
    snapshot: CatalogSnapshot
    start: OptionsRequest
    click_target: str  # the median's
    p90_target: str = ""
    prepare_target: str = ""


def _cases(synthetic: bool) -> list[Case]:
    cases = [
        Case("default (83 components), 3 needs, EU", load_default_catalog(), DEFAULT_REQUEST,
             "≤ 100 ms")
    ]  # fmt: skip
    if not synthetic:
        return cases
    started = time.perf_counter()
    variant = generate(500, seed=7, table_rows=100_000, exactly_one=100)
    cars = (("", automotive(seed=7)), (DENSE_LABEL, automotive(seed=7, forbidden_share=DENSITY)))
    print(f"generated the variant models in {time.perf_counter() - started:.1f} s")
    for label, car in cars:
        cases.append(
            Case(f"automotive-shaped model{label}: {len(car.components)} components in 100 "
                 f"exactly-one variables, 110 tables over 2 to 8 variables, "
                 f"{_table_rows(car):,} rows; need cap.vehicle", car,
                 OptionsRequest(needs=(Need("cap.vehicle", 1),)), "≤ 100 ms", "≤ 300 ms",
                 "≤ 2 s")
        )  # fmt: skip
    cases.append(
        Case(f"synthetic variant model: 500 components, 100 exactly-one groups, "
             f"{_table_rows(variant):,} table rows", variant, OptionsRequest(), "≤ 250 ms")
    )  # fmt: skip
    return cases


def _table_rows(snapshot: CatalogSnapshot) -> int:
    return sum(len(rule.rows) for rule in snapshot.rules if rule.kind == "table")


def _rows(case: Case, measured: Measured) -> list[str]:
    label = case.label
    states = ", ".join(f"{count} {state}" for state, count in sorted(measured.states.items()))
    rows = [
        f"| {label} | preparing the engine | {_ms(measured.prepare)} | "
        f"{_range(measured.prepare)} | {case.prepare_target} |",
        f"| {label} | resident memory preparing adds (the first engine) | "
        f"{measured.memory[0]:.1f} MiB | | |",
        f"| {label} | first answer, no clicks ({measured.scope} in scope: {states}; "
        f"preparing answered it once) | {_ms(measured.first_clicks)} | "
        f"{_range(measured.first_clicks)} | |",
        f"| {label} | **per click** ({len(measured.clicks)} clicks) | "
        f"**{_ms(measured.clicks)}** | {_range(measured.clicks)} | {case.click_target} |",
    ]
    if case.p90_target:
        rows.append(
            f"| {label} | **per click, 90th percentile** | "
            f"**{percentile(measured.clicks, 90) * 1000:.1f} ms** | | {case.p90_target} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sequences", type=int, default=5)
    parser.add_argument("--clicks", type=int, default=10)
    parser.add_argument("--no-synthetic", action="store_true")
    arguments = parser.parse_args()
    cases = _cases(not arguments.no_synthetic)
    load = os.getloadavg()[0]
    lines: list[str] = []
    for case in cases:
        measured = run_sequences(case.snapshot, case.start, arguments.sequences, arguments.clicks)
        rows = _rows(case, measured)
        lines += rows
        print(*rows, sep="\n")
    api = _api(cases[0].snapshot, 15)
    lines.append(
        f"| {cases[0].label}, 2 clicks | `POST /v1/configurations/options`, one request "
        f"repeated (SQLite, engine prepared) | {_ms(api)} | {_range(api)} | |"
    )
    print(lines[-1])
    write_section(
        "options",
        [
            "## Interactive options (`python -m benchmarks.options`)",
            "",
            f"Machine: {machine()}. Date: {today()}. Load average {load:.1f} at the start. "
            f"{arguments.sequences} click sequences of {arguments.clicks} clicks per catalog, "
            "each on a freshly prepared engine (cold caches: a snapshot of its own, so "
            "nothing derived for an earlier one is reused), each click drawn (seeded) among "
            "the options the previous answer called possible, chosen (60 %) or rejected; "
            "medians over every click.",
            "",
            "| catalog | what | median | range | target |",
            "| --- | --- | ---: | --- | --- |",
            *lines,
        ],
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
