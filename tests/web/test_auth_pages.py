"""Signing in and out through the TestClient: CSRF on every form (sign-in and sign-out
too), sessions that end (idle, absolute, sign-out, a disabled account, a password reset),
throttled guessing that never locks the owner out, the role table on pages, and a ``next``
that never leaves the site."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.auth import SignInThrottle
from app.auth.users import disable_user, reset_password
from app.models import User, WebSession, utcnow
from app.web.auth import Seller, UserAdmin
from tests.support.database import RolledBackDatabase
from tests.web.pages_client import form_token, make_user, post_form, sign_in, signed_in

REFUSED = "This form could not be accepted"


def _users(database: RolledBackDatabase) -> set[str]:
    with database.transaction(write=False) as session:
        return set(session.scalars(select(User.email)))


# -- CSRF ------------------------------------------------------------------------------


def test_a_post_without_or_with_a_wrong_token_is_refused_and_changes_nothing(
    client: TestClient, database: RolledBackDatabase
) -> None:
    signed_in(client, make_user(database, "admin"))
    before = _users(database)
    data = {"email": "new@example.com", "name": "N", "role": "sales", "centre": "",
            "password": "long enough password"}  # fmt: skip
    for token in (None, "wrong", form_token(client) + "x"):
        sent = data if token is None else {**data, "csrftoken": token}
        answer = client.post("/admin/users", data=sent, follow_redirects=False)
        assert answer.status_code == 403 and REFUSED in answer.text
        assert answer.headers["content-type"].startswith("text/html")
    assert _users(database) == before
    # Sign-out is a change too: refused without the token, and the session lives on.
    assert client.post("/sign-out", follow_redirects=False).status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200


def test_the_sign_in_form_needs_its_token_even_without_any_cookie(
    client: TestClient, database: RolledBackDatabase
) -> None:
    # Login CSRF: another site posting its own credentials would sign the victim in.
    person = make_user(database, "sales")
    answer = client.post("/sign-in", data={"email": person.email, "password": person.password},
                         follow_redirects=False)  # fmt: skip
    assert answer.status_code == 403 and REFUSED in answer.text
    assert "ow_session" not in answer.headers.get("set-cookie", "")


def test_signing_in_and_out_renews_the_form_token(
    client: TestClient, database: RolledBackDatabase
) -> None:
    before = form_token(client)
    answer = sign_in(client, make_user(database, "sales"))
    assert 'csrftoken=""' in answer.headers.get_list("set-cookie")[-1] or any(
        cookie.startswith("csrftoken=") and "Max-Age=0" in cookie
        for cookie in answer.headers.get_list("set-cookie")
    )
    assert form_token(client) != before
    # A form of the page before sign-in no longer posts.
    stale = client.post("/sign-out", data={"csrftoken": before}, follow_redirects=False)
    assert stale.status_code == 403


# -- sessions --------------------------------------------------------------------------


def _age(database: RolledBackDatabase, **changes: object) -> None:
    with database.transaction(write=True) as session:
        session.execute(update(WebSession).values(**changes))


@pytest.mark.parametrize("ended", ["idle", "absolute"])
def test_an_expired_session_sends_the_person_to_sign_in_again(
    client: TestClient, database: RolledBackDatabase, ended: str
) -> None:
    signed_in(client, make_user(database, "sales"))
    assert client.get("/", follow_redirects=False).status_code == 200
    if ended == "idle":
        _age(database, last_seen_at=utcnow() - timedelta(minutes=31))
    else:
        _age(database, expires_at=utcnow() - timedelta(seconds=1))
    answer = client.get("/admin/users?x=1", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Fadmin%2Fusers%3Fx%3D1&expired=1"
    page = client.get(answer.headers["location"])
    assert "Your session has ended. Sign in again to carry on." in page.text
    assert 'name="next" value="/admin/users?x=1"' in page.text


def test_an_htmx_request_without_a_session_is_told_where_to_go(client: TestClient) -> None:
    answer = client.get("/", headers={"HX-Request": "true", "HX-Current-URL":
                        "http://testserver/admin/users"}, follow_redirects=False)  # fmt: skip
    assert answer.status_code == 204
    assert answer.headers["HX-Redirect"] == "/sign-in?next=%2Fadmin%2Fusers"


def test_sign_out_ends_the_session_on_the_server(
    client: TestClient, database: RolledBackDatabase
) -> None:
    signed_in(client, make_user(database, "sales"))
    token = client.cookies["ow_session"]
    answer = post_form(client, "/sign-out", {})
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in?signed_out=1"
    assert "You have signed out." in client.get(answer.headers["location"]).text
    with database.transaction(write=False) as session:
        assert session.scalar(select(WebSession.ended_at)) is not None
    client.cookies.set("ow_session", token)  # the old cookie, kept by someone
    assert client.get("/", follow_redirects=False).status_code == 303


def test_signing_in_again_ends_the_browsers_previous_session(
    client: TestClient, database: RolledBackDatabase
) -> None:
    signed_in(client, make_user(database, "sales"))
    first = client.cookies["ow_session"]
    signed_in(client, make_user(database, "approver"))
    assert client.cookies["ow_session"] != first
    with database.transaction(write=False) as session:
        assert len(list(session.scalars(select(WebSession).where(
            WebSession.ended_at.is_(None))))) == 1  # fmt: skip


@pytest.mark.parametrize("change", ["disable", "reset"])
def test_disabling_an_account_or_resetting_its_password_ends_its_sessions(
    client: TestClient, database: RolledBackDatabase, change: str
) -> None:
    person = make_user(database, "sales")
    signed_in(client, person)
    with database.transaction(write=True) as session:
        if change == "disable":
            disable_user(session, person.email)
        else:
            reset_password(session, person.email, "another long password")
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 303 and "expired=1" in answer.headers["location"]
    again = sign_in(client, person)  # the old password, or a disabled account: no way in
    assert again.status_code == 401


def test_the_session_cookie_is_http_only_lax_and_secure_over_https(
    client: TestClient, database: RolledBackDatabase
) -> None:
    person = make_user(database, "sales")
    cookie = next(c for c in sign_in(client, person).headers.get_list("set-cookie")
                  if c.startswith("ow_session="))  # fmt: skip
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    secure = TestClient(client.app, base_url="https://testserver")
    cookie = next(c for c in sign_in(secure, person).headers.get_list("set-cookie")
                  if c.startswith("ow_session="))  # fmt: skip
    assert "Secure" in cookie


# -- throttling ------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _throttle(client: TestClient) -> SignInThrottle:
    throttle: SignInThrottle = client.app.state.wiring.get(SignInThrottle)  # type: ignore[attr-defined]
    return throttle


def _from(client: TestClient, address: str) -> TestClient:
    return TestClient(client.app, client=(address, 40000))


def test_failed_sign_ins_of_one_account_slow_that_address_only(
    client: TestClient, database: RolledBackDatabase
) -> None:
    clock = Clock()
    _throttle(client).clock = clock
    person = make_user(database, "sales")
    guesser = _from(client, "203.0.113.7")
    for _ in range(5):  # settings: five per account within five minutes
        assert sign_in(guesser, person, password="wrong password!").status_code == 401
    refused = sign_in(guesser, person)  # even the right password is not tried now
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 300
    assert f"Too many failed sign-ins. Try again in {wait} seconds." in refused.text
    # The owner, elsewhere, is not locked out by someone else's guessing.
    assert sign_in(_from(client, "198.51.100.2"), person).status_code == 303
    # Once the window has moved on, the right password opens from there too.
    clock.now += 301
    assert sign_in(guesser, person).status_code == 303


def test_an_address_that_guesses_many_accounts_is_slowed_but_not_its_neighbours(
    client: TestClient, database: RolledBackDatabase, settings: object
) -> None:
    clock = Clock()
    throttle = _throttle(client)
    throttle.clock = clock
    person = make_user(database, "sales")
    sprayer = _from(client, "203.0.113.9")
    for number in range(30):  # settings: thirty per address within five minutes
        throttle.failed(f"someone-{number}@example.com", "203.0.113.9")
    refused = sign_in(sprayer, person)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert sign_in(_from(client, "203.0.113.10"), person).status_code == 303
    clock.now += 301
    assert sign_in(sprayer, person).status_code == 303


# -- the role table, and where a sign-in leads -----------------------------------------


def _pages_behind(client: TestClient, guard: object) -> set[str]:
    """The GET page routes (without path parameters) behind ``guard`` (Seller...)."""
    check = guard.__metadata__[0].dependency  # type: ignore[attr-defined]

    def needs(dependant: object) -> bool:
        return any(d.call is check or needs(d) for d in dependant.dependencies)  # type: ignore[attr-defined]

    found: set[str] = set()
    for included in client.app.routes:  # type: ignore[attr-defined]
        router = getattr(included, "original_router", None)
        prefix = included.include_context.prefix if router is not None else ""
        for route in router.routes if router is not None else [included]:
            path = prefix + getattr(route, "path", "{")
            methods = getattr(route, "methods", ())
            dependant = getattr(route, "dependant", None)
            if "{" not in path and "GET" in methods and dependant and needs(dependant):
                found.add(path)
    return found


def test_a_delivery_user_sees_no_selling_page_or_link(
    client: TestClient, database: RolledBackDatabase
) -> None:
    signed_in(client, make_user(database, "delivery", centre="CZ-BRN"))
    home = client.get("/")
    assert home.status_code == 200 and "Delivery centre CZ-BRN" in home.text
    for link in ('href="/configure"', 'href="/proposals"', 'href="/approvals"',
                 'href="/admin/users"'):  # fmt: skip
        assert link not in home.text
    assert _pages_behind(client, UserAdmin) == {"/admin/users", "/admin/users/password"}
    guarded = _pages_behind(client, Seller)
    assert "/configure" in guarded
    for path in sorted(guarded | {"/proposals", "/approvals"}):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 403, path
        assert "The delivery role cannot open this page." in answer.text


def test_the_navigation_follows_the_role(client: TestClient, database: RolledBackDatabase) -> None:
    signed_in(client, make_user(database, "admin"))
    page = client.get("/").text
    assert 'href="/admin/users"' in page and 'href="/configure"' in page


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example", "/\\evil.example", "http:/evil",
               "/\t/evil.example", "evil.example", "javascript:alert(1)"],
)  # fmt: skip
def test_next_never_leads_off_the_site(
    client: TestClient, database: RolledBackDatabase, target: str
) -> None:
    page = client.get("/sign-in", params={"next": target})
    assert 'name="next" value="/"' in page.text or 'value="/%09/evil.example"' in page.text
    answer = sign_in(client, make_user(database, "sales"), next_path=target)
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert "\t" not in location and "evil.example" not in location.split("/")[1]


def test_next_leads_back_to_the_page_asked_for(
    client: TestClient, database: RolledBackDatabase
) -> None:
    answer = sign_in(client, make_user(database, "admin"), next_path="/admin/users?done=x")
    assert answer.headers["location"] == "/admin/users?done=x"


def test_a_wrong_password_and_an_unknown_account_read_the_same(
    client: TestClient, database: RolledBackDatabase
) -> None:
    person = make_user(database, "sales")
    wrong = sign_in(client, person, password="not the password")
    unknown = sign_in(client, person.__class__("nobody@example.com", "whatever it is", "N"))
    assert wrong.status_code == unknown.status_code == 401
    message = "That e-mail address and password do not match an account."
    assert message in wrong.text and message in unknown.text
    empty = post_form(client, "/sign-in", {"email": "", "password": ""})
    assert empty.status_code == 422 and "Enter your e-mail address and your password." in empty.text
