"""Shared by the benchmarks: timing, the machine's description, and RESULTS.md sections
(each benchmark rewrites only its own section)."""

from __future__ import annotations

import datetime
import os
import platform
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("RESULTS.md")
_HEADER = "# Benchmark results\n\nRun them all with `.venv/bin/python -m benchmarks`.\n"


def timings(action: Callable[[], object], runs: int) -> list[float]:
    measured = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        measured.append(time.perf_counter() - started)
    return measured


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], percent: int) -> float:
    """The value ``percent`` % of ``values`` do not exceed (interpolated)."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def _reference_workload() -> int:
    """Fixed interpreter-bound work (objects, dicts, calls, sorting), like laying out a
    document or building a solver model."""
    total = 0
    for round_ in range(2):
        items: list[dict[str, Any]] = [
            {"key": f"item-{(i * 7919 + round_) % 10007}", "size": i % 97} for i in range(25_000)
        ]
        items.sort(key=lambda item: item["key"])
        total += sum(item["size"] for item in items if item["key"].endswith(("1", "3", "7")))
    return total


def speed_reference(runs: int = 15) -> float:
    """Milliseconds the fixed workload takes here now (median): the same code was measured
    up to twice as fast or slow from one machine, or one hour, to the next, so each section
    states it, and figures are compared through it."""
    return median(timings(_reference_workload, runs)) * 1000


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()}; speed reference {speed_reference():.0f} ms (lower is faster)"
    )


def today() -> str:
    return datetime.date.today().isoformat()


def write_section(key: str, body: list[str]) -> None:
    """Replace (or append) the section marked ``key`` in RESULTS.md."""
    start, end = f"<!-- {key} -->", f"<!-- /{key} -->"
    text = RESULTS.read_text() if RESULTS.exists() else _HEADER
    if not text.startswith("# Benchmark results"):
        text = _HEADER + text
    section = "\n".join([start, *body, end])
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)
