"""An application wired with a recording job engine, and the calls the webhook tests make."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.bootstrap import create_app
from app.documents.render_pool import RenderPool
from app.kit.settings import Settings
from tests.support.api import Keys, ok
from tests.support.database import RolledBackDatabase
from tests.support.jobs import RecordingJobs

HOOKS = "/v1/webhooks"
# A public address written as a literal: registering it needs no DNS.
PUBLIC_URL = "https://93.184.216.34/hooks/offerwright"


@pytest.fixture
def jobs() -> RecordingJobs:
    return RecordingJobs()


@pytest.fixture
def api(
    database: RolledBackDatabase, settings: Settings, render_pool: RenderPool, jobs: RecordingJobs
) -> Iterator[TestClient]:
    app = create_app(settings, database, render_pool=render_pool, jobs=jobs)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def register(client: TestClient, auth: Keys, **fields: Any) -> dict[str, Any]:
    """A new endpoint (the admin's), with its secret."""
    body = {"url": PUBLIC_URL, "events": ["proposal.accepted"], **fields}
    created: dict[str, Any] = ok(client.post(HOOKS, json=body, headers=auth("admin")), 201)
    return created
