"""Delivering, against a real HTTP server on 127.0.0.1 (the canary): nothing reaches it
while loopback is not allowed, neither at registration nor at delivery; once the
allow-list admits it, it receives a delivery whose Standard Webhooks signature verifies.
Failures are retried on the schedule and then failed; a delivered delivery is never sent
again; redirects are not followed; the connection goes to the address checked."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from standardwebhooks import Webhook

from app.bootstrap import create_app
from app.documents.render_pool import RenderPool
from app.kit.database import Database
from app.kit.settings import Settings
from app.models import WebhookDelivery, WebhookEndpoint
from app.webhooks import DeliveryFailed, deliver, emit, make_client
from tests.contract.conformance import Contract
from tests.support.api import Keys, ok
from tests.support.database import RolledBackDatabase
from tests.support.jobs import RecordingJobs
from tests.support.problems import assert_problem, error_fields
from tests.webhooks.conftest import HOOKS, endpoint_row, register
from tests.webhooks.receiver import Receiver, receiver, self_signed

DATA = {"proposal": {"id": 7, "number": "P-2026-000007", "revision": 1, "status": "accepted"}}
ALLOWED = Settings(
    auth_failures_per_minute=10_000, webhook_allowed_hosts="127.0.0.1",
    webhook_retry_delays="5,60", webhook_timeout_seconds=2,
)  # fmt: skip


@pytest.fixture
def canary() -> Iterator[Receiver]:
    with receiver() as server:
        yield server


@pytest.fixture
def client() -> Iterator[httpx.Client]:  # the client deliveries are sent with
    with make_client() as sender:
        yield sender


def _emit(database: Database, url: str, event: str = "proposal.accepted") -> tuple[int, str]:
    """An endpoint at ``url`` (written directly: no check) and one event for it."""
    with database.transaction(write=True) as session:
        endpoint = endpoint_row(session, url, [event])
        (delivery_id,) = emit(session, RecordingJobs(), event, DATA)
        return delivery_id, endpoint.secret


def _wait_out(database: Database, delivery_id: int) -> None:
    """The time until its next attempt has passed (as the job engine waits)."""
    with database.transaction(write=True) as session:
        session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
            .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )  # fmt: skip


def _row(database: Database, delivery_id: int) -> WebhookDelivery:
    with database.transaction(write=False) as session:
        row = session.get(WebhookDelivery, delivery_id)
        assert row is not None
        return row


def test_the_canary_receives_nothing_while_loopback_is_not_allowed(
    database: RolledBackDatabase, settings: Settings, render_pool: RenderPool,
    canary: Receiver, client: httpx.Client, auth: Keys,
) -> None:  # fmt: skip
    app = create_app(settings, database, render_pool=render_pool, jobs=RecordingJobs())
    with TestClient(app, raise_server_exceptions=False) as api:
        for url in (canary.url, canary.url.replace("http:", "https:"),
                    canary.url.replace("127.0.0.1", "localhost")):  # fmt: skip
            body = {"url": url, "events": ["proposal.accepted"]}
            refused = api.post(HOOKS, json=body, headers=auth("admin"))
            assert error_fields(assert_problem(refused, 422)) == ["url"]
    # A row forced into the database (DNS changed since, or a hand-made row) is refused
    # again when delivered: checked at every attempt, whatever else the allow-list admits.
    elsewhere = settings.model_copy(update={"webhook_allowed_hosts": "psa.internal,10.0.0.0/8"})
    tried = [(canary.url.replace("http:", "https:"), "loopback", "proposal.accepted"),
             (canary.url, "https", "proposal.declined")]  # fmt: skip
    for url, why, event in tried:
        delivery_id, _ = _emit(database, url, event)
        with pytest.raises(DeliveryFailed) as failed:
            deliver(database, elsewhere, delivery_id, client=client)
        assert failed.value.retry_in == settings.webhook_retry_schedule[0]
        row = _row(database, delivery_id)
        assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, None)
        assert row.last_error is not None and row.last_error.startswith("not sent")
        assert why in row.last_error
    assert canary.received == [] and canary.connections == 0  # not even a TCP connection


def test_the_canary_receives_a_signed_verifiable_delivery_when_allowed(
    database: RolledBackDatabase, render_pool: RenderPool, canary: Receiver,
    client: httpx.Client, auth: Keys,
) -> None:  # fmt: skip
    jobs = RecordingJobs()
    app = create_app(ALLOWED, database, render_pool=render_pool, jobs=jobs)
    with TestClient(app, raise_server_exceptions=False) as api:
        endpoint = register(api, auth, url=canary.url, events=["proposal.accepted"])
        with database.transaction(write=True) as session:
            (delivery_id,) = emit(session, jobs, "proposal.accepted", DATA)
        assert jobs.deferred == [("deliver_webhook", {"delivery_id": delivery_id})]
        assert deliver(database, ALLOWED, delivery_id, client=client) == "delivered"
        log = ok(api.get(f"{HOOKS}/{endpoint['id']}/deliveries", headers=auth("admin")))

    (got,) = canary.received
    assert got.method == "POST" and got.path == "/hooks"
    payload = Webhook(endpoint["secret"]).verify(got.body, got.headers)
    assert payload["type"] == "proposal.accepted" and payload["data"] == DATA
    assert got.headers["content-type"] == "application/json"
    assert got.headers["host"] == f"127.0.0.1:{canary.port}"
    assert got.headers["user-agent"].startswith("Offerwright-Webhooks/")
    assert abs(int(got.headers["webhook-timestamp"]) - datetime.now(UTC).timestamp()) < 60
    with pytest.raises(Exception, match="signature"):  # another secret does not verify it
        Webhook(register_secret()).verify(got.body, got.headers)

    (entry,) = log["items"]
    assert entry["status"] == "delivered" and entry["attempts"] == 1
    assert entry["message_id"] == got.headers["webhook-id"]
    assert entry["last_status_code"] == 200 and entry["last_error"] is None
    assert entry["delivered_at"] and entry["next_attempt_at"] is None
    assert entry["payload"] == payload
    (attempt,) = entry["attempt_log"]
    assert attempt["status_code"] == 200 and attempt["duration_ms"] >= 0
    assert attempt["response"] == "ok"  # what the receiver answered


def register_secret() -> str:
    from app.webhooks.signing import new_secret

    return new_secret()


def test_a_delivered_delivery_is_never_sent_again(
    database: RolledBackDatabase, canary: Receiver, client: httpx.Client
) -> None:
    delivery_id, _ = _emit(database, canary.url)
    assert deliver(database, ALLOWED, delivery_id, client=client) == "delivered"
    for _ in range(2):  # the job engine ran it again (at least once means maybe twice)
        assert deliver(database, ALLOWED, delivery_id, client=client) == "delivered"
    assert len(canary.received) == 1
    assert _row(database, delivery_id).attempts == 1
    assert deliver(database, ALLOWED, 999_999, client=client) is None  # gone: nothing to do


def test_failures_are_retried_on_the_schedule_then_failed(
    database: RolledBackDatabase, client: httpx.Client
) -> None:
    with receiver([500, 503, 404]) as failing:
        delivery_id, secret = _emit(database, failing.url)
        waits = []
        for _ in range(2):
            before = datetime.now(UTC)
            with pytest.raises(DeliveryFailed) as failed:
                deliver(database, ALLOWED, delivery_id, client=client)
            waits.append(failed.value.retry_in)
            row = _row(database, delivery_id)
            assert row.status == "pending" and row.next_attempt_at is not None
            due = row.next_attempt_at - before
            assert timedelta(seconds=waits[-1]) <= due < timedelta(seconds=waits[-1] + 5)
            early = row.attempts
            with pytest.raises(DeliveryFailed, match="not due") as not_due:
                deliver(database, ALLOWED, delivery_id, client=client)  # run too early
            assert waits[-1] - 5 <= not_due.value.retry_in <= waits[-1]
            assert _row(database, delivery_id).attempts == early  # no attempt spent
            _wait_out(database, delivery_id)
        assert waits == [5, 60]
        assert deliver(database, ALLOWED, delivery_id, client=client) == "failed"
        assert deliver(database, ALLOWED, delivery_id, client=client) == "failed"  # no more
        assert len(failing.received) == 3
    row = _row(database, delivery_id)
    assert (row.status, row.attempts, row.last_status_code) == ("failed", 3, 404)
    assert row.last_error == "answered 404 Not Found" and row.next_attempt_at is None
    assert [entry["status_code"] for entry in row.attempt_log] == [500, 503, 404]
    # Every attempt is the same message, re-signed at its own time.
    assert len({got.headers["webhook-id"] for got in failing.received}) == 1
    assert len({got.body for got in failing.received}) == 1
    for got in failing.received:
        Webhook(secret).verify(got.body, got.headers)


def test_only_the_start_of_an_answer_is_read_and_logged(
    database: RolledBackDatabase, client: httpx.Client
) -> None:
    refusal = b'{"error": "tenant suspended"}' + b" " * 5_000_000
    with receiver([422], answer_body=refusal) as talkative:
        delivery_id, _ = _emit(database, talkative.url)
        with pytest.raises(DeliveryFailed):
            deliver(database, ALLOWED, delivery_id, client=client)
    (attempt,) = _row(database, delivery_id).attempt_log
    assert attempt["response"] == '{"error": "tenant suspended"}'
    assert attempt["error"] == "answered 422 Unprocessable Entity"


def test_a_redirect_is_not_followed(database: RolledBackDatabase, client: httpx.Client) -> None:
    # A redirect could lead anywhere, a metadata address included: never followed.
    with receiver([302], answer_headers={"Location": "http://169.254.169.254/"}) as moved:
        delivery_id, _ = _emit(database, moved.url)
        with pytest.raises(DeliveryFailed):
            deliver(database, ALLOWED, delivery_id, client=client)
        assert [got.method for got in moved.received] == ["POST"]
    row = _row(database, delivery_id)
    assert row.last_status_code == 302 and row.last_error is not None
    assert "redirects are not followed" in row.last_error


def test_an_endpoint_that_does_not_answer_in_time_is_a_failed_attempt(
    database: RolledBackDatabase, client: httpx.Client
) -> None:
    quick = ALLOWED.model_copy(update={"webhook_timeout_seconds": 0.3})
    with receiver(delay_seconds=2) as slow:
        delivery_id, _ = _emit(database, slow.url)
        with pytest.raises(DeliveryFailed):
            deliver(database, quick, delivery_id, client=client)
    row = _row(database, delivery_id)
    assert row.last_error == "no answer within 0.3 s" and row.last_status_code is None
    assert row.attempt_log[0]["duration_ms"] < 2000


def test_an_answer_trickled_a_byte_at_a_time_is_cut_at_the_deadline(
    database: RolledBackDatabase, client: httpx.Client
) -> None:
    # Every read gets a byte within the timeout, so only a limit on the whole exchange
    # ends it: without one the worker would wait for the 100 bytes, 10 s.
    quick = ALLOWED.model_copy(update={"webhook_timeout_seconds": 0.5})
    with receiver(trickle_seconds=0.1) as trickling:
        delivery_id, _ = _emit(database, trickling.url)
        started = time.monotonic()
        with pytest.raises(DeliveryFailed):
            deliver(database, quick, delivery_id, client=client)
        assert time.monotonic() - started < 3
    row = _row(database, delivery_id)
    assert row.last_error == "no answer within 0.5 s" and row.last_status_code is None


def test_a_closed_port_is_a_failed_attempt(
    database: RolledBackDatabase, client: httpx.Client
) -> None:
    with receiver() as gone:
        url = gone.url
    delivery_id, _ = _emit(database, url)  # nobody listens there any more
    with pytest.raises(DeliveryFailed, match="ConnectError"):
        deliver(database, ALLOWED, delivery_id, client=client)


def test_the_connection_goes_to_the_address_checked_under_the_hosts_name(
    database: RolledBackDatabase, canary: Receiver, client: httpx.Client
) -> None:
    # hooks.psa.test exists only in this resolver: the request can only have reached the
    # canary through the address the check resolved, and the Host header names the host.
    settings = ALLOWED.model_copy(update={"webhook_allowed_hosts": "hooks.psa.test"})
    lookups: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    url = f"http://hooks.psa.test:{canary.port}/in?tenant=4"
    delivery_id, secret = _emit(database, url)
    assert deliver(database, settings, delivery_id, client=client, resolve=resolve) == "delivered"
    (got,) = canary.received
    assert got.headers["host"] == f"hooks.psa.test:{canary.port}"
    assert got.path == "/in?tenant=4"
    assert lookups == ["hooks.psa.test"]  # one lookup: the one checked
    Webhook(secret).verify(got.body, got.headers)


def test_after_a_rotation_both_secrets_verify_for_the_grace_period(
    database: RolledBackDatabase, render_pool: RenderPool, canary: Receiver,
    client: httpx.Client, auth: Keys,
) -> None:  # fmt: skip
    app = create_app(ALLOWED, database, render_pool=render_pool, jobs=RecordingJobs())
    with TestClient(app, raise_server_exceptions=False) as api:
        endpoint = register(api, auth, url=canary.url)
        rotated = ok(api.post(f"{HOOKS}/{endpoint['id']}/rotate-secret", headers=auth("admin")))
    with database.transaction(write=True) as session:
        (first,) = emit(session, RecordingJobs(), "proposal.accepted", DATA)
    deliver(database, ALLOWED, first, client=client)
    with database.transaction(write=True) as session:  # the grace period is over
        session.execute(update(WebhookEndpoint).values(
            previous_secret_until=datetime.now(UTC) - timedelta(seconds=1)))  # fmt: skip
        (second,) = emit(session, RecordingJobs(), "proposal.accepted", DATA)
    deliver(database, ALLOWED, second, client=client)
    during, after = canary.received
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    for secret in (endpoint["secret"], rotated["secret"]):
        Webhook(secret).verify(during.body, during.headers)
    Webhook(rotated["secret"]).verify(after.body, after.headers)
    with pytest.raises(Exception, match="signature"):
        Webhook(endpoint["secret"]).verify(after.body, after.headers)


def test_a_disabled_endpoint_gets_no_event_but_a_ping(
    database: RolledBackDatabase, render_pool: RenderPool, canary: Receiver,
    client: httpx.Client, auth: Keys,
) -> None:  # fmt: skip
    delivery_id, _ = _emit(database, canary.url)
    with database.transaction(write=True) as session:
        session.execute(update(WebhookEndpoint).values(enabled=False))
    assert deliver(database, ALLOWED, delivery_id, client=client) == "failed"
    assert _row(database, delivery_id).last_error == "the endpoint is disabled"
    assert canary.received == []
    app = create_app(ALLOWED, database, render_pool=render_pool, jobs=RecordingJobs())
    with TestClient(app, raise_server_exceptions=False) as api:
        endpoint_id = _row(database, delivery_id).endpoint_id
        ping = ok(api.post(f"{HOOKS}/{endpoint_id}/ping", headers=auth("admin")), 202)
    assert deliver(database, ALLOWED, ping["id"], client=client) == "delivered"
    (got,) = canary.received
    assert json.loads(got.body)["type"] == "webhook.ping"


def test_a_delivery_another_run_is_sending_is_left_alone(
    database: RolledBackDatabase, canary: Receiver, client: httpx.Client
) -> None:
    delivery_id, _ = _emit(database, canary.url)
    with database.transaction(write=True) as session:
        session.execute(update(WebhookDelivery).values(
            locked_until=datetime.now(UTC) + timedelta(minutes=1)))  # fmt: skip
    assert deliver(database, ALLOWED, delivery_id, client=client) == "pending"
    assert canary.received == []
    with database.transaction(write=True) as session:  # that run crashed: its claim lapses
        session.execute(update(WebhookDelivery).values(
            locked_until=datetime.now(UTC) - timedelta(seconds=1)))  # fmt: skip
    assert deliver(database, ALLOWED, delivery_id, client=client) == "delivered"
    assert len(canary.received) == 1


def test_a_failed_delivery_can_be_sent_again(
    database: RolledBackDatabase, render_pool: RenderPool, client: httpx.Client, auth: Keys
) -> None:
    jobs = RecordingJobs()
    app = create_app(ALLOWED, database, render_pool=render_pool, jobs=jobs)
    with receiver([500, 500, 500, 200]) as flaky, TestClient(app) as api:
        delivery_id, _ = _emit(database, flaky.url)
        for _ in range(3):
            with contextlib.suppress(DeliveryFailed):
                deliver(database, ALLOWED, delivery_id, client=client)
            _wait_out(database, delivery_id)
        endpoint_id = _row(database, delivery_id).endpoint_id
        path = f"{HOOKS}/{endpoint_id}/deliveries/{delivery_id}"
        assert ok(api.get(path, headers=auth("admin")))["status"] == "failed"
        answer = api.post(path + "/redeliver", headers=auth("admin"))
        assert answer.status_code == 202
        again = Contract(api).check(
            answer, "POST", HOOKS + "/{endpoint_id}/deliveries/{delivery_id}/redeliver"
        )
        assert (again["status"], again["attempts"]) == ("pending", 0)
        assert jobs.deferred == [("deliver_webhook", {"delivery_id": delivery_id})]
        assert deliver(database, ALLOWED, delivery_id, client=client) == "delivered"
        shown: dict[str, Any] = ok(api.get(path, headers=auth("admin")))
    assert shown["status"] == "delivered" and len(shown["attempt_log"]) == 4
    assert len({got.headers["webhook-id"] for got in flaky.received}) == 1


def test_no_database_connection_is_held_while_the_endpoint_answers(
    committed_database: Database, client: httpx.Client
) -> None:
    held: list[int] = []

    def during() -> None:
        held.append(committed_database.engine.pool.checkedout())  # type: ignore[attr-defined]

    with receiver(during=during) as server:
        delivery_id, _ = _emit(committed_database, server.url)
        assert deliver(committed_database, ALLOWED, delivery_id, client=client) == "delivered"
    assert held == [0]


def test_https_goes_to_the_checked_address_with_the_hosts_tls_name(
    database: RolledBackDatabase, tmp_path: Path
) -> None:
    # The certificate names hooks.psa.test, which only this resolver knows: the delivery
    # connects to the address checked, asks for the host's name (SNI), verifies the
    # certificate against it and sends it as Host.
    certificate = self_signed(tmp_path, "hooks.psa.test")
    settings = ALLOWED.model_copy(update={"webhook_allowed_hosts": "hooks.psa.test"})

    def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    with (
        receiver(tls=certificate) as secure,
        httpx.Client(trust_env=False, verify=certificate.client_context()) as trusting,
    ):
        url = f"https://hooks.psa.test:{secure.port}/in"
        delivery_id, secret = _emit(database, url)
        assert deliver(database, settings, delivery_id, client=trusting, resolve=resolve) == (
            "delivered"
        )
        (got,) = secure.received
        assert secure.server_names == ["hooks.psa.test"]
        assert got.headers["host"] == f"hooks.psa.test:{secure.port}"
        Webhook(secret).verify(got.body, got.headers)

        # A certificate that does not name the host is refused, as any client would.
        impostor = f"https://other.psa.test:{secure.port}/in"
        other, _ = _emit(database, impostor, "proposal.declined")
        elsewhere = settings.model_copy(update={"webhook_allowed_hosts": "other.psa.test"})
        with pytest.raises(DeliveryFailed, match="CERTIFICATE_VERIFY_FAILED"):
            deliver(database, elsewhere, other, client=trusting, resolve=resolve)
        assert len(secure.received) == 1
