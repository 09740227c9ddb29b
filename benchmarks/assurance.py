"""Benchmark: the default catalog's assured combinations, the whole suite, in process and
through the solver pool (two warm worker processes), and ``offerwright catalog assure`` end
to end as CI runs it (a fresh process: imports, catalog load, the pool's start).

    .venv/bin/python -m benchmarks.assurance [--runs 7]

Writes the medians to benchmarks/RESULTS.md (machine and date included).
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.assurance import Verdict, run_suite
from app.assurance.impact import affected
from app.auth.principal import SYSTEM
from app.auth.service import create_key
from app.bootstrap import create_app
from app.configurator import ConfigurationRequest, Limits, Solution, configure
from app.kit.database import Database
from app.kit.migrate import upgrade
from app.kit.settings import Settings
from app.portfolio.catalog.service import import_snapshot
from app.quoting.solver_pool import SolverPool
from benchmarks.report import RESULTS, machine, median, today, write_section
from catalog import CatalogSnapshot, load_default_catalog

TARGET_SECONDS = 5.0
POOL_WORKERS = 2
LIMITS = Limits()


def _timed(run: Callable[[], tuple[Verdict, ...]]) -> tuple[float, tuple[Verdict, ...]]:
    started = time.perf_counter()
    verdicts = run()
    return time.perf_counter() - started, verdicts


def _held(verdicts: tuple[Verdict, ...]) -> tuple[Verdict, ...]:
    broken = [verdict.combination for verdict in verdicts if not verdict.held]
    if broken:
        raise SystemExit(f"the default catalog's suite is broken: {', '.join(broken)}")
    return verdicts


def _in_process(snapshot: CatalogSnapshot, runs: int) -> tuple[float, list[float], list[Verdict]]:
    """The first run on a fresh copy of the snapshot (nothing derived yet), then ``runs``."""
    fresh: CatalogSnapshot = pickle.loads(pickle.dumps(snapshot))
    cold, _ = _timed(lambda: _held(run_suite(fresh.assurances, lambda r: configure(fresh, r))))
    measured, last = [], ()
    for _ in range(runs):
        seconds, last = _timed(
            lambda: _held(run_suite(snapshot.assurances, lambda r: configure(snapshot, r)))
        )
        measured.append(seconds)
    return cold, measured, list(last)


def _pooled(snapshot: CatalogSnapshot, runs: int) -> tuple[float, list[float]]:
    """The first run starts the workers and sends them the snapshot; then ``runs`` warm."""
    pool = SolverPool(workers=POOL_WORKERS, queue_wait=60, grace=1.0)

    def solve(request: ConfigurationRequest) -> Solution:
        return pool.solve("benchmark", snapshot, request, LIMITS)

    def suite() -> tuple[Verdict, ...]:
        return _held(run_suite(snapshot.assurances, solve, at_once=POOL_WORKERS))

    try:
        cold, _ = _timed(suite)
        return cold, [_timed(suite)[0] for _ in range(runs)]
    finally:
        pool.close()


def _command(workers: int, runs: int) -> list[float]:
    """``offerwright catalog assure`` in a fresh process, as CI runs it."""
    measured = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "app.cli", "catalog", "assure", "--workers", str(workers)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        measured.append(time.perf_counter() - started)
    return measured


def _widest_rule(snapshot: CatalogSnapshot) -> tuple[str, int]:
    """The rule whose edit reaches the most combinations (and how many)."""
    reach = {}
    for rule in snapshot.rules:
        edited = rule.model_copy(update={"message": rule.message + " (edited)"})
        rules = tuple(edited if other is rule else other for other in snapshot.rules)
        after = snapshot.model_copy(update={"rules": rules})
        reach[rule.id] = len(affected(snapshot, after, snapshot.assurances))
    widest = max(sorted(reach), key=lambda rule_id: reach[rule_id])
    return widest, reach[widest]


def _gated_edits(snapshot: CatalogSnapshot, rule_id: str, runs: int) -> list[float]:
    """``PATCH /v1/rules/{rule_id}`` (its message) through the whole API on SQLite, with the
    service's solver pool: the gate's trial, the affected combinations solved on the catalog
    the edit makes, and the write."""
    with tempfile.TemporaryDirectory() as directory:
        database = Database(f"sqlite:///{Path(directory) / 'bench.db'}")
        upgrade(database.engine)
        with Session(database.engine) as session, session.begin():
            import_snapshot(session, SYSTEM, snapshot, trusted=True)
            key = create_key(session, name="bench", role="portfolio")
        headers = {"Authorization": f"Bearer {key}"}
        path = f"/v1/rules/{rule_id}"
        with TestClient(create_app(Settings(), database)) as client:
            edits = iter(range(10**6))

            def edit() -> None:
                tag = client.get(path, headers=headers).headers["ETag"]
                patch = {"message": f"Edited by the benchmark ({next(edits)})."}
                started = time.perf_counter()
                response = client.patch(
                    path,
                    json=patch,
                    headers={**headers, "If-Match": tag,
                             "Content-Type": "application/merge-patch+json"},
                )  # fmt: skip
                measured.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text

            measured: list[float] = []
            for _ in range(2):
                edit()  # start and warm the solver workers
            measured.clear()
            for _ in range(runs):
                edit()
        database.dispose()
    return measured


def _row(label: str, measured: list[float], target: str = "") -> str:
    spread = f"{min(measured):.2f} to {max(measured):.2f} s" if len(measured) > 1 else ""
    return f"| {label} | {median(measured):.2f} s | {spread} | {target} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    load = os.getloadavg()[0]
    snapshot = load_default_catalog()
    count = len(snapshot.assurances)
    cold, warm, verdicts = _in_process(snapshot, runs)
    print(f"in process: first {cold:.2f} s, median {median(warm):.2f} s")
    pool_cold, pool_warm = _pooled(snapshot, runs)
    print(f"pool of {POOL_WORKERS}: first {pool_cold:.2f} s, median {median(pool_warm):.2f} s")
    command_runs = max(3, runs // 2)
    inline_command, pool_command = _command(1, command_runs), _command(POOL_WORKERS, command_runs)
    print(f"command: in process {median(inline_command):.2f} s, pool {median(pool_command):.2f} s")
    rule_id, reached = _widest_rule(snapshot)
    gated = _gated_edits(snapshot, rule_id, runs)
    print(f"gated rule edit ({rule_id}, {reached} combinations): median {median(gated):.2f} s")
    slowest = sorted(verdicts, key=lambda verdict: verdict.seconds, reverse=True)[:3]
    target = f"<= {TARGET_SECONDS:g} s"
    lines = [
        "## Assured combinations (`python -m benchmarks.assurance`)",
        "",
        f"Machine: {machine()}. Date: {today()}. Load average {load:.1f} at the start. "
        f"The default catalog's suite, {count} combinations, every one held; median of {runs} "
        f"runs after the first (the first measured apart). Target: the suite in "
        f"{TARGET_SECONDS:g} s or less through the solver pool.",
        "",
        "| what | median | range | target |",
        "| --- | ---: | --- | --- |",
        _row("in process, first run (a fresh snapshot: nothing derived yet)", [cold]),
        _row("in process, one solve at a time", warm),
        _row(f"solver pool, {POOL_WORKERS} workers, first run (starting them)", [pool_cold]),
        _row(f"solver pool, {POOL_WORKERS} warm workers, {POOL_WORKERS} solves at once",
             pool_warm, target),
        _row("`offerwright catalog assure --workers 1` (a fresh process, in process)",
             inline_command),
        _row(f"`offerwright catalog assure` (a fresh process, {POOL_WORKERS} solver processes)",
             pool_command),
        _row(f"`PATCH /v1/rules/{rule_id}` through the API on SQLite: the catalog gate runs "
             f"the {reached} combinations the rule reaches, then writes", gated),
        "",
        "Slowest combinations in process: "
        + ", ".join(f"{v.combination} {v.seconds * 1000:.0f} ms" for v in slowest)
        + ". The command solves on a pool of one worker per core (at most four) by default, "
        "`--workers 1` in process. End to end (a fresh process) the pool "
        + ("saved" if median(pool_command) < median(inline_command) else "cost")
        + f" {abs(median(inline_command) - median(pool_command)):.2f} s here; warm, it ran the "
        f"suite {median(warm) / median(pool_warm):.1f} times as fast as one process: a fresh "
        "command starts its workers, and each derives what the snapshot's solves share on its "
        "first solve. The pool is the default also because it kills a solve past its time "
        "limit (and reports it), so a CI job never hangs on one combination.",
    ]  # fmt: skip
    write_section("assurance", lines)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
