"""Benchmark: load on a real ``offerwright serve`` process (its defaults: one API process
per core, at most four, and the settings it ships with), on SQLite and on PostgreSQL, each
in a database of its own (a temporary SQLite file; a fresh schema of the database ``test``
at 127.0.0.1:5432, dropped after), migrated, holding the default catalog, with one API key
per role.

- ``wrk`` (Debian's package; 16 connections, 2 threads, a short warm-up, then ``--runs``
  runs of ``--duration`` seconds) on ``GET /v1/components?limit=50`` and
  ``GET /v1/components/CMP-VM-LNX`` with a sales key, and on ``GET /healthz``. A Lua script
  (benchmarks/load.lua) counts each status, and the 503s without Retry-After, per thread.
- httpx, all at once: 48 proposal creations (``POST /v1/proposals``, each with an
  Idempotency-Key) and 40 options clicks (``POST /v1/configurations/options``), each sent
  again after a 503 as its Retry-After says, until every one is answered otherwise.

While each load runs, ``/healthz`` is polled from a thread of its own every 50 ms. Reported
per load: req/s (wrk), p50 and p99 latency of every answer, total time, each status, the
/healthz p99 during it, and the CPU time the served process and its workers spent per
request served (from /proc; unlike req/s it hardly changes when others share the machine);
the medians of the runs. Targets: the component list at >= 1,500 req/s; under every load,
no answer other than 2xx, 409 and 503 with Retry-After (a request that got no answer counts
against it); /healthz p99 under 200 ms. The exit code is 1 when a target is missed.
Unhandled errors in the server's log are summarised.

wrk's Lua response callback makes wrk copy each answer's headers and body and call Lua:
measured, about 3 µs more of wrk's CPU per answer (20 µs instead of 17 on /healthz, the
fastest route; a list request costs the server about 6 ms), so it is on by default;
``--no-status-count`` leaves it out. It does not change pipelining (wrk pipelines only
when a script's request() returns several requests; this one has none).

    .venv/bin/python -m benchmarks.load [--backend sqlite|postgres|both] [--runs 3]
        [--duration 10] [--python PATH --source DIR] [--no-write]

``--python`` and ``--source`` serve another checkout's code (``PATH -m app.cli serve``
with DIR first on PYTHONPATH) to compare before and after on the same machine; its figures
go to a section of RESULTS.md of their own (``load-<commit>``).
PostgreSQL: OFFERWRIGHT_TEST_POSTGRES_URL or postgresql+psycopg://postgres@127.0.0.1:5432/test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from benchmarks.report import machine, today, write_section
from tests.support.served import OPTIONS, PROPOSAL, ROOT, Served, postgres_schema, served

POSTGRES_URL = os.environ.get(
    "OFFERWRIGHT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
LUA = Path(__file__).with_name("load.lua")
CONNECTIONS, THREADS = 16, 2
WARM_UP_SECONDS = 2
CREATIONS, CLICKS = 48, 40
HEALTH_EVERY_SECONDS = 0.05
RETRY_FOR_SECONDS = 120  # past this, a request still answered 503 is given up
LIST_TARGET = 1_500  # req/s
HEALTH_P99_TARGET = 0.2  # seconds
ACCEPTABLE_CODES = frozenset({409, 503})


UNDER_400 = "2xx or 3xx"  # wrk without the status count cannot tell them apart


def acceptable(status: str) -> bool:
    """2xx, 409, and 503 with Retry-After ("503"; without it: "503 without Retry-After");
    anything else (another status, no answer) is not. Without wrk's status count, answers
    under 400 pass (these routes never redirect) and the others fail, 409 and 503 alike."""
    if status == UNDER_400:
        return True
    return status.isdigit() and (status.startswith("2") or int(status) in ACCEPTABLE_CODES)


def served_count(statuses: Counter[str]) -> int:
    """Answers other than 503s: the requests the server did the work of."""
    return sum(n for status, n in statuses.items() if status[:1].isdigit() and status[:3] != "503")


def percentile(values: list[float], share: float) -> float:
    """Nearest rank; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


@dataclass
class Figures:
    """One load on one backend: medians over its runs; answers and /healthz over all."""

    name: str
    rate: float | None  # req/s (wrk only)
    p50: float  # seconds
    p99: float
    seconds: float  # total time (median of the runs for httpx loads, sum for wrk)
    runs: int
    statuses: Counter[str]
    cpu: float  # the server's CPU seconds per request served (503s are not counted)
    health: list[float] = field(default_factory=list)
    health_statuses: Counter[str] = field(default_factory=Counter)
    rate_target: float | None = None

    @property
    def unacceptable(self) -> Counter[str]:
        bad: Counter[str] = Counter()
        for status, count in self.statuses.items():
            if not acceptable(status):
                bad[status] += count
        for status, count in self.health_statuses.items():
            if status != "200":
                bad[f"/healthz {status}"] += count
        return bad

    @property
    def health_p99(self) -> float:
        return percentile(self.health, 99)

    def misses(self) -> list[str]:
        missed = []
        if self.rate_target is not None and not (self.rate or 0) >= self.rate_target:
            missed.append(f"{_count(self.rate or 0)} req/s, target >= {_count(self.rate_target)}")
        if self.unacceptable:
            missed.append(
                f"answers other than 2xx, 409, 503 with Retry-After: {_statuses(self.unacceptable)}"
            )
        if not self.health_p99 < HEALTH_P99_TARGET:
            missed.append(f"/healthz p99 {_ms(self.health_p99)}, target < {_ms(HEALTH_P99_TARGET)}")
        return missed


class HealthPoller:
    """Polls ``/healthz`` every 50 ms on a thread and a connection of its own."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self._stop.is_set():
                started = time.perf_counter()
                try:
                    status = str(client.get(f"{self.url}/healthz").status_code)
                except httpx.HTTPError as error:
                    status = f"no answer ({type(error).__name__})"
                elapsed = time.perf_counter() - started
                self.latencies.append(elapsed)
                self.statuses[status] += 1
                self._stop.wait(max(0.0, HEALTH_EVERY_SECONDS - elapsed))

    def __enter__(self) -> HealthPoller:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _stats() -> dict[int, tuple[int, float]]:
    """Every process's parent and CPU time (its own and its reaped children's, in seconds)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        # After the name: state, ppid, ..., utime, stime, cutime, cstime (fields 14 to 17).
        found[int(entry.name)] = (int(fields[1]), sum(int(f) for f in fields[11:15]) / tick)
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by ``pid`` and its descendants (solver and render workers), as
    far as Linux's /proc tells: what a request costs, whatever else shares the machine."""
    stats = _stats()
    children: dict[int, list[int]] = {}
    for child, (parent, _) in stats.items():
        children.setdefault(parent, []).append(child)
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        total += stats.get(current, (0, 0.0))[1]
        pending.extend(children.get(current, []))
    return total


class ServerCpu:
    """The served process tree's CPU time over a ``with`` block (NaN off Linux)."""

    def __init__(self, server: Served) -> None:
        self.pid = server.process.pid if server.process is not None else None
        self.seconds = math.nan

    def __enter__(self) -> ServerCpu:
        self._start = cpu_seconds(self.pid) if self.pid and Path("/proc").is_dir() else math.nan
        return self

    def __exit__(self, *_: object) -> None:
        if self.pid is not None and not math.isnan(self._start):
            self.seconds = cpu_seconds(self.pid) - self._start


# --- wrk ---------------------------------------------------------------------------------


@dataclass
class WrkRun:
    rate: float
    p50: float
    p99: float
    statuses: Counter[str]


def wrk(url: str, headers: dict[str, str], seconds: int, *, count: bool = True) -> WrkRun:
    """One wrk run; ``count=False`` leaves the Lua response callback out (statuses over 399
    are then counted but not told apart)."""
    executable = shutil.which("wrk")
    if executable is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    command = [
        executable,
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        *(f"-H{name}: {value}" for name, value in headers.items()),
        url,
        *([] if count else ["--", "plain"]),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    lines = [line for line in done.stdout.splitlines() if line.startswith("WRK-JSON ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    report: dict[str, Any] = json.loads(lines[-1].removeprefix("WRK-JSON "))
    statuses: Counter[str] = Counter()
    if report["counted"]:
        statuses.update({status: int(n) for status, n in report["statuses"].items()})
        missing = int(report["missing_retry_after"])
        if missing:
            statuses["503"] -= missing
            statuses["503 without Retry-After"] = missing
    else:
        over_399 = int(report["errors"]["status"])
        statuses[UNDER_400] = int(report["requests"]) - over_399
        statuses["4xx or 5xx"] = over_399
    for kind in ("connect", "read", "write", "timeout"):
        if report["errors"][kind]:
            statuses[f"socket {kind} errors"] = int(report["errors"][kind])
    latency = report["latency_us"]
    return WrkRun(
        rate=int(report["requests"]) / (int(report["duration_us"]) / 1e6),
        p50=float(latency["p50"]) / 1e6,
        p99=float(latency["p99"]) / 1e6,
        statuses=+statuses,
    )


def wrk_load(
    server: Served, name: str, path: str, role: str | None, options: argparse.Namespace
) -> Figures:
    headers = server.headers(role) if role else {}
    url = f"{server.url}{path}"
    check = httpx.get(url, headers=headers, timeout=30)
    if check.status_code != 200:
        print(f"  note: {path} answers {check.status_code} before the load: {check.text[:200]}")
    wrk(url, headers, min(WARM_UP_SECONDS, options.duration), count=options.count)
    runs = []
    with HealthPoller(server.url) as health, ServerCpu(server) as cpu:
        for _ in range(options.runs):
            runs.append(wrk(url, headers, options.duration, count=options.count))
    statuses: Counter[str] = Counter()
    for run in runs:
        statuses.update(run.statuses)
    return Figures(
        name=f"{name} (wrk)",
        rate=statistics.median(run.rate for run in runs),
        p50=statistics.median(run.p50 for run in runs),
        p99=statistics.median(run.p99 for run in runs),
        seconds=float(options.duration * options.runs),
        runs=options.runs,
        statuses=statuses,
        cpu=cpu.seconds / max(1, served_count(statuses)),
        health=health.latencies,
        health_statuses=health.statuses,
        rate_target=LIST_TARGET if path.startswith("/v1/components?") else None,
    )


# --- many at once (httpx) ----------------------------------------------------------------

Send = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


async def _until_answered(
    client: httpx.AsyncClient, send: Send, seen: list[tuple[str, float]]
) -> None:
    """Send until the answer is not a 503, waiting as each 503's Retry-After says (1 s when
    it says nothing, which is counted against the target), for RETRY_FOR_SECONDS at most."""
    give_up = time.monotonic() + RETRY_FOR_SECONDS
    while True:
        started = time.perf_counter()
        try:
            response = await send(client)
        except httpx.HTTPError as error:
            seen.append((f"no answer ({type(error).__name__})", time.perf_counter() - started))
            return
        elapsed = time.perf_counter() - started
        if response.status_code != 503:
            seen.append((str(response.status_code), elapsed))
            return
        retry_after = response.headers.get("Retry-After")
        seen.append(("503" if retry_after else "503 without Retry-After", elapsed))
        if time.monotonic() > give_up:
            seen.append((f"still 503 after {RETRY_FOR_SECONDS} s", 0.0))
            return
        try:
            wait = float(retry_after) if retry_after else 1.0
        except ValueError:  # an HTTP date: not what this server sends
            wait = 1.0
        await asyncio.sleep(wait)


async def _at_once(url: str, sends: list[Send]) -> tuple[list[tuple[str, float]], float]:
    seen: list[tuple[str, float]] = []
    limits = httpx.Limits(max_connections=len(sends), max_keepalive_connections=len(sends))
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(_until_answered(client, send, seen) for send in sends))
        return seen, time.perf_counter() - started


def _creations(server: Served) -> list[Send]:
    def creation() -> Send:
        headers = {**server.headers("sales"), "Idempotency-Key": str(uuid.uuid4())}

        async def send(client: httpx.AsyncClient) -> httpx.Response:
            return await client.post("/v1/proposals", json=PROPOSAL, headers=headers)

        return send

    return [creation() for _ in range(CREATIONS)]


def _clicks(server: Served) -> list[Send]:
    def click(index: int) -> Send:
        body = {**OPTIONS, "chosen": ["SD-L1-247"] if index % 2 else []}

        async def send(client: httpx.AsyncClient) -> httpx.Response:
            return await client.post(
                "/v1/configurations/options", json=body, headers=server.headers("sales")
            )

        return send

    return [click(index) for index in range(CLICKS)]


def crowd_load(
    server: Served, name: str, sends: Callable[[Served], list[Send]], runs: int
) -> Figures:
    # One request first: solver and options workers start, caches fill.
    asyncio.run(_at_once(server.url, sends(server)[:1]))
    statuses: Counter[str] = Counter()
    p50s, p99s, totals = [], [], []
    with HealthPoller(server.url) as health, ServerCpu(server) as cpu:
        for _ in range(runs):
            seen, total = asyncio.run(_at_once(server.url, sends(server)))
            statuses.update(status for status, _ in seen)
            latencies = [elapsed for status, elapsed in seen if not status.startswith("still")]
            p50s.append(percentile(latencies, 50))
            p99s.append(percentile(latencies, 99))
            totals.append(total)
    return Figures(
        name=name,
        rate=None,
        p50=statistics.median(p50s),
        p99=statistics.median(p99s),
        seconds=statistics.median(totals),
        runs=runs,
        statuses=statuses,
        cpu=cpu.seconds / max(1, served_count(statuses)),
        health=health.latencies,
        health_statuses=health.statuses,
    )


# --- the served process ------------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    """What is served: the interpreter, the source put first on PYTHONPATH, and where its
    ``app`` package was found (and at which commit)."""

    python: str
    source: Path | None
    app_dir: Path
    commit: str
    version: str

    @property
    def ours(self) -> bool:
        return self.app_dir.resolve() == (ROOT / "app").resolve()

    def describe(self) -> str:
        where = "this checkout" if self.ours else str(self.app_dir.parent)
        return f"{where} at {self.commit}, Python {self.version}"


def code_of(python: str, source: Path | None) -> Code:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    probe = "import app, sys; print(app.__file__); print(sys.version.split()[0])"
    done = subprocess.run(
        [python, "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    )
    app_file, version = done.stdout.split()
    app_dir = Path(app_file).parent
    git = subprocess.run(
        ["git", "-C", str(app_dir), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    commit = git.stdout.strip() if git.returncode == 0 else "unknown commit"
    served_code = ["app", "catalog", "pricing", "migrations"]
    dirty = subprocess.run(
        ["git", "-C", str(app_dir.parent), "status", "--porcelain", "--", *served_code],
        capture_output=True,
        text=True,
    )
    if dirty.returncode == 0 and dirty.stdout.strip():
        commit += " with uncommitted changes"
    return Code(python, source, app_dir, commit, version)


def server_errors(log: Path) -> Counter[str]:
    """Each traceback in the server's log, as the line that announced it and the exception
    that ended its chain, counted. (One failed request may be logged twice: by the app,
    then by Uvicorn as "Exception in ASGI application" when the error reached it.)"""
    errors: Counter[str] = Counter()
    heading = previous = ""
    in_traceback, pending = False, None
    with log.open(errors="replace") as lines:
        for raw in lines:
            line = raw.rstrip("\n")
            if line.startswith(("The above exception", "During handling")):
                pending = None  # that was a cause: the chain goes on
            elif line.startswith("Traceback (most recent call last)"):
                if not in_traceback:
                    heading = " ".join(previous.split())[:100]
                in_traceback = True
            elif in_traceback and line.strip() and not line[0].isspace():
                if pending is None:
                    pending = f"{heading}: {line.strip()[:200]}"
                else:  # the next line after the chain's last exception
                    errors[pending] += 1
                    in_traceback, pending = False, None
            previous = line
    if pending is not None:
        errors[pending] += 1
    return errors


@contextmanager
def serving(backend: str, directory: Path, code: Code) -> Iterator[Served]:
    with ExitStack() as stack:
        url = stack.enter_context(postgres_schema(POSTGRES_URL)) if backend == "postgres" else None
        yield stack.enter_context(served(directory, url, python=code.python, source=code.source))


def _gone(server: Served) -> str | None:
    """How the server went, if it did: exited (a signal from outside, a crash) or no longer
    accepting connections (shutting down)."""
    exit_code = server.exited()
    if exit_code is not None:
        how = f"signal {-exit_code}" if exit_code < 0 else f"exit code {exit_code}"
        return f"exited ({how})"
    try:
        httpx.get(f"{server.url}/healthz", timeout=30)
    except httpx.ConnectError:
        return "stopped accepting connections"
    except httpx.HTTPError:
        pass  # busy, not gone
    return None


def measure(
    backend: str, code: Code, options: argparse.Namespace
) -> tuple[list[Figures], list[str], bool]:
    """The loads on one backend; notes (the server's unhandled errors, an early exit); and
    whether the server exited before the end."""
    loads: list[Callable[[Served], Figures]] = [
        partial(wrk_load, name=name, path=path, role=role, options=options)
        for name, path, role in (
            ("GET /v1/components?limit=50", "/v1/components?limit=50", "sales"),
            ("GET /v1/components/CMP-VM-LNX", "/v1/components/CMP-VM-LNX", "sales"),
            ("GET /healthz", "/healthz", None),
        )
    ]
    loads.append(
        partial(
            crowd_load, name=f"{CREATIONS} proposals at once", sends=_creations, runs=options.runs
        )
    )
    loads.append(
        partial(
            crowd_load, name=f"{CLICKS} options clicks at once", sends=_clicks, runs=options.runs
        )
    )
    figures: list[Figures] = []
    notes: list[str] = []
    stopped = False
    with tempfile.TemporaryDirectory(prefix="ow-load-") as directory:
        with serving(backend, Path(directory), code) as server:
            load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
            print(f"{backend}: serving {code.describe()} at {server.url} (load average {load})")
            for run_load in loads:
                figures.append(run_load(server))
                print(row(backend, figures[-1]))
                gone = _gone(server)
                if gone is not None:
                    stopped = True
                    notes.append(
                        f"{backend}: offerwright serve {gone} by the end of {figures[-1].name}: "
                        "the figures of that load are void, the loads after it were not run"
                    )
                    print(f"  {notes[-1]}")
                    break
        # Read once the server has stopped, so errors at shutdown count too.
        for error, count in server_errors(Path(directory) / "serve.log").most_common():
            notes.append(f"{backend}: the server logged {count} times `{error}`")
            print(f"  {notes[-1]}")
    return figures, notes, stopped


# --- the report --------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    if math.isnan(seconds):
        return "n/a"
    return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:,.0f} ms"


def _count(value: float) -> str:
    return f"{value:,.0f}"


def _statuses(statuses: Counter[str]) -> str:
    return "; ".join(f"{status}: {_count(n)}" for status, n in sorted(statuses.items()))


def _runs(count: int) -> str:
    return f"{count} run" if count == 1 else f"{count} runs"


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


HEAD = [
    "| database | load | req/s | p50 | p99 | total | answers | /healthz p99 during | server CPU "
    "per request |",
    "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
]


def row(backend: str, figures: Figures) -> str:
    rate = "" if figures.rate is None else _count(figures.rate)
    if figures.rate_target is not None:
        ok = (figures.rate or 0) >= figures.rate_target
        rate += f" {_mark(ok)} (≥ {_count(figures.rate_target)})"
    total = (
        f"{figures.runs} x {figures.seconds / figures.runs:.0f} s"
        if figures.rate is not None
        else f"{figures.seconds:.2f} s"
    )
    answers = f"{_statuses(figures.statuses)} {_mark(not figures.unacceptable)}"
    health = f"{_ms(figures.health_p99)} {_mark(figures.health_p99 < HEALTH_P99_TARGET)}"
    return (
        f"| {backend} | {figures.name} | {rate} | {_ms(figures.p50)} | {_ms(figures.p99)} | "
        f"{total} | {answers} | {health} | {_ms(figures.cpu)} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=3, help="runs of each load (median)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="the interpreter whose `-m app.cli serve` is measured",
    )
    parser.add_argument(
        "--source",
        type=Path,
        default=None,
        help="put first on the served process's PYTHONPATH (default: this "
        "checkout with this interpreter, else none)",
    )
    parser.add_argument(
        "--no-status-count",
        dest="count",
        action="store_false",
        help="wrk without the Lua response callback (statuses over 399 are "
        "counted but not told apart)",
    )
    parser.add_argument("--no-write", action="store_true", help="leave RESULTS.md as it is")
    options = parser.parse_args()
    if options.runs < 1 or options.duration < 1:
        parser.error("--runs and --duration must be at least 1")
    source = options.source
    if source is None and os.path.realpath(options.python) == os.path.realpath(sys.executable):
        source = ROOT
    code = code_of(options.python, source.resolve() if source else None)
    described = machine()  # its speed reference before the load, not after
    start_load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    backends = ["sqlite", "postgres"] if options.backend == "both" else [options.backend]
    print(
        f"{CONNECTIONS} connections, {THREADS} wrk threads, {options.runs} x "
        f"{options.duration} s after a {WARM_UP_SECONDS} s warm-up"
    )
    rows: list[str] = []
    missed: list[str] = []
    notes: list[str] = []
    for backend in backends:
        measured, backend_notes, stopped = measure(backend, code, options)
        for figures in measured:
            rows.append(row(backend, figures))
            missed.extend(f"{backend}, {figures.name}: {miss}" for miss in figures.misses())
        if stopped:
            missed.append(f"{backend}: the server exited before the end")
        notes.extend(backend_notes)
    print("\n" + "\n".join([*HEAD, *rows]))
    if notes:
        print("\n" + "\n".join(notes))
    print("\ntargets: " + ("all met" if not missed else "MISSED:\n  " + "\n  ".join(missed)))
    if not options.no_write:
        key = "load" if code.ours else f"load-{code.commit.split()[0]}"
        what = "" if code.ours else f", code at {code.commit}"
        write_section(
            key,
            [
                f"## Load on a served process{what} (`python -m benchmarks.load`)",
                "",
                f"Machine: {described}; load average {start_load} at the start. "
                f"Date: {today()}. Served: {code.describe()}, `offerwright serve` with its "
                f"defaults. wrk: {CONNECTIONS} connections, {THREADS} threads, "
                f"{_runs(options.runs)} of {options.duration} s after a {WARM_UP_SECONDS} s "
                f"warm-up (the median). httpx: {CREATIONS} proposal creations and {CLICKS} "
                "options clicks at once, each sent again as a 503's Retry-After says (the "
                f"median of {_runs(options.runs)}; the answers of all). `/healthz` polled "
                "every 50 ms throughout. Targets: the component list at ≥ 1,500 req/s; only "
                "2xx, 409 and 503 with Retry-After under every load; /healthz p99 under 200 ms.",
                "",
                *HEAD,
                *rows,
                *(["", *(f"- {note}" for note in notes)] if notes else []),
            ],
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
