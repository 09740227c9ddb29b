"""Server-side web sessions. The cookie holds a random token; the database holds its
SHA-256 digest (as for API keys: 256 random bits need no slow hash), who it is, and when it
ends: after ``idle`` without a request, at ``absolute`` after sign-in, on sign-out, or when
the account is disabled or its password reset."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.service import digest
from app.models import CatalogState, User, WebSession, utcnow

SESSION_COOKIE = "ow_session"
# A session's last request is written down at most this often: a click is not a write.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who a session is: their principal, their display name, and the catalog revision as
    the request begins (read in the same round trip, as for API keys)."""

    principal: Principal
    name: str
    catalog_revision: int
    touch_due: bool = False  # the last request noted is older than TOUCH_EVERY


def start_session(
    session: Session, user: User, lifetimes: Lifetimes, *, address: str | None,
    user_agent: str | None,
) -> str:  # fmt: skip
    """A new session for ``user``; its token, in clear, for the cookie only."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        WebSession(
            token_hash=digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetimes.absolute,
            address=(address or "")[:64] or None,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    return token


_RESOLVE = (
    select(
        User.email,
        User.role,
        User.centre,
        User.name,
        WebSession.last_seen_at,
        WebSession.expires_at,
        select(CatalogState.revision).scalar_subquery(),
    )
    .join(User, User.id == WebSession.user_id)
    .where(
        WebSession.token_hash == bindparam("digest"),
        WebSession.ended_at.is_(None),
        User.disabled_at.is_(None),
    )
)
_TOUCH = (
    update(WebSession)
    .where(WebSession.token_hash == bindparam("digest"))
    .values(last_seen_at=bindparam("now"))
)


def resolve_session(
    session: Session, token: str, lifetimes: Lifetimes, now: datetime | None = None
) -> SignedIn | None:
    """Who holds ``token``, or None when it names no live session. Reads only: when
    ``touch_due``, the caller ``touch``es it in a write transaction."""
    now = now or utcnow()
    row = session.execute(_RESOLVE, {"digest": digest(token)}).first()
    if row is None:
        return None
    email, role, centre, name, last_seen, expires, revision = row
    if now >= expires or now - last_seen >= lifetimes.idle:
        return None
    due = now - last_seen >= TOUCH_EVERY
    return SignedIn(Principal(email, role, centre), name, revision or 0, due)


def touch_session(session: Session, token: str, now: datetime | None = None) -> None:
    session.execute(_TOUCH, {"digest": digest(token), "now": now or utcnow()})


def end_session(session: Session, token: str) -> None:
    row = session.get(WebSession, digest(token))
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
