"""The background jobs (admin): what ran, what waits, what failed for good."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from app.auth import Cursor, DbSession, Limit, Principal, requires
from app.jobs import service as jobs
from app.jobs.engine import JobEngine
from app.jobs.schemas import JobPage, JobStatus
from app.kit.contract import problems
from app.kit.wiring import wired

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])
JobReader = Annotated[Principal, Depends(requires("jobs.read"))]
Engine = Annotated[JobEngine, Depends(wired(JobEngine))]


@router.get("", response_model=JobPage, responses=problems(403))
def list_jobs(
    engine: Engine,
    session: DbSession,
    principal: JobReader,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: JobStatus | None = None,
    task: Annotated[
        str | None,
        Query(description="a task's name, e.g. `render_proposal`", min_length=1, max_length=128),
    ] = None,
) -> Response:
    """Background jobs, newest first: waiting, running, done, and failed for good after
    their retries (with exponential backoff). Admins only."""
    page = jobs.listing(engine, session, status=status, task=task, limit=limit, cursor=cursor)
    return JSONResponse({"items": page.items, "next_cursor": page.next_cursor})
