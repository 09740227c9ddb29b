"""What ``GET /v1/jobs`` answers, the same on every engine."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.kit.schemas import Page

JobStatus = Literal["todo", "doing", "succeeded", "failed", "cancelled", "aborting", "aborted"]


class Job(BaseModel):
    """One background job: what it runs, with what, and how it went."""

    model_config = ConfigDict(extra="forbid")

    id: int
    task: str = Field(description="e.g. `render_proposal`")
    status: JobStatus = Field(
        description="`todo` (waiting, or waiting to be retried), `doing`, `succeeded`, "
        "`failed` (for good, after its last attempt); the others are procrastinate's"
    )
    arguments: dict[str, int | str]
    attempts: int = Field(description="tries so far")
    scheduled_at: datetime | None = Field(description="when a waiting job runs (next)")
    last_error: str | None = Field(
        description="what its last failed try raised (the in-process engine keeps it; "
        "on PostgreSQL the worker's log has it)"
    )


class JobPage(Page[Job]):
    """A page of jobs, newest first."""
