"""People's accounts: every problem at once, unique e-mails, Argon2id hashes, sign-in
checks that read the same for a wrong password, an unknown or a disabled account; the
audited use cases of app.accounts; and key names that can never be a person's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts import create_account, disable_account, enable_account, reset_account_password
from app.auth.principal import SYSTEM, Principal
from app.auth.service import create_key
from app.auth.users import check_sign_in, create_user, disable_user, enable_user
from app.kit.errors import Conflict, Invalid
from app.models import AuditEntry, User
from tests.support.database import RolledBackDatabase

GOOD = "a long enough password"


def test_every_problem_of_an_account_is_named_at_once(database: RolledBackDatabase) -> None:
    with database.transaction(write=True) as session, pytest.raises(Invalid) as refused:
        create_user(session, email="x" * 95 + "@e.com", name=" ", role="chief",
                    password="short", centre="XX-NOPE")  # fmt: skip
    fields = {problem.field for problem in refused.value.problems}
    assert fields == {"email", "name", "role", "centre", "password"}


@pytest.mark.parametrize(("role", "centre", "message"), [
    ("delivery", None, "A delivery user belongs to one centre."),
    ("sales", "CZ-BRN", "Only a delivery user has a centre."),
    ("delivery", "XX-NOPE", "Unknown delivery centre 'XX-NOPE'."),
])  # fmt: skip
def test_a_centre_goes_with_delivery_only(
    database: RolledBackDatabase, role: str, centre: str | None, message: str
) -> None:
    with database.transaction(write=True) as session, pytest.raises(Invalid) as refused:
        create_user(session, email="d@example.com", name="D", role=role, password=GOOD,
                    centre=centre)  # fmt: skip
    assert [(p.field, p.message) for p in refused.value.problems] == [("centre", message)]


def test_e_mails_are_unique_whatever_their_case(database: RolledBackDatabase) -> None:
    with database.transaction(write=True) as session:
        user = create_user(session, email=" Ann@Example.COM ", name="Ann", role="sales",
                           password=GOOD)  # fmt: skip
        assert user.email == "ann@example.com"
        assert user.password_hash.startswith("$argon2id$") and GOOD not in user.password_hash
        with pytest.raises(Conflict):
            create_user(session, email="ANN@example.com", name="Ann", role="sales", password=GOOD)


def test_a_sign_in_opens_only_an_enabled_account_with_its_password(
    database: RolledBackDatabase,
) -> None:
    with database.transaction(write=True) as session:
        create_user(session, email="ann@example.com", name="Ann", role="sales", password=GOOD)
        assert check_sign_in(session, "ANN@example.com", GOOD) is not None
        assert check_sign_in(session, "ann@example.com", GOOD + "!") is None
        assert check_sign_in(session, "bob@example.com", GOOD) is None
        assert check_sign_in(session, "ann@example.com", "x" * 10_000) is None
        assert disable_user(session, "ann@example.com") is True
        assert disable_user(session, "ann@example.com") is False
        assert check_sign_in(session, "ann@example.com", GOOD) is None
        assert enable_user(session, "ann@example.com") is True
        assert check_sign_in(session, "ann@example.com", GOOD) is not None


def test_account_changes_are_audited_without_any_password(database: RolledBackDatabase) -> None:
    admin = Principal("boss@example.com", "admin", None)
    with database.transaction(write=True) as session:
        create_account(session, admin, email="ann@example.com", name="Ann", role="sales",
                       password=GOOD)  # fmt: skip
        disable_account(session, admin, "ann@example.com")
        enable_account(session, admin, "ann@example.com")
        reset_account_password(session, SYSTEM, "ann@example.com", "another long password")
        entries = list(session.scalars(select(AuditEntry).where(
            AuditEntry.entity_key == "ann@example.com").order_by(AuditEntry.id)))  # fmt: skip
    assert [(e.action, e.actor) for e in entries] == [
        ("user.create", "boss@example.com"), ("user.disable", "boss@example.com"),
        ("user.enable", "boss@example.com"), ("user.reset_password", SYSTEM.name),
    ]  # fmt: skip
    logged = repr([(e.before, e.after) for e in entries])
    assert GOOD not in logged and "another long" not in logged and "argon2" not in logged


def test_nobody_disables_their_own_account(database: RolledBackDatabase) -> None:
    with database.transaction(write=True) as session:
        create_user(session, email="boss@example.com", name="B", role="admin", password=GOOD)
        me = Principal("boss@example.com", "admin", None)
        with pytest.raises(Invalid) as refused:
            disable_account(session, me, "Boss@Example.com")
        assert refused.value.problems[0].field == "email"
        user = session.scalar(select(User).where(User.email == "boss@example.com"))
        assert user is not None and user.disabled_at is None


def test_a_key_name_with_an_at_sign_is_refused(database: RolledBackDatabase) -> None:
    # A person's principal is their e-mail: a key named like one would share their name.
    with database.transaction(write=True) as session, pytest.raises(Invalid) as refused:
        create_key(session, name="ann@example.com", role="admin")
    assert "'@'" in refused.value.detail
