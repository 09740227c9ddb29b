"""A real ``offerwright serve`` process for tests that must see what users run: its own
database (a SQLite file or a PostgreSQL schema), migrated and holding the default catalog,
with one API key per role, on a free port. Also what ``benchmarks.load`` serves, with
another interpreter and source tree when it measures another checkout."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
from sqlalchemy import text

from app.kit.database import make_engine

ROLES = ("sales", "portfolio", "approver", "delivery", "admin")
# What the tests of a served process (and benchmarks.load) send: a proposal, and options
# clicks over needs that put most of the default catalog in scope.
PROPOSAL: dict[str, Any] = {
    "customer": {"name": "Crowd Testing GmbH", "country": "DE"},
    "request": {"price_book": "EUR", "term_months": 36, "residency": ["EU"],
                "needs": [{"capability": "compute.linux", "quantity": 20},
                          {"capability": "storage.block", "quantity": 30}]},
}  # fmt: skip
OPTIONS: dict[str, Any] = {
    "price_book": "EUR", "term_months": 36, "residency": ["EU"],
    "needs": [{"capability": "compute.linux", "quantity": 20},
              {"capability": "storage.block", "quantity": 30},
              {"capability": "service-desk", "quantity": 250}],
}  # fmt: skip
ROOT = Path(__file__).resolve().parents[2]


PASSWORD = "served web password"


@dataclass
class Served:
    url: str
    keys: dict[str, str] = field(default_factory=dict)
    log: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    def exited(self) -> int | None:
        """The server's exit code once it has stopped (a negative one: the signal that
        stopped it), else None."""
        return None if self.process is None else self.process.poll()

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run(python: str, env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run(
        [python, "-m", "app.cli", *args], env=env, cwd=cwd, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"offerwright {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


# What Uvicorn prints once an API process has started and listens.
STARTED = b"Application startup complete"


class _Output(threading.Thread):
    """Copies the server's output into its log as it comes, and sets ``started`` when the
    server says it has started, or when the output ends (the process is gone)."""

    def __init__(self, stream: IO[bytes], log: Path) -> None:
        super().__init__(daemon=True)
        self.stream, self.log = stream, log
        self.started = threading.Event()

    def run(self) -> None:
        with self.stream, self.log.open("wb") as sink:
            for line in iter(self.stream.readline, b""):
                sink.write(line)
                sink.flush()
                if STARTED in line:
                    self.started.set()
        self.started.set()


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A fresh schema; the database URL that puts it first on the search path."""
    schema = f"ow_served_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _worker(python: str, env: dict[str, str], cwd: Path, number: int) -> subprocess.Popen[bytes]:
    with (cwd / f"worker-{number}.log").open("wb") as log:  # the process keeps its own copy
        return subprocess.Popen(
            [python, "-m", "app.cli", "worker"], env=env, cwd=cwd, stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip


@contextmanager
def served(
    directory: Path,
    database_url: str | None = None,
    *,
    python: str = sys.executable,
    source: Path | None = ROOT,
    workers: int = 0,
    people: tuple[str, ...] = (),
    **settings: str,
) -> Iterator[Served]:
    """``offerwright serve`` in ``directory`` (its SQLite file there unless a URL is given),
    with ``settings`` as OFFERWRIGHT_* variables (only those given: older code may lack some);
    stopped (and waited for) on exit. ``python -m app.cli`` runs every command, with
    ``source`` first on PYTHONPATH (None: whatever that interpreter has installed).
    ``workers``: ``offerwright worker`` processes beside it (PostgreSQL's background jobs,
    such as PDF renders; on SQLite the server runs them itself). ``people``: roles that get
    a web app account each (``<role>@served.example``, password ``PASSWORD``)."""
    env = {**os.environ, **{f"OFFERWRIGHT_{k.upper()}": v for k, v in settings.items()}}
    if "jobs" not in settings:
        env.pop("OFFERWRIGHT_JOBS", None)  # the tests' own choice: served runs as deployed
    env.pop("OFFERWRIGHT_DATABASE_URL", None)
    if database_url is not None:
        env["OFFERWRIGHT_DATABASE_URL"] = database_url
    env.pop("PYTHONPATH", None)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    _run(python, env, directory, "db", "upgrade")
    _run(python, env, directory, "catalog", "import")
    keys = {}
    for role in ROLES:
        centre = ["--centre", "CZ-BRN"] if role == "delivery" else []
        out = _run(
            python, env, directory, "keys", "create", "--name", role, "--role", role, *centre
        )
        keys[role] = out.strip().splitlines()[-1]
    for role in people:
        centre = ["--centre", "CZ-BRN"] if role == "delivery" else []
        _run(python, {**env, "OFFERWRIGHT_NEW_PASSWORD": PASSWORD}, directory, "users",
             "create", "--email", f"{role}@served.example", "--name", f"Served {role}",
             "--role", role, *centre)  # fmt: skip
    port = _free_port()
    log = directory / "serve.log"
    process = subprocess.Popen(
        [python, "-m", "app.cli", "serve", "--port", str(port)],
        env=env, cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdout is not None
    output = _Output(process.stdout, log)
    output.start()
    url = f"http://127.0.0.1:{port}"
    job_workers = [_worker(python, env, directory, number) for number in range(workers)]
    try:
        # Uvicorn says when an API process has started; then the first request is served
        # (were it early, it would wait in the socket's backlog, not fail).
        announced = output.started.wait(timeout=60)
        if not announced or process.poll() is not None:
            state = "timed out" if process.poll() is None else f"exit code {process.returncode}"
            raise RuntimeError(f"offerwright serve did not start ({state}):\n{log.read_text()}")
        health = httpx.get(f"{url}/healthz", timeout=60)
        assert health.status_code == 200, f"{health.status_code}:\n{log.read_text()}"
        yield Served(url, keys, log, process)
    finally:
        for worker in job_workers:
            worker.terminate()
            worker.wait(timeout=30)
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.join(timeout=30)  # the rest of the log, up to the process's end
