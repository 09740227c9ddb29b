"""Rendering off the event loop, in worker processes with a time and a memory cap, so a
hostile or runaway document (deeply nested markup, enormous tables, pathological CSS) can
neither hang nor exhaust the server: past its time limit the worker is killed, and its
address space is capped (RLIMIT_AS), so an allocation beyond the cap fails in the worker.

Workers are spawned, not forked: the cap then measures the renderer alone, not a copy of
the API process, and they start with WeasyPrint imported once.
"""

from __future__ import annotations

import multiprocessing
import resource
from typing import Protocol

from app.documents.pdf import DocumentTooLarge, Printable, RenderedPdf, render_pdf
from app.kit.errors import DocumentTooLong, RenderBusy, RenderLimit
from app.kit.worker_pool import Busy, Died, TimedOut, WorkerPool


def _start_worker(memory_bytes: int) -> None:
    if memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    import weasyprint  # noqa: F401  # imported once per worker, not per document


class Renderer(Protocol):
    # The limits a render meets, in words: a failure on one is remembered under them.
    limits: str

    def render(self, document: Printable) -> RenderedPdf: ...


class InlineRenderer:
    """Renders in the calling process: for the command line, rendering its own documents."""

    def __init__(self, *, max_pages: int) -> None:
        self.max_pages = max_pages
        self.limits = f"pages {max_pages}"

    def render(self, document: Printable) -> RenderedPdf:
        try:
            return render_pdf(document, max_pages=self.max_pages)
        except DocumentTooLarge as error:
            raise DocumentTooLong(str(error)) from error


class RenderPool:
    def __init__(
        self,
        *,
        workers: int,
        time_limit_seconds: float,
        memory_megabytes: int,
        max_pages: int,
        queue_wait_seconds: float = 5.0,
    ) -> None:
        self.time_limit = time_limit_seconds
        self.memory_bytes = memory_megabytes * 1024 * 1024
        self.max_pages = max_pages
        self.limits = f"pages {max_pages}, {time_limit_seconds:g} s, {memory_megabytes} MB"
        self._workers = WorkerPool(
            workers=workers,
            queue_wait=queue_wait_seconds,
            initializer=_start_worker,
            initargs=(self.memory_bytes,),
            context=multiprocessing.get_context("spawn"),
        )

    def render(self, document: Printable) -> RenderedPdf:
        try:
            rendered: RenderedPdf = self._workers.run(
                render_pdf, document, max_pages=self.max_pages, timeout=self.time_limit
            )
            return rendered
        except Busy as error:
            raise RenderBusy("every renderer is busy; retry in a moment",
                             headers={"Retry-After": "2"}) from error  # fmt: skip
        except TimedOut as error:
            raise RenderLimit(
                f"rendering took longer than {self.time_limit:g} s and was stopped"
            ) from error
        except (MemoryError, Died) as error:
            raise RenderLimit(
                "rendering needed more memory than the renderer may use "
                f"({self.memory_bytes // (1024 * 1024)} MB) and was stopped"
            ) from error
        except DocumentTooLarge as error:
            raise DocumentTooLong(str(error)) from error

    def close(self) -> None:
        self._workers.close()
