"""procrastinate on PostgreSQL, end to end, with real ``offerwright worker`` processes: a
job is deferred in the domain's own transaction (and not at all when it rolls back); a
PDF asked for before any worker runs is a 202, then a 200 once a worker rendered it; a
worker killed (SIGKILL) mid-render leaves a stalled job that another worker picks up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from app.auth.principal import SYSTEM
from app.bootstrap import build_jobs, create_app
from app.documents.render_pool import InlineRenderer
from app.kit.database import Database, make_engine
from app.kit.migrate import upgrade
from app.kit.settings import Settings
from app.models import RenderedDocument
from app.portfolio.catalog.service import import_snapshot
from tests.support.api import Keys, ok
from tests.support.factories import PROPOSALS, create_proposal, move_proposal
from tests.support.pdfs import fetch_pdf

pytestmark = pytest.mark.postgres
OFFERWRIGHT = str(Path(sys.executable).parent / "offerwright")
# Workers that notice a silent one within seconds (the defaults: 5 s beats, 30 s timeout).
LIVELY = {
    "OFFERWRIGHT_JOB_HEARTBEAT_SECONDS": "0.5",
    "OFFERWRIGHT_JOB_STALLED_SECONDS": "3",
    "OFFERWRIGHT_JOB_STALLED_CHECK_SECONDS": "0.5",
}


@pytest.fixture
def database(postgres_url: str, default_snapshot: Any) -> Iterator[Database]:
    """A schema of its own, named in the URL, so worker processes given the URL find it."""
    schema = f"ow_jobs_{uuid.uuid4().hex[:10]}"
    admin = make_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = Database(f"{postgres_url}?options=-csearch_path%3D{schema}")
    upgrade(database.engine)
    with database.transaction(write=True) as session:
        import_snapshot(session, SYSTEM, default_snapshot, trusted=True)
    yield database
    database.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def settings(**changes: Any) -> Settings:
    return Settings(auth_failures_per_minute=10_000, jobs="procrastinate", **changes)


@contextmanager
def worker(database: Database, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``offerwright worker`` on the database, in a process group of its own (its renderer
    processes go with it when it is killed)."""
    environment = {
        **os.environ, **LIVELY, "OFFERWRIGHT_DATABASE_URL": database.url,
        "OFFERWRIGHT_JOBS": "auto",
    }  # fmt: skip
    with log.open("ab") as output:
        process = subprocess.Popen(
            [OFFERWRIGHT, "worker", "--concurrency", "1"], env=environment,
            stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)


def jobs(database: Database) -> list[tuple[str, str]]:
    with database.transaction(write=False) as session:
        rows = session.execute(
            text("SELECT task_name, status::text FROM procrastinate_jobs ORDER BY id")
        )
        return [(row[0], row[1]) for row in rows]


def pdfs(database: Database) -> int:
    with database.transaction(write=False) as session:
        count = session.scalar(
            select(func.count())
            .select_from(RenderedDocument)
            .where(RenderedDocument.pdf.is_not(None))
        )
        return count or 0


def eventually(check: Callable[[], Any], seconds: float, what: str, log: Path) -> Any:
    deadline = time.monotonic() + seconds
    while not (answer := check()):
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen; the workers said:\n{log.read_text()[-4000:]}")
        time.sleep(0.02)
    return answer


def test_a_job_is_deferred_in_the_domains_transaction_or_not_at_all(
    database: Database,
) -> None:
    engine = build_jobs(settings(), database, InlineRenderer(max_pages=500))

    def fail_after_deferring() -> None:
        with database.transaction(write=True) as session:
            engine.defer(session, "render_proposal", proposal_id=1, revision=1)
            seen = session.execute(text("SELECT id FROM procrastinate_jobs")).all()
            assert len(seen) == 1  # in this transaction, on its connection
            raise RuntimeError("the use case failed after deferring")

    with pytest.raises(RuntimeError):
        fail_after_deferring()
    assert jobs(database) == []
    for _ in range(2):  # the same job asked for twice: queued once
        with database.transaction(write=True) as session:
            engine.defer(session, "render_proposal", proposal_id=1, revision=1)
    assert jobs(database) == [("render_proposal", "todo")]


def test_a_pdf_is_a_202_until_a_worker_renders_it_then_a_200(
    database: Database, tmp_path: Path
) -> None:
    auth = Keys(database)
    app = create_app(settings(pdf_wait_seconds=0.2), database)
    log = tmp_path / "worker.log"
    with TestClient(app, raise_server_exceptions=False) as client:
        proposal = create_proposal(client, auth)
        ok(move_proposal(client, auth, proposal, "submitted"))  # issued: its render queued
        assert jobs(database) == [("render_proposal", "todo")]
        url = f"{PROPOSALS}/{proposal['id']}/pdf"
        pending = client.get(url, headers=auth("sales"))
        assert pending.status_code == 202 and pending.headers["Retry-After"] == "2"
        assert jobs(database) == [("render_proposal", "todo")]  # the issued one, not another
        listed = ok(client.get("/v1/jobs", headers=auth("admin")))["items"]
        assert [(job["task"], job["status"], job["arguments"]) for job in listed] == [
            ("render_proposal", "todo", {"proposal_id": proposal["id"], "revision": 1})
        ]
        with worker(database, log) as process:
            document = fetch_pdf(client, url, headers=auth("sales"))
            assert document.status_code == 200 and document.content.startswith(b"%PDF")
            eventually(lambda: jobs(database) == [("render_proposal", "succeeded")], 30,
                       "the job's success", log)  # fmt: skip
            process.send_signal(signal.SIGTERM)  # a worker stops cleanly when told to
            assert process.wait(30) == 0
        listed = ok(client.get("/v1/jobs", params={"status": "succeeded"},
                               headers=auth("admin")))["items"]  # fmt: skip
        assert [job["attempts"] for job in listed] == [1]


def test_a_worker_killed_mid_render_leaves_its_job_to_another(
    database: Database, tmp_path: Path
) -> None:
    auth = Keys(database)
    app = create_app(settings(), database)
    log = tmp_path / "workers.log"
    with TestClient(app, raise_server_exceptions=False) as client:
        proposal = create_proposal(client, auth)
        ok(move_proposal(client, auth, proposal, "submitted"))
    with worker(database, log) as first:
        eventually(lambda: jobs(database) == [("render_proposal", "doing")], 120,
                   "the first worker taking the job", log)  # fmt: skip
        os.killpg(first.pid, signal.SIGKILL)  # mid-render: no PDF is stored yet
        first.wait(30)
    assert pdfs(database) == 0
    assert jobs(database) == [("render_proposal", "doing")]  # stalled: nobody runs it
    with worker(database, log):
        eventually(lambda: pdfs(database) == 1, 120, "the second worker's render", log)
        eventually(lambda: jobs(database) == [("render_proposal", "succeeded")], 30,
                   "the job's success", log)  # fmt: skip
