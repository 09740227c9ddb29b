"""Hostile or out-of-range input, one row per case: every request gets a 4xx RFC 9457
problem with a stable type, never a 500, and leaves nothing written (on SQLite and
PostgreSQL, through the ``client`` fixture)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from app.db.models import Base
from tests.api_support import RolledBackDatabase

PROBLEM = "urn:offerwright:problem:"
BIG = 2**63  # one past the largest 64-bit integer
# Filled by a row's setup: values its path or body names ("{proposal}").
Made = dict[str, Any]
Auth = Callable[[str], dict[str, str]]


def _cursor(after: Any) -> str:
    raw = json.dumps({"after": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CONFIGURATION = {
    "price_book": "EUR",
    "term_months": 12,
    "needs": [{"capability": "storage.block", "quantity": 5}],
}
PROPOSAL = {"customer": {"name": "Bad Input AG", "country": "CH"}, "request": CONFIGURATION}


def _proposal(client: TestClient, auth: Auth) -> Made:
    response = client.post("/v1/proposals", json=PROPOSAL, headers=auth("admin"))
    assert response.status_code == 201, response.text
    return {"proposal": response.json()["id"]}


@dataclass(frozen=True)
class Row:
    """One bad request: what is sent, and the problem it must get."""

    name: str
    method: str
    path: str
    status: int
    slug: str
    params: dict[str, Any] | None = None
    json: Any = None
    role: str = "admin"
    headers: dict[str, str] = field(default_factory=dict)
    fields: tuple[str, ...] = ()  # field paths the problem must name
    setup: Callable[[TestClient, Auth], Made] | None = None

    def send(self, client: TestClient, auth: Auth, made: Made) -> Response:
        headers = {**auth(self.role), **self.headers}
        path = self.path.format(**made)
        return client.request(self.method, path, params=self.params, json=self.json,
                              headers=headers)  # fmt: skip


WRITE = {"If-Match": "*"}

# Integers past what the database holds: one bounded type for every path and query id.
ID_ROWS = [
    Row("proposal id", "GET", f"/v1/proposals/{BIG}", 422, "validation-error",
        fields=("proposal_id",)),
    Row("proposal id, 2**31", "GET", f"/v1/proposals/{2**31}", 422, "validation-error",
        fields=("proposal_id",)),
    Row("proposal pdf id", "GET", f"/v1/proposals/{BIG}/pdf", 422, "validation-error",
        fields=("proposal_id",)),
    Row("proposal transition id", "POST", f"/v1/proposals/{BIG}/transition", 422,
        "validation-error", json={"to": "submitted"}, fields=("proposal_id",)),
    Row("proposal revision id", "POST", f"/v1/proposals/{BIG}/revisions", 422,
        "validation-error", json={}, fields=("proposal_id",)),
    Row("?revision=", "GET", "/v1/proposals/{proposal}", 422, "validation-error",
        params={"revision": BIG}, fields=("revision",), setup=_proposal),
    Row("pdf ?revision=", "GET", "/v1/proposals/{proposal}/pdf", 422, "validation-error",
        params={"revision": BIG}, fields=("revision",), setup=_proposal),
    Row("work package id", "GET", f"/v1/work-packages/{BIG}", 422, "validation-error",
        fields=("package_id",)),
    Row("work package pdf id", "GET", f"/v1/work-packages/{BIG}/pdf", 422, "validation-error",
        fields=("package_id",)),
    Row("component ?version=", "GET", "/v1/components/CMP-VM-LNX", 422, "validation-error",
        params={"version": BIG}, fields=("version",)),
    Row("specification ?version=", "GET", "/v1/components/CMP-VM-LNX/specification", 422,
        "validation-error", params={"version": BIG}, fields=("version",)),
    Row("transition version", "POST", f"/v1/components/CMP-VM-LNX/versions/{BIG}/transition",
        422, "validation-error", json={"to": "in_review"}, fields=("version",)),
    Row("proposals cursor", "GET", "/v1/proposals", 400, "bad-request",
        params={"cursor": _cursor(BIG)}),
    Row("audit cursor", "GET", "/v1/audit", 400, "bad-request", params={"cursor": _cursor(BIG)}),
    Row("work packages cursor", "GET", "/v1/delivery-centres/CZ-BRN/work-packages", 400,
        "bad-request", params={"cursor": _cursor(BIG)}),
]  # fmt: skip

# Dates at the edge of the calendar: the last day is a day like any other (200), a moment
# whose UTC time falls past the calendar names nothing stored (422).
DATE_ROWS = [
    Row("?created_to=9999-12-31", "GET", "/v1/proposals", 200, "",
        params={"created_to": "9999-12-31"}),
    Row("?created_from=0001-01-01", "GET", "/v1/proposals", 200, "",
        params={"created_from": "0001-01-01"}),
    Row("audit ?since= past the calendar in UTC", "GET", "/v1/audit", 422, "validation-error",
        params={"since": "9999-12-31T23:00:00-05:00"}, fields=("since",)),
    Row("audit ?since= before the calendar in UTC", "GET", "/v1/audit", 422,
        "validation-error", params={"since": "0001-01-01T00:30:00+01:00"}, fields=("since",)),
]  # fmt: skip

ROWS = [*ID_ROWS, *DATE_ROWS]


def _counts(database: RolledBackDatabase) -> dict[str, int]:
    """Rows in every table: what a refused request must leave as it was."""
    with database.transaction(write=False) as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_bad_input_is_a_4xx_problem_and_writes_nothing(
    client: TestClient, auth: Auth, database: RolledBackDatabase, row: Row
) -> None:
    made = row.setup(client, auth) if row.setup else {}
    before = _counts(database)
    response = row.send(client, auth, made)
    assert response.status_code == row.status, response.text[:2000]
    if row.status < 400:
        assert _counts(database) == before
        return
    assert response.headers["content-type"].split(";")[0] == "application/problem+json"
    assert "Traceback" not in response.text and ".py" not in response.text
    problem = response.json()
    assert problem["type"] == PROBLEM + row.slug, problem
    assert problem["status"] == row.status and problem["detail"]
    named = [error["field"] for error in problem.get("errors", [])]
    for wanted in row.fields:
        assert wanted in named, problem
    assert _counts(database) == before
