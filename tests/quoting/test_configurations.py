"""POST /v1/configurations on SQLite and PostgreSQL: bundles, visibility, conflicts, bad
input, and the solver pool's hard deadline and bounded queue."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.auth.service import create_key
from app.bootstrap import create_app
from app.configurator.errors import SolverTimeout
from app.configurator.request import ConfigurationRequest, Limits
from app.configurator.results import Solution
from app.kit.database import Database
from app.kit.settings import Settings
from app.quoting.solver_pool import SolverPool
from catalog.snapshot import CatalogSnapshot
from tests.support.api import ok
from tests.support.events import Notifier, ProcessEvent, wait_for_exits
from tests.support.factories import CONFIGURATION_REQUEST
from tests.support.problems import assert_problem, error_fields

PATH = "/v1/configurations"


def test_sales_gets_an_explained_bundle_without_cost(client: TestClient, auth: Any) -> None:
    body = ok(client.post(PATH, json=CONFIGURATION_REQUEST, headers=auth("sales")))
    assert body["status"] == "optimal"
    (bundle,) = body["bundles"]
    assert bundle["totals"]["currency"] == "EUR"
    for line in bundle["lines"]:
        assert line["reasons"], line["component"]
        assert "cost" not in line and "margin" not in line
    assert "cost" not in bundle and "margin" not in bundle
    assert isinstance(bundle["availability"], float)
    needs = [reason for line in bundle["lines"] for reason in line["reasons"]]
    assert "covers need compute.linux (20 server)" in needs


def test_cost_readers_see_cost_and_margin(client: TestClient, auth: Any) -> None:
    body = ok(
        client.post(
            PATH, json={**CONFIGURATION_REQUEST, "alternatives": 2}, headers=auth("approver")
        )
    )
    assert len(body["bundles"]) == 2
    for bundle in body["bundles"]:
        assert bundle["cost"]["currency"] == "EUR" and "percent" in bundle["margin"]


def test_no_valid_bundle_is_a_422_with_conflict_and_repairs(client: TestClient, auth: Any) -> None:
    response = client.post(
        PATH, json={**CONFIGURATION_REQUEST, "budget_monthly": "100.00"}, headers=auth("sales")
    )
    problem = assert_problem(response, 422, "infeasible")
    kinds = {item["kind"] for item in problem["conflicts"]}
    assert "budget" in kinds
    budget = next(item for item in problem["conflicts"] if item["kind"] == "budget")
    assert "is below the cheapest valid bundle" in budget["detail"]
    repair = problem["repairs"][0]
    assert [item["kind"] for item in repair["relax"]] == ["budget"]
    assert repair["bundle"]["lines"] and "cost" not in repair["bundle"]
    assert repair["detail"] == repair["relax"][0]["detail"]
    assert repair["detail"].endswith(" EUR a month")


def test_a_repair_of_two_changes_reads_and(client: TestClient, auth: Any) -> None:
    body = {**CONFIGURATION_REQUEST, "residency": ["UK"], "budget_monthly": "100.00"}
    problem = assert_problem(client.post(PATH, json=body, headers=auth("sales")), 422, "infeasible")
    pairs = [repair for repair in problem["repairs"] if len(repair["relax"]) == 2]
    assert pairs
    for repair in pairs:
        first, second = (item["detail"] for item in repair["relax"])
        assert repair["detail"] == f"{first} and {second}"


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"colour": "red"}, ["colour"]),
        ({"needs": [{"capability": "compute.lnux", "quantity": 2}]}, ["needs[0].capability"]),
        ({"needs": [{"capability": "compute.linux", "quantity": 0}]}, ["needs[0].quantity"]),
        ({"alternatives": 6}, ["alternatives"]),
        ({"objective": "max_fun"}, ["objective"]),
        ({"include": ["CMP-NOPE"]}, ["include[0]"]),
        ({"residency": ["MARS"]}, ["residency[0]"]),
        ({"min_availability": 100}, ["min_availability"]),
        ({"budget_monthly": "-5"}, ["budget_monthly"]),
    ],
)
def test_bad_requests_are_422_before_any_model(
    client: TestClient, auth: Any, change: dict[str, Any], fields: list[str]
) -> None:
    response = client.post(PATH, json={**CONFIGURATION_REQUEST, **change}, headers=auth("sales"))
    assert error_fields(assert_problem(response, 422, "validation-error")) == fields


def test_too_many_needs_is_refused(database: Any, auth: Any) -> None:
    settings = Settings(auth_failures_per_minute=10_000, max_needs=1)
    with TestClient(create_app(settings, database), raise_server_exceptions=False) as client:
        response = client.post(PATH, json=CONFIGURATION_REQUEST, headers=auth("sales"))
        assert error_fields(assert_problem(response, 422)) == ["needs"]


# -- the solver pool: a hard deadline and a bounded queue ------------------------------------


@dataclass(frozen=True)
class StuckSolve:
    """A pathological solve: says it is running, then ignores its time limit, waiting (60 s
    at most) for the test to let it go."""

    running: Notifier

    def __call__(
        self, snapshot: CatalogSnapshot, request: ConfigurationRequest, limits: Limits
    ) -> Solution:
        with self.running() as connection:
            connection.settimeout(60)
            connection.recv(1)
        raise SolverTimeout("let go by the test")


class WatchedPool(SolverPool):
    """The real pool; ``handed`` is set when a request hands it a solve."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.handed = threading.Event()

    def solve(
        self, key: str, snapshot: CatalogSnapshot, request: ConfigurationRequest, limits: Limits
    ) -> Solution:
        self.handed.set()
        return super().solve(key, snapshot, request, limits)


@dataclass
class SlowClient:
    client: TestClient
    headers: dict[str, str]  # a sales key's
    pool: WatchedPool
    running: ProcessEvent  # set by each solve once it runs in a worker


@contextmanager
def _slow_client(database: Database, *, time_limit: float) -> Iterator[SlowClient]:
    """A client whose solves never end on their own: each is killed at ``time_limit`` plus
    half a second of grace. Its requests run at once from several threads, so it needs a
    database that gives each its own connection (the rolled-back test database serves every
    request on one, and two at once race on its savepoints)."""
    with database.transaction(write=True) as session:
        key = create_key(session, name="sales", role="sales")
    settings = Settings(
        auth_failures_per_minute=10_000,
        solver_time_limit_seconds=time_limit,
        solver_grace_seconds=0.5,
        solver_queue_wait_seconds=0.2,
    )
    running = ProcessEvent()
    pool = WatchedPool(workers=1, queue_wait=0.2, grace=0.5, solve=StuckSolve(running.notifier))
    try:
        app = create_app(settings, database, pool)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield SlowClient(client, {"Authorization": f"Bearer {key}"}, pool, running)
    finally:
        pool.close()  # a pool handed to the app is its giver's to close
        running.release()


@pytest.fixture
def slow_client(committed_database: Database) -> Iterator[SlowClient]:
    """Solves killed at their deadline: a time limit of 0.5 s and 0.5 s of grace."""
    with _slow_client(committed_database, time_limit=0.5) as slow:
        yield slow


@pytest.fixture
def stuck_client(committed_database: Database) -> Iterator[SlowClient]:
    """Solves that hold their worker until the test lets them go (their time limit, 30 s,
    is past the test's end)."""
    with _slow_client(committed_database, time_limit=30) as slow:
        yield slow


def test_a_runaway_solve_is_killed_at_its_deadline_while_health_answers(
    slow_client: SlowClient,
) -> None:
    client, headers = slow_client.client, slow_client.headers
    results: dict[str, Any] = {}

    def configure() -> None:
        started = time.monotonic()
        results["response"] = client.post(PATH, json=CONFIGURATION_REQUEST, headers=headers)
        results["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=configure)
    worker.start()
    # The solve is in the pool: running, or its worker loading the catalog (which counts
    # towards its deadline; the solve itself may never get to run).
    assert slow_client.pool.handed.wait(timeout=30)
    health = client.get("/healthz")
    assert health.status_code == 200
    assert worker.is_alive()  # health answered while the solve was still running
    worker.join(timeout=30)
    problem = assert_problem(results["response"], 503, "solver-timeout")
    assert "Retry-After" in results["response"].headers
    assert "time limit" in problem["detail"]
    # Killed at its time limit plus grace (1 s) and a worker's start, not after its 60 s.
    assert results["seconds"] < 10


def test_when_every_solver_is_busy_a_request_gets_503(stuck_client: SlowClient) -> None:
    client, headers = stuck_client.client, stuck_client.headers
    first = threading.Thread(
        target=lambda: client.post(PATH, json=CONFIGURATION_REQUEST, headers=headers)
    )
    first.start()
    assert stuck_client.running.wait(timeout=30)  # the only solver is taken
    started = time.monotonic()
    busy = client.post(PATH, json=CONFIGURATION_REQUEST, headers=headers)
    problem = assert_problem(busy, 503, "solver-busy")
    assert busy.headers["Retry-After"] == "1"
    assert time.monotonic() - started < 10  # waited briefly (0.2 s), not behind a 60 s solve
    assert "busy" in problem["detail"]
    stuck_client.running.release()  # the first solve ends
    first.join(timeout=30)


def test_a_worker_freezes_the_snapshot_it_serves_and_lets_the_last_one_go(
    default_snapshot: CatalogSnapshot, tmp_path: Path
) -> None:
    # In a solver worker the snapshot is long-lived: frozen out of the cyclic collector's
    # way while served, released when a newer revision arrives.
    import gc
    import pickle
    import weakref

    from app.quoting import solver_pool

    def keep(snapshot: CatalogSnapshot, request: Any, limits: Any) -> Any:
        return weakref.ref(snapshot)

    path = tmp_path / "snapshot.pickle"
    path.write_bytes(pickle.dumps(default_snapshot))
    try:
        first = solver_pool._run(keep, "revision-1", str(path), None, None)  # type: ignore[arg-type]
        frozen = gc.get_freeze_count()
        assert frozen > 0 and first() is not None
        solver_pool._run(keep, "revision-2", str(path), None, None)  # type: ignore[arg-type]
        gc.collect()
        assert first() is None  # the older revision's snapshot was collected
    finally:
        solver_pool._cached = None
        gc.unfreeze()


def test_snapshots_reach_workers_as_one_file_per_revision(
    default_snapshot: CatalogSnapshot,
) -> None:
    # Requests carry a path, not the pickled catalog. An older revision's file goes once no
    # solve uses it; the newest stays for the next request.
    pool = SolverPool(workers=1, queue_wait=1, grace=1)
    try:
        first = pool._file("revision-1", default_snapshot)
        assert pool._file("revision-1", default_snapshot) == first
        second = pool._file("revision-2", default_snapshot)
        assert Path(first).exists()  # still in use by two solves
        pool._release("revision-1")
        pool._release("revision-1")
        assert not Path(first).exists() and Path(second).exists()
        pool._release("revision-2")
        assert Path(second).exists()  # the newest is kept
        directory = Path(second).parent
    finally:
        pool.close()
    assert not directory.exists()


def _answer_at_once(snapshot: CatalogSnapshot, request: Any, limits: Any) -> Any:
    return len(snapshot.components)


def test_solves_on_three_revisions_at_once_each_find_their_snapshot(
    default_snapshot: CatalogSnapshot,
) -> None:
    pool = SolverPool(workers=3, queue_wait=30, grace=30, solve=_answer_at_once)
    results: dict[str, Any] = {}

    def solve(key: str) -> None:
        try:
            results[key] = pool.solve(key, default_snapshot, None, Limits())  # type: ignore[arg-type]
        except Exception as error:  # a missing snapshot file surfaced here as a 500
            results[key] = repr(error)

    threads = [threading.Thread(target=solve, args=(f"rev-{i}",)) for i in range(3)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        pool.close()
    assert results == {f"rev-{i}": len(default_snapshot.components) for i in range(3)}


def _crash(snapshot: CatalogSnapshot, request: Any, limits: Any) -> Any:
    import os

    os._exit(3)  # a worker dying in the middle of a solve (a segfault, the OOM killer)


def test_a_dead_worker_never_breaks_the_pool_for_good(default_snapshot: CatalogSnapshot) -> None:
    import multiprocessing
    import os
    import signal

    from app.kit.errors import SolverKilled

    pool = SolverPool(workers=1, queue_wait=5, grace=5, solve=_answer_at_once)
    crashing = SolverPool(workers=1, queue_wait=5, grace=5, solve=_crash)
    try:
        with pytest.raises(SolverKilled, match="stopped unexpectedly"):
            crashing.solve("rev", default_snapshot, None, Limits())  # type: ignore[arg-type]
        expected = len(default_snapshot.components)
        assert pool.solve("rev", default_snapshot, None, Limits()) == expected  # type: ignore[arg-type]
        idle = multiprocessing.active_children()
        for child in idle:  # killed while idle
            os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        wait_for_exits(idle, timeout=30)
        answers = []
        for _ in range(2):
            try:
                answers.append(pool.solve("rev", default_snapshot, None, Limits()))  # type: ignore[arg-type]
            except SolverKilled:
                answers.append("killed")
        assert answers[-1] == expected  # at worst one request saw the dead pool
    finally:
        pool.close()
        crashing.close()
