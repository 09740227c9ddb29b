"""Benchmark: loading and validating catalogs (default, and synthetic of 1,000 and 10,000).

    .venv/bin/python -m benchmarks.catalog_load [--runs 5]

Writes the medians to benchmarks/RESULTS.md (machine and date included).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.synthetic import generate
from catalog.exporter import export_catalog
from catalog.loader import default_catalog_path, validate_catalog

RESULTS = Path(__file__).with_name("RESULTS.md")


def _median_seconds(action: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), timings


def _load(path: Path) -> None:
    result = validate_catalog(path)
    if result.snapshot is None:
        raise SystemExit(f"{path} does not validate: {result.problems[:3]}")


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        cases = [("default catalog (83 components)", default_catalog_path())]
        for size in (1_000, 10_000):
            target = Path(directory) / f"synthetic-{size}"
            export_catalog(generate(size, seed=7), target)
            files = sum(1 for _ in target.rglob("*.yaml"))
            cases.append((f"synthetic, {size:,} components ({files:,} files)", target))
        for label, path in cases:
            _load(path)  # warm the file cache: we measure parsing and validation, not the disk
            median, timings = _median_seconds(lambda path=path: _load(path), runs)
            rows.append((label, median, timings))
            print(f"{label}: median {median:.3f} s over {runs} runs")
    lines = [
        "# Benchmark results",
        "",
        "## Catalog loading and validation (`python -m benchmarks.catalog_load`)",
        "",
        f"Machine: {_machine()}. Date: {datetime.date.today().isoformat()}. "
        f"Median of {runs} runs, file cache warm. Target: 10,000 components in under 3 s.",
        "",
        "| catalog | median | runs (s) |",
        "| --- | ---: | --- |",
        *(
            f"| {label} | {median:.3f} s | {', '.join(f'{t:.2f}' for t in timings)} |"
            for label, median, timings in rows
        ),
        "",
    ]
    RESULTS.write_text("\n".join(lines))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
