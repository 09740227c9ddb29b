"""People's accounts, audited: every change names who made it (an admin, or the system for
the command line); a password never reaches the log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.auth import (
    Principal,
    all_users,
    create_user,
    disable_user,
    enable_user,
    find_user,
    normal_email,
    reset_password,
)
from app.kit.errors import FieldProblem, Invalid
from app.models import CatalogRecord, User


@dataclass(frozen=True, slots=True)
class Account:
    """An account as people see it (never its password hash)."""

    email: str
    name: str
    role: str
    centre: str | None
    created_at: datetime
    disabled: bool


def _account(user: User) -> Account:
    return Account(user.email, user.name, user.role, user.centre, user.created_at,
                   user.disabled_at is not None)  # fmt: skip


def _seen(user: User) -> dict[str, object]:
    return {"email": user.email, "name": user.name, "role": user.role, "centre": user.centre,
            "disabled": user.disabled_at is not None}  # fmt: skip


def accounts(session: Session) -> list[Account]:
    return [_account(user) for user in all_users(session)]


def create_account(
    session: Session, actor: Principal, *, email: str, name: str, role: str, password: str,
    centre: str | None = None,
) -> Account:  # fmt: skip
    user = create_user(session, email=email, name=name, role=role, password=password,
                       centre=centre)  # fmt: skip
    audit.record(session, actor, "user.create", "user", user.email, None, _seen(user))
    return _account(user)


def delivery_centres(session: Session) -> list[tuple[str, str]]:
    """The catalog's delivery centres (code, name), which a delivery account belongs to."""
    rows = session.execute(
        select(CatalogRecord.key, CatalogRecord.content)
        .where(CatalogRecord.kind == "delivery_centres")
        .order_by(CatalogRecord.key)
    )
    return [(code, str(content.get("name") or code)) for code, content in rows]


def disable_account(session: Session, actor: Principal, email: str) -> bool:
    """Disable it and end its sessions; whether it was enabled until now. Nobody disables
    their own account: an admin who did would lock themselves out of the page that undoes it."""
    if normal_email(email) == actor.name:
        raise Invalid(
            "you cannot disable your own account",
            [FieldProblem("email", "You cannot disable your own account; ask another admin.")],
        )
    before = _seen(find_user(session, email))
    changed = disable_user(session, email)
    if changed:
        user = find_user(session, email)
        audit.record(session, actor, "user.disable", "user", user.email, before, _seen(user))
    return changed


def enable_account(session: Session, actor: Principal, email: str) -> bool:
    before = _seen(find_user(session, email))
    changed = enable_user(session, email)
    if changed:
        user = find_user(session, email)
        audit.record(session, actor, "user.enable", "user", user.email, before, _seen(user))
    return changed


def reset_account_password(session: Session, actor: Principal, email: str, password: str) -> None:
    """A new password; the account's sessions end."""
    user = reset_password(session, email, password)
    audit.record(session, actor, "user.reset_password", "user", user.email, None, None)
