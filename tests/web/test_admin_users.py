"""The users admin page through the TestClient: the accounts listed, an account created
(its problems next to their fields), disabled and enabled, a password reset, each audited
and answered 303 back to the list with a notice; only the admin role opens it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.auth.users import check_sign_in
from app.models import AuditEntry, User
from tests.support.database import RolledBackDatabase
from tests.web.pages_client import PASSWORD, make_user, post_form, signed_in

NEW = {"email": "Nina.New@Example.com", "name": "Nina New", "role": "sales", "centre": "",
       "password": "a long enough password"}  # fmt: skip


def _admin(client: TestClient, database: RolledBackDatabase) -> str:
    admin = make_user(database, "admin", name="Ada Admin")
    signed_in(client, admin)
    return admin.email


def _actions(database: RolledBackDatabase, email: str) -> list[tuple[str, str]]:
    with database.transaction(write=False) as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.entity_key == email))
        return [(row.action, row.actor) for row in rows]


def test_the_page_lists_every_account_with_its_role_centre_and_state(
    client: TestClient, database: RolledBackDatabase
) -> None:
    me = _admin(client, database)
    courier = make_user(database, "delivery", centre="DE-FRA", name="Dora Delivery")
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert "<h1>Users</h1>" in page.text
    for text in (me, courier.email, "Dora Delivery", "DE-FRA", "UTC"):
        assert text in page.text
    # Every delivery centre of the catalog is offered, by code and name.
    assert '<option value="CZ-BRN">CZ-BRN — Brno Infrastructure Operations Centre</option>' in (
        page.text
    )
    # The admin's own row has no disable button: "you" instead.
    mine = re.search(rf"<td>{re.escape(me)}</td>.*?</tr>", page.text, re.S)
    assert mine is not None and "Disable" not in mine[0] and ">you<" in mine[0]


def test_creating_an_account_audits_it_and_says_so_on_the_list(
    client: TestClient, database: RolledBackDatabase
) -> None:
    me = _admin(client, database)
    answer = post_form(client, "/admin/users", NEW)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/users?done=created&email=nina.new%40example.com"
    listed = client.get(answer.headers["location"])
    assert "Created the account of nina.new@example.com." in listed.text
    assert _actions(database, "nina.new@example.com") == [("user.create", me)]
    with database.transaction(write=True) as session:
        assert check_sign_in(session, "nina.new@example.com", NEW["password"]) is not None


def test_a_delivery_account_takes_a_centre_from_the_select(
    client: TestClient, database: RolledBackDatabase
) -> None:
    _admin(client, database)
    data = {**NEW, "role": "delivery", "centre": "IN-BLR"}
    assert post_form(client, "/admin/users", data).status_code == 303
    with database.transaction(write=False) as session:
        user = session.scalar(select(User).where(User.email == "nina.new@example.com"))
        assert user is not None and (user.role, user.centre) == ("delivery", "IN-BLR")


def test_every_problem_of_a_new_account_shows_next_to_its_field_and_keeps_the_input(
    client: TestClient, database: RolledBackDatabase
) -> None:
    _admin(client, database)
    data = {"email": "not an address", "name": "Kept Name", "role": "delivery", "centre": "",
            "password": "short"}  # fmt: skip
    answer = post_form(client, "/admin/users", data)
    assert answer.status_code == 422
    text = answer.text
    assert 'id="e-email"' in text and "Enter an e-mail address like name@example.com" in text
    assert 'id="e-centre"' in text and "A delivery user belongs to one centre." in text
    assert 'id="e-password"' in text and "Use at least 12 characters." in text
    assert 'aria-invalid="true"' in text and "There is a problem" in text
    assert 'value="Kept Name"' in text and 'value="not an address"' in text
    assert '<option value="delivery" selected>' in text
    assert "short" not in text.split('id="f-password"')[1].split(">")[0]  # never echoed


def test_an_existing_e_mail_is_refused_next_to_the_e_mail_field(
    client: TestClient, database: RolledBackDatabase
) -> None:
    _admin(client, database)
    taken = make_user(database, "sales")
    answer = post_form(client, "/admin/users", {**NEW, "email": taken.email.upper()})
    assert answer.status_code == 409
    assert f"An account for {taken.email} already exists." in answer.text
    assert 'id="e-email"' in answer.text


def test_disable_ends_the_sessions_and_enable_lets_the_person_in_again(
    client: TestClient, database: RolledBackDatabase
) -> None:
    me = _admin(client, database)
    seller = make_user(database, "sales")
    other = TestClient(client.app)
    signed_in(other, seller)
    assert other.get("/", follow_redirects=False).status_code == 200
    answer = post_form(client, "/admin/users/disable", {"email": seller.email})
    assert answer.status_code == 303
    assert "Disabled sales-" in client.get(answer.headers["location"]).text
    assert other.get("/", follow_redirects=False).status_code == 303  # its session ended
    again = post_form(client, "/admin/users/disable", {"email": seller.email})
    assert "done=already-disabled" in again.headers["location"]
    with database.transaction(write=True) as session:
        assert check_sign_in(session, seller.email, PASSWORD) is None
    enabled = post_form(client, "/admin/users/enable", {"email": seller.email})
    assert enabled.headers["location"].startswith("/admin/users?done=enabled")
    with database.transaction(write=True) as session:
        assert check_sign_in(session, seller.email, PASSWORD) is not None
    assert _actions(database, seller.email) == [("user.disable", me), ("user.enable", me)]


def test_an_admin_cannot_disable_themselves(
    client: TestClient, database: RolledBackDatabase
) -> None:
    me = _admin(client, database)
    answer = post_form(client, "/admin/users/disable", {"email": me.upper()})
    assert answer.status_code == 422
    assert "You cannot disable your own account; ask another admin." in answer.text
    assert client.get("/admin/users", follow_redirects=False).status_code == 200  # still in


def test_a_password_reset_ends_the_sessions_and_the_new_one_opens(
    client: TestClient, database: RolledBackDatabase
) -> None:
    me = _admin(client, database)
    seller = make_user(database, "sales")
    other = TestClient(client.app)
    signed_in(other, seller)
    form = client.get("/admin/users/password", params={"email": seller.email})
    assert form.status_code == 200 and f"New password for {seller.email}" in form.text
    short = post_form(client, "/admin/users/password", {"email": seller.email, "password": "x"})
    assert short.status_code == 422 and 'id="e-password"' in short.text
    assert "Use at least 12 characters." in short.text
    answer = post_form(
        client, "/admin/users/password", {"email": seller.email, "password": "a brand new secret"}
    )
    assert answer.status_code == 303
    assert "Set a new password for" in client.get(answer.headers["location"]).text
    assert other.get("/", follow_redirects=False).status_code == 303
    with database.transaction(write=True) as session:
        assert check_sign_in(session, seller.email, PASSWORD) is None
        assert check_sign_in(session, seller.email, "a brand new secret") is not None
    assert ("user.reset_password", me) in _actions(database, seller.email)


def test_an_unknown_account_has_no_password_page(
    client: TestClient, database: RolledBackDatabase
) -> None:
    _admin(client, database)
    answer = client.get("/admin/users/password", params={"email": "nobody@example.com"})
    assert answer.status_code == 404 and "no account for nobody@example.com" in answer.text


def test_only_the_admin_role_opens_the_page_or_changes_an_account(
    client: TestClient, database: RolledBackDatabase
) -> None:
    signed_in(client, make_user(database, "approver"))
    page = client.get("/admin/users", follow_redirects=False)
    assert page.status_code == 403 and "The approver role cannot open this page." in page.text
    assert 'href="/admin/users"' not in page.text  # nor does the navigation offer it
    refused = post_form(client, "/admin/users", NEW)
    assert refused.status_code == 403
    with database.transaction(write=False) as session:
        assert session.scalar(select(User).where(User.email == "nina.new@example.com")) is None


def test_without_a_session_the_page_asks_for_sign_in(client: TestClient) -> None:
    answer = client.get("/admin/users", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Fadmin%2Fusers"
