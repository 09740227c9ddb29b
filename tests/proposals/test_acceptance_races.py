"""On a committed database (SQLite and PostgreSQL): eight customers' posts at once make one
acceptance, one set of work packages, one contract job, and every post is answered with
the first; accepts and declines racing each other make one decision; and the application's
own job engine renders the contract copy once the acceptance has committed."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from app.kit.database import Database
from app.kit.settings import Settings
from app.models import Acceptance, Decline, ProposalEvent, ShareLink, WorkPackage
from tests.support.api import Keys
from tests.support.jobs import RecordingJobs
from tests.support.share import (
    ACCEPTANCE,
    customer_app,
    form_token,
    issued_proposal,
    page_path,
    shared_proposal,
)

POSTS = 8


@pytest.fixture
def jobs() -> RecordingJobs:
    return RecordingJobs()


@pytest.fixture
def client(
    committed_database: Database, render_pool: Any, jobs: RecordingJobs
) -> Iterator[TestClient]:
    settings = Settings(auth_failures_per_minute=10_000)
    with customer_app(committed_database, settings, render_pool, jobs) as client:
        yield client


def _at_once(work: Callable[[int], Response]) -> list[Response]:
    start = threading.Barrier(POSTS)
    answers: list[Response | BaseException] = [RuntimeError("not run")] * POSTS

    def run(index: int) -> None:
        start.wait()
        try:
            answers[index] = work(index)
        except BaseException as error:  # shown by the assertion below
            answers[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(POSTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(answer, Response) for answer in answers), answers
    return answers  # type: ignore[return-value]


def _count(database: Database, table: Any) -> int:
    with database.transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_eight_concurrent_acceptances_make_one(
    client: TestClient, committed_database: Database, jobs: RecordingJobs
) -> None:
    auth = Keys(committed_database)
    proposal, path = shared_proposal(client, auth)
    token = form_token(client.get(path))

    def post(index: int) -> Response:
        body = {**ACCEPTANCE, "full_name": f"Signer {index}", "signature": f"Signer {index}",
                "form_token": token}  # fmt: skip
        return client.post(f"{path}/accept", data=body, follow_redirects=False)

    answers = _at_once(post)
    assert [answer.status_code for answer in answers] == [303] * POSTS, [
        answer.text[:200] for answer in answers if answer.status_code != 303
    ]
    assert _count(committed_database, Acceptance) == 1
    assert _count(committed_database, WorkPackage) == len(proposal["lines"])
    assert len(jobs.deferred) == 1
    with committed_database.transaction(write=False) as session:
        (winner,) = session.scalars(select(Acceptance.full_name)).all()
        moves = session.scalars(
            select(ProposalEvent.to_status).where(ProposalEvent.to_status == "accepted")
        ).all()
    assert len(moves) == 1
    page = client.get(path).text
    assert winner in page and sum(f"Signer {i}" in page for i in range(POSTS)) == 1


def test_accepts_and_declines_racing_make_one_decision(
    client: TestClient, committed_database: Database
) -> None:
    auth = Keys(committed_database)
    _, path = shared_proposal(client, auth)
    page = client.get(path)
    accept_token, decline_token = form_token(page), form_token(page, "decline")

    def post(index: int) -> Response:
        if index % 2:
            body = {"form_token": decline_token, "reason": f"no {index}"}
            return client.post(f"{path}/decline", data=body, follow_redirects=False)
        body = {**ACCEPTANCE, "form_token": accept_token}
        return client.post(f"{path}/accept", data=body, follow_redirects=False)

    answers = _at_once(post)
    assert all(answer.status_code in (303, 410) for answer in answers), [
        (answer.status_code, answer.text[:200]) for answer in answers
    ]
    decisions = _count(committed_database, Acceptance) + _count(committed_database, Decline)
    assert decisions == 1


def test_the_applications_job_engine_renders_the_contract_after_the_commit(
    committed_database: Database, render_pool: Any
) -> None:
    from app.bootstrap import create_app

    # Its own engine, as served: threads that run jobs after the commit (the tests' default
    # engine runs a job only for a request that waits for it).
    settings = Settings(auth_failures_per_minute=10_000, jobs="threads")
    app = create_app(settings, committed_database, render_pool=render_pool)
    with TestClient(app, client=("198.51.100.20", 4242)) as client:
        auth = Keys(committed_database)
        proposal, path = shared_proposal(client, auth)
        body = {**ACCEPTANCE, "form_token": form_token(client.get(path))}
        assert client.post(f"{path}/accept", data=body, follow_redirects=False).status_code == 303
        where = f"/v1/proposals/{proposal['id']}/contract.pdf"
        deadline = time.monotonic() + 90
        answer = client.get(where, headers=auth("sales"))
        while answer.status_code == 202 and time.monotonic() < deadline:
            time.sleep(0.5)
            answer = client.get(where, headers=auth("sales"))
        assert answer.status_code == 200, answer.text
        record = client.get(f"/v1/proposals/{proposal['id']}/acceptance", headers=auth("sales"))
        assert record.json()["contract"]["sha256"] == hashlib.sha256(answer.content).hexdigest()


def test_concurrent_shares_leave_one_live_link(
    client: TestClient, committed_database: Database
) -> None:
    auth = Keys(committed_database)
    proposal = issued_proposal(client, auth)
    where = f"/v1/proposals/{proposal['id']}/share-link"
    answers = _at_once(lambda _: client.post(where, headers=auth("sales")))
    assert {answer.status_code for answer in answers} <= {201, 409}, [
        answer.text[:200] for answer in answers
    ]
    assert 201 in {answer.status_code for answer in answers}
    with committed_database.transaction(write=False) as session:
        live = session.scalars(select(ShareLink).where(ShareLink.revoked_at.is_(None))).all()
    assert len(live) == 1
    links = [answer.json() for answer in answers if answer.status_code == 201]
    opened = [client.get(page_path(link["url"])).status_code for link in links]
    assert sorted(opened) == [200] + [410] * (len(links) - 1)
