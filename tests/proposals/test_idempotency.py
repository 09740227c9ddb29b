"""Idempotency keys over time: kept for the retention, then forgotten; a claim whose request
never finished is taken over once stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.kit.errors import IdempotencyKeyInUse, IdempotencyKeyReused
from app.proposals import idempotency

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
RETENTION = timedelta(hours=24)
STALE = timedelta(minutes=2)


def claim(database: Any, digest: str, now: datetime) -> Any:
    return idempotency.claim(database, "sales", "k-1", digest, retention=RETENTION,
                             stale_after=STALE, now=now)  # fmt: skip


def _done(database: Any, claimed: idempotency.Claim) -> None:
    with database.transaction(write=True) as session:
        idempotency.complete(session, claimed, 201, {"id": 7}, "/v1/proposals/7")


def test_an_answer_is_replayed_within_the_retention_and_forgotten_after(database: Any) -> None:
    _done(database, claim(database, "body-a", T0))
    replay = claim(database, "body-a", T0 + RETENTION - timedelta(seconds=1))
    assert replay == idempotency.Replay(201, {"id": 7}, "/v1/proposals/7")
    with pytest.raises(IdempotencyKeyReused):
        claim(database, "body-b", T0 + timedelta(hours=1))
    fresh = claim(database, "body-b", T0 + RETENTION)  # expired: the key is new again
    assert isinstance(fresh, idempotency.Claim)


def test_a_claim_that_never_finished_is_taken_over_once_stale(database: Any) -> None:
    assert isinstance(claim(database, "body-a", T0), idempotency.Claim)
    with pytest.raises(IdempotencyKeyInUse):
        claim(database, "body-a", T0 + STALE - timedelta(seconds=1))
    assert isinstance(claim(database, "body-a", T0 + STALE), idempotency.Claim)


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "naïve", "two words"])
def test_keys_are_visible_ascii_up_to_255(key: str) -> None:
    from app.kit.errors import BadRequest

    with pytest.raises(BadRequest):
        idempotency.checked_key(key)
    assert idempotency.checked_key('"order-1"') == "order-1"


def test_a_request_that_lost_its_claim_changes_nothing(database: Any) -> None:
    slow = claim(database, "body-a", T0)
    retry = claim(database, "body-a", T0 + STALE)  # the slow one looked dead: taken over
    assert isinstance(slow, idempotency.Claim) and isinstance(retry, idempotency.Claim)
    idempotency.release(database, slow)  # the slow one fails at last: the retry keeps the key
    with pytest.raises(IdempotencyKeyInUse):
        claim(database, "body-a", T0 + STALE + timedelta(seconds=1))
    with database.transaction(write=True) as session, pytest.raises(IdempotencyKeyInUse):
        idempotency.complete(session, slow, 201, {"id": 1}, None)  # nor records an answer
    _done(database, retry)
    assert claim(database, "body-a", T0 + STALE * 2) == idempotency.Replay(
        201, {"id": 7}, "/v1/proposals/7"
    )
