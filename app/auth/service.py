"""API keys: random bearer tokens stored only as their SHA-256 digest.

A key carries 256 bits of randomness, so a fast digest is safe (nothing to brute-force the
way a password can be) and lets every request find its key by an indexed lookup."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from app.auth.principal import ROLES, Principal
from app.kit.errors import Conflict, Invalid, NotFound
from app.models import ApiKey, CatalogRecord, CatalogState, utcnow

PREFIX = "ow_"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# Names the system acts under (the command line's proposals): no API key may take one.
RESERVED_PREFIX = "offerwright:"


def create_key(session: Session, *, name: str, role: str, centre: str | None = None) -> str:
    """Store a new key and return it in clear: the only time it is ever seen. The caller
    records it in the audit log (the log's reader depends on auth, so auth never writes it)."""
    if role not in ROLES:
        raise Invalid(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if (role == "delivery") != (centre is not None):
        raise Invalid("a delivery key needs --centre, and only a delivery key takes one")
    if centre is not None and session.get(CatalogRecord, ("delivery_centres", centre)) is None:
        raise Invalid(f"unknown delivery centre {centre!r} (import the catalog first)")
    if not name.strip() or len(name) > 100:
        raise Invalid("a key name is 1 to 100 characters")
    if "@" in name:  # people's principals are their e-mail addresses
        raise Invalid("a key name holds no '@' (e-mail addresses name people's accounts)")
    if name.startswith(RESERVED_PREFIX):
        raise Invalid(f"key names starting with {RESERVED_PREFIX!r} are the system's own")
    if session.scalar(select(ApiKey).where(ApiKey.name == name)) is not None:
        raise Conflict(f"a key named {name!r} already exists")
    key = PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(name=name, role=role, centre=centre, key_hash=digest(key)))
    return key


def revoke_key(session: Session, name: str) -> bool:
    """Revoke the key; whether it was revoked now (False: it already was)."""
    row = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if row is None:
        raise NotFound(f"no key named {name!r}")
    if row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


# Built once: every request runs it, and building a statement (and its cache key) costs
# more than running it. The catalog revision comes along in the same round trip: it is what
# the request's catalog reads are answered at (see app/portfolio/catalog/cached.py).
_IDENTIFY = select(
    ApiKey.name, ApiKey.role, ApiKey.centre, select(CatalogState.revision).scalar_subquery()
).where(ApiKey.key_hash == bindparam("digest"), ApiKey.revoked_at.is_(None))


def identify(connection: Connection | Session, key: str) -> tuple[Principal, int] | None:
    """The principal of a valid, unrevoked key and the catalog revision now; None for a key
    that is unknown or revoked. Columns, not the entity: loading an ORM object costs
    several times the query."""
    row = connection.execute(_IDENTIFY, {"digest": digest(key)}).first()
    if row is None:
        return None
    name, role, centre, revision = row
    return Principal(name, role, centre), revision or 0


def authenticate(connection: Connection | Session, key: str) -> Principal | None:
    """The principal of a valid, unrevoked key; None otherwise."""
    identified = identify(connection, key)
    return None if identified is None else identified[0]
