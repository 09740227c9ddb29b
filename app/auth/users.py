"""People's accounts: create, disable, reset a password, check a sign-in. Passwords are
hashed with Argon2id (pwdlib: the hasher FastAPI's own guide uses, over argon2-cffi) and
re-hashed on sign-in when the parameters move on. A user's principal is named by the
e-mail, which no API key name may contain: a person and a machine never share a name."""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import ROLES, Principal
from app.kit.errors import Conflict, FieldProblem, Invalid, NotFound
from app.models import CatalogRecord, User, WebSession, utcnow

PASSWORDS = PasswordHash((Argon2Hasher(),))
# Length is what makes a password strong (NIST SP 800-63B); the upper bound keeps one
# hash's work bounded.
MIN_PASSWORD, MAX_PASSWORD = 12, 256
# The e-mail names the principal, which the audit log keeps in 100 characters (as keys' names).
MAX_EMAIL = 100
# A practical check, not RFC 5322: one @, a dot in the domain, no spaces.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Verified when the account does not exist, so a wrong e-mail takes as long as a wrong
# password and the answer's timing does not tell which accounts exist.
_ABSENT = PASSWORDS.hash("no such account: this hash is only ever compared against")


def principal_of(user: User) -> Principal:
    return Principal(user.email, user.role, user.centre)  # type: ignore[arg-type]


def normal_email(email: str) -> str:
    return email.strip().lower()


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters."
    if len(password) > MAX_PASSWORD:
        return f"Use at most {MAX_PASSWORD} characters."
    if not password.strip():
        return "A password cannot be only spaces."
    return None


def create_user(
    session: Session, *, email: str, name: str, role: str, password: str,
    centre: str | None = None,
) -> User:  # fmt: skip
    """A new account; every problem at once, each naming its field."""
    email = normal_email(email)
    problems = []
    if not _EMAIL.match(email) or len(email) > MAX_EMAIL:
        message = f"Enter an e-mail address like name@example.com (at most {MAX_EMAIL} characters)."
        problems.append(FieldProblem("email", message))
    if not name.strip() or len(name) > 200:
        problems.append(FieldProblem("name", "Enter a name of 1 to 200 characters."))
    if role not in ROLES:
        problems.append(FieldProblem("role", f"Choose one of {', '.join(ROLES)}."))
    if role == "delivery" and not centre:
        problems.append(FieldProblem("centre", "A delivery user belongs to one centre."))
    if role != "delivery" and centre:
        problems.append(FieldProblem("centre", "Only a delivery user has a centre."))
    if centre and session.get(CatalogRecord, ("delivery_centres", centre)) is None:
        problems.append(FieldProblem("centre", f"Unknown delivery centre {centre!r}."))
    if (problem := password_problem(password)) is not None:
        problems.append(FieldProblem("password", problem))
    if problems:
        raise Invalid("the account cannot be created", problems)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"an account for {email} already exists")
    user = User(
        email=email, name=name.strip(), role=role, centre=centre or None,
        password_hash=PASSWORDS.hash(password),
    )  # fmt: skip
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normal_email(email)))
    if user is None:
        raise NotFound(f"no account for {normal_email(email)}")
    return user


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.email)))


def _end_sessions(session: Session, user: User) -> None:
    now = utcnow()
    for open_session in session.scalars(
        select(WebSession).where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
    ):
        open_session.ended_at = now


def disable_user(session: Session, email: str) -> bool:
    """Disable the account and end its sessions; whether it was enabled until now."""
    user = find_user(session, email)
    _end_sessions(session, user)
    if user.disabled_at is not None:
        return False
    user.disabled_at = utcnow()
    return True


def enable_user(session: Session, email: str) -> bool:
    user = find_user(session, email)
    if user.disabled_at is None:
        return False
    user.disabled_at = None
    return True


def reset_password(session: Session, email: str, password: str) -> User:
    """A new password; every session of the account ends (whoever knew the old one)."""
    if (problem := password_problem(password)) is not None:
        raise Invalid("the password cannot be set", [FieldProblem("password", problem)])
    user = find_user(session, email)
    user.password_hash = PASSWORDS.hash(password)
    user.password_changed_at = utcnow()
    _end_sessions(session, user)
    return user


@dataclass(frozen=True, slots=True)
class Checked:
    """An account a sign-in opened, and its password's new hash when the hasher's
    parameters moved on since it was hashed (written with the session)."""

    user_id: int
    rehashed: str | None


# Argon2id is made to cost memory and time (64 MiB each here): at most one check per core
# at once, so a crowd signing in queues for the processor instead of exhausting memory.
_CHECKING = threading.BoundedSemaphore(os.cpu_count() or 1)


def check_sign_in(session: Session, email: str, password: str) -> Checked | None:
    """The enabled account these credentials open, or None (the same work either way).
    Reads only: the hash is checked outside any write transaction."""
    row = session.execute(
        select(User.id, User.password_hash, User.disabled_at).where(
            User.email == normal_email(email)
        )
    ).first()
    if len(password) > MAX_PASSWORD:
        return None
    with _CHECKING:
        valid, updated = PASSWORDS.verify_and_update(
            password, row.password_hash if row is not None else _ABSENT
        )
    if row is None or not valid or row.disabled_at is not None:
        return None
    return Checked(row.id, updated)


def signed_in_user(session: Session, checked: Checked) -> User | None:
    """The account a check opened, in a write transaction: its rehash stored; None when it
    was disabled in between."""
    user = session.get(User, checked.user_id)
    if user is None or user.disabled_at is not None:
        return None
    if checked.rehashed is not None:
        user.password_hash = checked.rehashed
    return user
