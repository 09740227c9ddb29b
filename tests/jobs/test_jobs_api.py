"""GET /v1/jobs: admins see every background job, filtered by status and task, a page at
a time; no other role sees any. (Here the in-process engine, as every API test runs.)"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.auth.principal import ROLES
from tests.support.api import ok
from tests.support.factories import create_proposal, move_proposal
from tests.support.problems import assert_problem

JOBS = "/v1/jobs"


def issued(client: TestClient, auth: Any) -> dict[str, Any]:
    proposal = create_proposal(client, auth)
    ok(move_proposal(client, auth, proposal, "submitted"))  # approved at once: issued
    return proposal


def test_admins_see_the_jobs_newest_first_filtered_and_paginated(
    client: TestClient, auth: Any
) -> None:
    first, second = issued(client, auth), issued(client, auth)
    page = ok(client.get(JOBS, params={"task": "render_proposal"}, headers=auth("admin")))
    assert [(job["task"], job["status"], job["arguments"]) for job in page["items"]] == [
        ("render_proposal", "todo", {"proposal_id": second["id"], "revision": 1}),
        ("render_proposal", "todo", {"proposal_id": first["id"], "revision": 1}),
    ]
    assert page["items"][0]["attempts"] == 0 and page["items"][0]["scheduled_at"]
    one = ok(client.get(JOBS, params={"limit": 1}, headers=auth("admin")))
    assert [job["id"] for job in one["items"]] == [page["items"][0]["id"]]
    rest = ok(client.get(JOBS, params={"limit": 1, "cursor": one["next_cursor"]},
                         headers=auth("admin")))  # fmt: skip
    assert [job["id"] for job in rest["items"]] == [page["items"][1]["id"]]
    assert rest["next_cursor"] is None
    # Asking for a PDF runs the waiting jobs here (the tests' engine): both succeed.
    assert client.get(f"/v1/proposals/{first['id']}/pdf", headers=auth("sales")).status_code == 200
    done = ok(client.get(JOBS, params={"status": "succeeded"}, headers=auth("admin")))
    # The PDF asked for is the one issuing queued: the same job, not a second one.
    assert sorted(job["arguments"]["proposal_id"] for job in done["items"]) == [
        first["id"],
        second["id"],
    ]
    waiting = ok(client.get(JOBS, params={"status": "todo"}, headers=auth("admin")))
    assert waiting["items"] == []
    assert (
        ok(client.get(JOBS, params={"task": "no-such-task"}, headers=auth("admin")))["items"] == []
    )


def test_no_other_role_sees_the_jobs(client: TestClient, auth: Any) -> None:
    for role in ROLES:
        if role != "admin":
            assert_problem(client.get(JOBS, headers=auth(role)), 403)
    assert_problem(client.get(JOBS), 401)


def test_a_filter_outside_the_statuses_is_refused(client: TestClient, auth: Any) -> None:
    assert_problem(client.get(JOBS, params={"status": "lost"}, headers=auth("admin")), 422)
