"""The renderer's limits: a document over the page cap, or a render past its time limit, is
stopped with a clear error, and the renderer keeps serving."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app.configurator.request import ConfigurationRequest, Need
from app.configurator.solve import configure
from app.documents.render_pool import RenderPool
from app.kit.errors import DocumentTooLong, RenderLimit
from app.proposals.content import freeze
from app.proposals.pdf import ProposalDocument
from app.proposals.revision import Customer
from catalog.snapshot import CatalogSnapshot


@pytest.fixture(scope="module")
def document(default_snapshot: CatalogSnapshot) -> ProposalDocument:
    request = ConfigurationRequest("EUR", 12, (Need("storage.block", 10),))
    bundle = configure(default_snapshot, request).bundles[0]
    frozen = freeze(default_snapshot, 1, bundle, (), None, "optimal")
    return ProposalDocument(
        provider="Test Provider", number="P-2026-000001", revision=1,
        issued=date(2026, 11, 30), valid_until=date(2026, 12, 30),
        customer=Customer(name="Limits AG", country="CH"), public=frozen.public,
        components=frozen.components, offering=None, watermark=None, archival=False,
    )  # fmt: skip


def _huge(document: ProposalDocument) -> ProposalDocument:
    long_text = "\n\n".join(f"Paragraph {i}: " + "words " * 400 for i in range(400))
    components = {
        code: component.model_copy(update={"specification": long_text})
        for code, component in document.components.items()
    }
    return replace(document, components=components)


def test_a_document_over_the_page_cap_is_refused(document: ProposalDocument) -> None:
    pool = RenderPool(workers=1, time_limit_seconds=60, memory_megabytes=2048, max_pages=3)
    try:
        with pytest.raises(DocumentTooLong, match="more than the 3 allowed"):
            pool.render(document)
    finally:
        pool.close()


def test_a_render_past_its_time_limit_is_stopped_and_the_next_one_works(
    document: ProposalDocument,
) -> None:
    pool = RenderPool(workers=1, time_limit_seconds=3, memory_megabytes=2048, max_pages=5000)
    try:
        pool.render(document)  # warm: the worker is up
        with pytest.raises(RenderLimit, match="longer than 3 s"):
            pool.render(_huge(document))
        assert pool.render(document).pages > 3  # a fresh worker took the killed one's place
    finally:
        pool.close()


def test_render_workers_cannot_grow_past_their_memory_cap() -> None:
    # The renderer's workers start with an address-space cap: an allocation past it fails
    # in the worker (WeasyPrint's MemoryError becomes a RenderLimit), never in the server.
    import multiprocessing

    from app.documents.render_pool import _start_worker
    from app.kit.worker_pool import WorkerPool
    from tests.documents.allocation import allocate

    pool = WorkerPool(
        workers=1, queue_wait=5, initializer=_start_worker, initargs=(400 * 1024 * 1024,),
        context=multiprocessing.get_context("spawn"),
    )  # fmt: skip
    try:
        assert pool.run(allocate, 50, timeout=30) == 50 * 1024 * 1024
        with pytest.raises(MemoryError):
            pool.run(allocate, 1024, timeout=30)
        assert pool.run(allocate, 50, timeout=30) == 50 * 1024 * 1024  # and it goes on
    finally:
        pool.close()
