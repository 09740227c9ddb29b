"""Webhook endpoints through the API: admins only; the secret shown once (when made and when
rotated); changes need If-Match; the URL is checked against SSRF when registered and
changed; every change audited without the secret; answers as the OpenAPI document says."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from tests.contract.conformance import Contract
from tests.support.api import MERGE_PATCH, Keys, ok
from tests.support.jobs import RecordingJobs
from tests.support.problems import assert_problem, error_fields
from tests.webhooks.conftest import HOOKS, PUBLIC_URL, register

ONE = HOOKS + "/{id}"


@pytest.mark.parametrize("role", ["sales", "portfolio", "approver", "delivery"])
def test_only_admins_manage_webhooks(api: TestClient, auth: Keys, role: str) -> None:
    endpoint = register(api, auth)
    one = ONE.format(id=endpoint["id"])
    calls = [
        ("POST", HOOKS, {"url": PUBLIC_URL, "events": ["proposal.issued"]}),
        ("GET", HOOKS, None), ("GET", HOOKS + "/event-types", None), ("GET", one, None),
        ("PATCH", one, {"enabled": False}), ("DELETE", one, None),
        ("POST", one + "/rotate-secret", None), ("POST", one + "/ping", None),
        ("GET", one + "/deliveries", None),
    ]  # fmt: skip
    for method, path, body in calls:
        response = api.request(method, path, json=body, headers=auth(role))
        assert_problem(response, 403, "forbidden")
    assert ok(api.get(one, headers=auth("admin")))["enabled"] is True  # nothing changed


def test_registering_answers_the_secret_once(api: TestClient, auth: Keys) -> None:
    contract = Contract(api)
    body = contract.request(
        "POST", HOOKS,
        {"url": PUBLIC_URL, "events": ["work_package.created", "proposal.accepted"],
         "description": "Autotask PSA"},
    )  # fmt: skip
    response = api.post(HOOKS, json=body, headers=auth("admin"))
    created = contract.check(response, "POST", HOOKS)
    assert response.status_code == 201
    assert response.headers["Location"] == f"{HOOKS}/{created['id']}"
    secret = created["secret"]
    assert secret.startswith("whsec_") and len(Webhook(secret)._whsecret) == 32
    assert created["events"] == ["proposal.accepted", "work_package.created"]  # as a set
    assert created["enabled"] is True and created["created_by"] == "admin"
    assert created["secret_hint"] == secret[:10] + "…"

    read = api.get(f"{HOOKS}/{created['id']}", headers=auth("admin"))
    shown = contract.check(read, "GET", ONE.replace("{id}", "{endpoint_id}"))
    assert "secret" not in shown and secret not in read.text
    assert read.headers["ETag"] == response.headers["ETag"]  # the same endpoint, unchanged
    assert shown == {k: v for k, v in created.items() if k != "secret"}

    listed = contract.check(api.get(HOOKS, headers=auth("admin")), "GET", HOOKS)
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    assert secret not in json.dumps(listed)
    audit = ok(api.get("/v1/audit", params={"entity_kind": "webhook"}, headers=auth("admin")))
    assert audit["items"][0]["action"] == "create"
    assert audit["items"][0]["after"]["url"] == PUBLIC_URL
    assert secret not in json.dumps(audit)
    another = register(api, auth)
    assert another["secret"] != secret


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://127.0.0.1:8443/hooks", "loopback"),
        ("https://localhost/hooks", "loopback"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://10.0.0.5/hooks", "private"),
        ("https://[::ffff:192.168.0.1]/hooks", "private"),
        ("https://[fd00::1]/hooks", "unique local"),
        ("http://93.184.216.34/hooks", "https"),
        ("https://user:pw@93.184.216.34/hooks", "credentials"),
        ("not a url", "https"),
    ],
)
def test_a_url_that_may_not_be_called_is_refused_on_its_field(
    api: TestClient, auth: Keys, url: str, message: str
) -> None:
    response = api.post(
        HOOKS, json={"url": url, "events": ["proposal.issued"]}, headers=auth("admin")
    )
    problem = assert_problem(response, 422, "validation-error")
    assert error_fields(problem) == ["url"]
    assert message in problem["errors"][0]["message"]
    assert ok(api.get(HOOKS, headers=auth("admin")))["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": PUBLIC_URL, "events": []}, "events"),
        ({"url": PUBLIC_URL, "events": ["proposal.created"]}, "events[0]"),
        ({"url": PUBLIC_URL, "events": ["proposal.issued", "proposal.issued"]}, "events"),
        ({"url": PUBLIC_URL}, "events"),
        ({"events": ["proposal.issued"]}, "url"),
        ({"url": PUBLIC_URL, "events": ["proposal.issued"], "secret": "whsec_x"}, "secret"),
        ({"url": PUBLIC_URL, "events": ["proposal.issued"], "description": "x" * 501},
         "description"),
    ],
)  # fmt: skip
def test_the_body_is_checked_field_by_field(
    api: TestClient, auth: Keys, body: dict[str, Any], field: str
) -> None:
    problem = assert_problem(api.post(HOOKS, json=body, headers=auth("admin")), 422)
    assert field in error_fields(problem)


def _patch(
    api: TestClient, auth: Keys, endpoint_id: int, body: dict[str, Any], if_match: str | None
) -> Any:
    headers = {**auth("admin"), "Content-Type": MERGE_PATCH}
    if if_match is not None:
        headers["If-Match"] = if_match
    return api.patch(ONE.format(id=endpoint_id), content=json.dumps(body), headers=headers)


def test_a_change_needs_the_current_etag(api: TestClient, auth: Keys) -> None:
    contract = Contract(api)
    endpoint = register(api, auth, description="CRM")
    path = ONE.format(id=endpoint["id"])
    etag = api.get(path, headers=auth("admin")).headers["ETag"]
    assert_problem(_patch(api, auth, endpoint["id"], {"enabled": False}, None), 428)

    change = {"enabled": False, "events": ["proposal.viewed"], "description": None}
    changed = _patch(api, auth, endpoint["id"], change, etag)
    after = contract.check(changed, "PATCH", ONE.replace("{id}", "{endpoint_id}"))
    assert (after["enabled"], after["events"], after["description"]) == (
        False, ["proposal.viewed"], "",
    )  # fmt: skip
    assert after["url"] == PUBLIC_URL  # not sent: unchanged
    assert changed.headers["ETag"] != etag
    assert changed.headers["ETag"] == api.get(path, headers=auth("admin")).headers["ETag"]

    stale = _patch(api, auth, endpoint["id"], {"enabled": True}, etag)
    assert_problem(stale, 412, "precondition-failed")
    assert ok(api.get(path, headers=auth("admin")))["enabled"] is False
    query = {"entity_key": str(endpoint["id"]), "entity_kind": "webhook"}
    audit = ok(api.get("/v1/audit", params=query, headers=auth("admin")))
    assert [entry["action"] for entry in audit["items"]] == ["update", "create"]
    assert audit["items"][0]["before"]["enabled"] is True


def test_a_new_url_is_checked_as_when_registered(api: TestClient, auth: Keys) -> None:
    endpoint = register(api, auth)
    etag = api.get(ONE.format(id=endpoint["id"]), headers=auth("admin")).headers["ETag"]
    refused = _patch(api, auth, endpoint["id"], {"url": "https://169.254.169.254/"}, etag)
    assert error_fields(assert_problem(refused, 422)) == ["url"]
    moved = _patch(api, auth, endpoint["id"], {"url": "https://93.184.216.35/in"}, etag)
    assert ok(moved)["url"] == "https://93.184.216.35/in"


def test_deleting_removes_the_endpoint_and_its_log(
    api: TestClient, auth: Keys, jobs: RecordingJobs
) -> None:
    endpoint = register(api, auth)
    path = ONE.format(id=endpoint["id"])
    ok(api.post(path + "/ping", headers=auth("admin")), 202)
    stale = api.delete(path, headers={**auth("admin"), "If-Match": '"stale"'})
    assert_problem(stale, 412)
    assert api.delete(path, headers=auth("admin")).status_code == 204
    assert_problem(api.get(path, headers=auth("admin")), 404, "not-found")
    assert_problem(api.get(path + "/deliveries", headers=auth("admin")), 404)
    assert_problem(api.delete(path, headers=auth("admin")), 404)


def test_rotating_shows_the_new_secret_once_and_keeps_the_old_one_for_a_while(
    api: TestClient, auth: Keys
) -> None:
    contract = Contract(api)
    endpoint = register(api, auth)
    path = ONE.format(id=endpoint["id"])
    before = api.get(path, headers=auth("admin")).headers["ETag"]
    response = api.post(path + "/rotate-secret", headers=auth("admin"))
    rotated = contract.check(response, "POST", HOOKS + "/{endpoint_id}/rotate-secret")
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != endpoint["secret"]
    assert rotated["secret_rotated_at"] and rotated["previous_secret_valid_until"]
    assert rotated["previous_secret_valid_until"] > rotated["secret_rotated_at"]
    read = api.get(path, headers=auth("admin"))
    assert read.headers["ETag"] == response.headers["ETag"] != before
    assert rotated["secret"] not in read.text and read.json()["secret_hint"] == (
        rotated["secret"][:10] + "…"
    )
    assert_problem(api.post(HOOKS + "/999999/rotate-secret", headers=auth("admin")), 404)


def test_a_ping_queues_a_test_delivery(api: TestClient, auth: Keys, jobs: RecordingJobs) -> None:
    contract = Contract(api)
    endpoint = register(api, auth, enabled=False)  # a ping is how one tests before enabling
    path = ONE.format(id=endpoint["id"])
    response = api.post(path + "/ping", headers=auth("admin"))
    queued = contract.check(response, "POST", HOOKS + "/{endpoint_id}/ping")
    assert response.status_code == 202
    assert response.headers["Location"] == f"{path}/deliveries/{queued['id']}"
    assert queued["event_type"] == "webhook.ping" and queued["status"] == "pending"
    assert queued["message_id"].startswith("msg_") and queued["attempts"] == 0
    assert queued["payload"]["type"] == "webhook.ping"
    assert queued["payload"]["data"]["endpoint_id"] == endpoint["id"]
    assert jobs.deferred == [("deliver_webhook", {"delivery_id": queued["id"]})]
    assert_problem(api.post(HOOKS + "/999999/ping", headers=auth("admin")), 404)
    # Sending it again while it is pending: it is already on its way, nothing more queued.
    again = ok(api.post(f"{path}/deliveries/{queued['id']}/redeliver", headers=auth("admin")), 202)
    assert again == queued
    assert len(jobs.deferred) == 1


def test_the_delivery_log_pages_and_filters(
    api: TestClient, auth: Keys, jobs: RecordingJobs
) -> None:
    contract = Contract(api)
    endpoint = register(api, auth)
    other = register(api, auth)
    path = ONE.format(id=endpoint["id"])
    pinged = [ok(api.post(path + "/ping", headers=auth("admin")), 202)["id"] for _ in range(3)]
    ok(api.post(ONE.format(id=other["id"]) + "/ping", headers=auth("admin")), 202)
    log = HOOKS + "/{endpoint_id}/deliveries"
    first = contract.check(api.get(path + "/deliveries", params={"limit": 2},
                                   headers=auth("admin")), "GET", log)  # fmt: skip
    assert [item["id"] for item in first["items"]] == pinged[:0:-1]  # newest first
    rest = ok(api.get(path + "/deliveries", params={"cursor": first["next_cursor"]},
                      headers=auth("admin")))  # fmt: skip
    assert [item["id"] for item in rest["items"]] == [pinged[0]] and rest["next_cursor"] is None
    pending = ok(api.get(path + "/deliveries", params={"status": "pending"}, headers=auth("admin")))
    assert len(pending["items"]) == 3
    for params in ({"status": "failed"}, {"event_type": "proposal.accepted"}):
        assert (
            ok(api.get(path + "/deliveries", params=params, headers=auth("admin")))["items"] == []
        )
    assert_problem(api.get(path + "/deliveries", params={"status": "lost"},
                           headers=auth("admin")), 422)  # fmt: skip
    one = api.get(f"{path}/deliveries/{pinged[0]}", headers=auth("admin"))
    assert contract.check(one, "GET", log + "/{delivery_id}")["id"] == pinged[0]
    elsewhere = f"{ONE.format(id=other['id'])}/deliveries/{pinged[0]}"
    assert_problem(api.get(elsewhere, headers=auth("admin")), 404)


def test_the_event_types_are_listed(api: TestClient, auth: Keys) -> None:
    response = api.get(HOOKS + "/event-types", headers=auth("admin"))
    listed = Contract(api).check(response, "GET", HOOKS + "/event-types")
    assert [item["name"] for item in listed["items"]] == [
        "proposal.issued", "proposal.viewed", "proposal.accepted", "proposal.declined",
        "work_package.created",
    ]  # fmt: skip
    for item in listed["items"]:  # an example of each, with its proposal and no cost
        example = json.dumps(item["example"])
        assert item["description"] and '"number": "P-' in example
        assert "cost" not in example and "margin" not in example
