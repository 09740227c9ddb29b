"""``Idempotency-Key`` (IETF httpapi draft): a client may retry a creation safely.

Keys are scoped to the API key that sent them. The first request with a key claims it in a
short transaction of its own, committed before the work starts, so a concurrent retry sees
it running (409). The answer is recorded in the creating transaction itself: either the
proposal and its recorded answer are committed, or neither is. The same key with the same
request then replays that answer; with a different request it is a 422. A failed request
releases its key. Keys expire after the retention; a claim whose request died without
releasing it (a crash) is taken over once it is older than ``stale_after``.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.kit.database import Database
from app.kit.errors import BadRequest, IdempotencyKeyInUse, IdempotencyKeyReused
from app.models import IdempotencyRecord, utcnow

_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, as the draft's sf-string allows


@dataclass(frozen=True, slots=True)
class Replay:
    status_code: int
    body: dict[str, Any]
    location: str | None


@dataclass(frozen=True, slots=True)
class Claim:
    owner: str
    key: str
    token: str  # this request's hold on the key: a request that lost it changes nothing


def checked_key(value: str) -> str:
    key = value.strip().strip('"')  # the draft sends it as a structured-field string
    if not _KEY.fullmatch(key):
        raise BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters")
    return key


def fingerprint(method: str, path: str, body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def claim(
    database: Database,
    owner: str,
    key: str,
    digest: str,
    *,
    retention: timedelta,
    stale_after: timedelta,
    now: datetime | None = None,
) -> Replay | Claim:
    """Claim ``key`` for a new request, or the answer to replay; raises when the key is
    running (409) or was used for a different request (422)."""
    for _ in range(2):  # a concurrent first claim can win the insert: then read what it wrote
        try:
            with database.transaction(write=True) as session:
                return _claim(session, owner, key, digest, retention, stale_after, now or utcnow())
        except IntegrityError:
            continue
    raise IdempotencyKeyInUse(
        "a request with this Idempotency-Key is still running; retry later",
        headers={"Retry-After": "1"},
    )


def _claim(
    session: Session,
    owner: str,
    key: str,
    digest: str,
    retention: timedelta,
    stale_after: timedelta,
    now: datetime,
) -> Replay | Claim:
    # Expired keys go as new ones come (indexed on expires_at): the table holds at most a
    # retention's worth of keys.
    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= now))
    record = session.get(IdempotencyRecord, (owner, key))
    token = secrets.token_hex(16)
    if record is None:
        session.add(
            IdempotencyRecord(
                owner=owner, key=key, fingerprint=digest, token=token, state="running",
                created_at=now, expires_at=now + retention,
            )
        )  # fmt: skip
        session.flush()
        return Claim(owner, key, token)
    if record.fingerprint != digest:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was used for a different request; use a new key"
        )
    if record.state == "done" and record.status_code is not None and record.response is not None:
        return Replay(record.status_code, record.response, record.location)
    if now - record.created_at < stale_after:
        raise IdempotencyKeyInUse(
            "a request with this Idempotency-Key is still running; retry later",
            headers={"Retry-After": "1"},
        )
    # Its request died (or is hopelessly slow): take over. Should it still finish, its
    # token no longer matches, so it can neither record an answer nor release the key.
    record.token, record.created_at, record.expires_at = token, now, now + retention
    return Claim(owner, key, token)


def complete(
    session: Session, claimed: Claim, status_code: int, body: dict[str, Any], location: str | None
) -> None:
    """Record the answer, in the transaction that did the work: if the claim was lost (taken
    over, or expired), this raises, and the work is rolled back with it."""
    record = session.get(IdempotencyRecord, (claimed.owner, claimed.key))
    if record is None or record.token != claimed.token:
        raise IdempotencyKeyInUse(
            "this request took so long that its Idempotency-Key passed to a retry; "
            "nothing was created by it",
            headers={"Retry-After": "1"},
        )
    record.state, record.status_code, record.response = "done", status_code, body
    record.location = location


def release(database: Database, claimed: Claim) -> None:
    """Give a failed request's key back, so the client can retry with it."""
    with database.transaction(write=True) as session:
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.owner == claimed.owner,
                IdempotencyRecord.key == claimed.key,
                IdempotencyRecord.token == claimed.token,
                IdempotencyRecord.state == "running",
            )
        )
