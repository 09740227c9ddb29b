"""An application wired with a recording job engine, and the calls the webhook tests make."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.bootstrap import create_app
from app.documents.render_pool import RenderPool
from app.kit.settings import Settings
from app.models import WebhookEndpoint
from app.webhooks.signing import new_secret
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


def endpoint_row(
    session: Session,
    url: str,
    events: list[str] | None = None,
    *,
    enabled: bool = True,
) -> WebhookEndpoint:
    """An endpoint written straight into the database: what the API would refuse too (a
    URL that was public when registered and is not any more, say)."""
    endpoint = WebhookEndpoint(
        url=url, description="", events=events or ["proposal.accepted"], enabled=enabled,
        secret=new_secret(), created_by="admin",
    )  # fmt: skip
    session.add(endpoint)
    session.flush()
    return endpoint
