"""Proposal PDFs are rendered by background jobs, never in a request: issuing a revision
renders it; a PDF not rendered yet is a 202 (Retry-After, Location) and then a 200 from
storage; asking again while it renders queues nothing more; a render that fails for good
is in the proposal's history. The in-process engine's threads here, on SQLite and
PostgreSQL (procrastinate's own run is in tests/jobs/test_procrastinate.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.bootstrap import create_app
from app.documents.render_pool import InlineRenderer
from app.kit.database import Database
from app.kit.settings import Settings
from app.models import RenderedDocument
from tests.contract.conformance import Contract
from tests.proposals.test_proposal_pdf import is_pdfa_3b
from tests.support.api import Keys, ok
from tests.support.factories import PROPOSALS, create_proposal, move_proposal
from tests.support.pdfs import fetch_pdf


class GatedRenderer:
    """Renders once the test opens the gate; counts its renders."""

    def __init__(self) -> None:
        self.inner = InlineRenderer(max_pages=500)
        self.limits = self.inner.limits
        self.gate = threading.Event()
        self.renders = 0

    def render(self, document: Any) -> Any:
        self.renders += 1
        assert self.gate.wait(60), "the test never opened the gate"
        return self.inner.render(document)


class BrokenRenderer:
    limits = "pages 500"

    def render(self, document: Any) -> Any:
        raise RuntimeError("the renderer is out of order")


@contextmanager
def serving(database: Database, renderer: Any, **settings: Any) -> Iterator[TestClient]:
    options = {"auth_failures_per_minute": 10_000, "jobs": "threads", **settings}
    app = create_app(Settings(**options), database, render_pool=renderer)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def eventually(check: Callable[[], Any], seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while not (answer := check()):
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.05)
    return answer


def stored(database: Database) -> int:
    with database.transaction(write=False) as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(RenderedDocument)
                .where(RenderedDocument.pdf.is_not(None))
            )
            or 0
        )


def test_issuing_a_revision_renders_its_pdf_before_anyone_asks(
    committed_database: Database,
) -> None:
    auth = Keys(committed_database)
    renderer = GatedRenderer()
    renderer.gate.set()
    with serving(committed_database, renderer) as client:
        proposal = create_proposal(client, auth)
        assert stored(committed_database) == 0
        ok(move_proposal(client, auth, proposal, "submitted"))  # approved at once: issued
        eventually(lambda: stored(committed_database) == 1)
        response = client.get(f"{PROPOSALS}/{proposal['id']}/pdf", headers=auth("sales"))
        assert response.status_code == 200  # from storage, first time asked
        assert is_pdfa_3b(response.content)  # the archival copy, as issued
        assert renderer.renders == 1


def test_a_pdf_not_rendered_yet_is_a_202_then_a_200_and_rendered_once(
    committed_database: Database,
) -> None:
    auth = Keys(committed_database)
    renderer = GatedRenderer()
    with serving(committed_database, renderer, pdf_wait_seconds=0.2) as client:
        proposal = create_proposal(client, auth)  # a draft: nothing rendered on issue
        url = f"{PROPOSALS}/{proposal['id']}/pdf"
        contract = Contract(client)
        for _ in range(3):  # asked again while it renders: still one job
            pending = client.get(url, headers=auth("sales"))
            assert pending.status_code == 202
            contract.check(pending, "GET", "/v1/proposals/{proposal_id}/pdf")  # as published
            location = f"{url}?revision=1"
            assert pending.headers["Location"] == location
            assert pending.headers["Retry-After"] == "2"
            assert pending.json() == {
                "status": "rendering", "detail": "the PDF is being rendered; ask again shortly",
                "location": location, "retry_after": 2,
            }  # fmt: skip
        listed = client.get("/v1/jobs", params={"task": "render_proposal"}, headers=auth("admin"))
        assert len(contract.check(listed, "GET", "/v1/jobs")["items"]) == 1
        renderer.gate.set()
        document = fetch_pdf(client, url, headers=auth("sales"))
        assert document.status_code == 200 and document.content.startswith(b"%PDF")
        assert not is_pdfa_3b(document.content)  # a draft is watermarked, not archival
        draft_copy = fetch_pdf(client, url, params={"draft": True}, headers=auth("sales"))
        assert draft_copy.content == document.content  # a draft's copy is the same document
        assert renderer.renders == 1


def failed_jobs(client: TestClient, auth: Any) -> list[dict[str, Any]]:
    page = ok(client.get("/v1/jobs", params={"status": "failed"}, headers=auth("admin")))
    items: list[dict[str, Any]] = page["items"]
    return items


def test_a_render_that_fails_for_good_is_in_the_history_and_the_jobs(
    committed_database: Database,
) -> None:
    auth = Keys(committed_database)
    with serving(
        committed_database, BrokenRenderer(), job_max_attempts=2, job_retry_base_seconds=0.1
    ) as client:
        proposal = create_proposal(client, auth)
        ok(move_proposal(client, auth, proposal, "submitted"))
        failed = eventually(lambda: failed_jobs(client, auth))
        assert [(job["task"], job["attempts"]) for job in failed] == [("render_proposal", 2)]
        assert failed[0]["last_error"] == "RuntimeError: the renderer is out of order"
        history = ok(client.get(f"{PROPOSALS}/{proposal['id']}", headers=auth("sales")))["history"]
        assert history[-1]["actor"] == "system"
        assert (history[-1]["from"], history[-1]["to"]) == ("approved", "approved")
        assert history[-1]["comment"] == (
            "the PDF of revision 1 could not be rendered: "
            "RuntimeError: the renderer is out of order"
        )
