"""Calling the API in tests: API keys per role, and the small checks and calls every API
test makes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from app.auth.principal import ROLES
from app.auth.service import create_key
from app.kit.database import Database

Headers = dict[str, str]
Auth = Callable[[str], Headers]
MERGE_PATCH = "application/merge-patch+json"


class Keys:
    """One API key per role (and a second portfolio and approver for four-eyes tests);
    called with a key's name, the headers that send it."""

    def __init__(self, database: Database, keys: dict[str, str] | None = None) -> None:
        self.database = database
        if keys is not None:  # keys made before, still in this database
            self.keys = dict(keys)
            return
        self.keys = {}
        for role in ROLES:
            self.add(role, role)
        self.add("portfolio-2", "portfolio")
        self.add("approver-2", "approver")

    def add(self, name: str, role: str, centre: str | None = None) -> str:
        if role == "delivery" and centre is None:
            centre = "CZ-BRN"
        with self.database.transaction(write=True) as session:
            self.keys[name] = create_key(session, name=name, role=role, centre=centre)
        return self.keys[name]

    def __call__(self, name: str) -> Headers:
        return {"Authorization": f"Bearer {self.keys[name]}"}


def ok(response: Response, status: int = 200) -> Any:
    """The answer's JSON (None for an empty body), once its status is the one expected."""
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def etag_of(client: TestClient, headers: Headers, path: str) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return response.headers["ETag"]


def merge_patch(
    client: TestClient,
    headers: Headers,
    path: str,
    body: Any,
    if_match: str | None,
    content_type: str = MERGE_PATCH,
) -> Response:
    """PATCH ``body`` to ``path`` as a merge patch (or as ``content_type``), If-Match when
    given."""
    sent = {**headers, "Content-Type": content_type}
    if if_match is not None:
        sent["If-Match"] = if_match
    return client.patch(path, headers=sent, content=json.dumps(body))
