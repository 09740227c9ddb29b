"""Accessibility in a real browser: axe-core on every page as each role sees it (no serious
or critical violation), and the keyboard alone reaching everything in document order with
a visible focus, completing the sign-in form. One live server for the module; one browser
context per role. Areas add their pages to ``PAGES``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import Browser, ConsoleMessage, Page

from tests.support.live_server import LiveServer, Person
from tests.web.accessibility import assert_accessible, axe_problems, focusable_count, tab_walk
from tests.web.conftest import sign_in


def _wrong_password(page: Page) -> None:
    page.get_by_label("E-mail address").fill("nobody@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()


def _create_nothing(page: Page) -> None:  # every field's error shown
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    assert page.get_by_text("There is a problem").is_visible()


def _post_with_a_wrong_token(page: Page) -> None:  # the CSRF refusal page
    page.evaluate("() => document.querySelector('form[action=\"/sign-out\"] "
                  "input[name=csrftoken]').value = 'forged'")  # fmt: skip
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="This form could not be accepted").is_visible()


@dataclass(frozen=True)
class Shown:
    """A page as ``role`` sees it (None: signed out), after ``then`` did something on it
    (submitted a form with errors...). ``{email}`` in the path is the person's own."""

    role: str | None
    path: str
    then: Callable[[Page], None] | None = None
    status: int = 200
    label: str = field(default="")


PAGES: list[Shown] = [
    Shown(None, "/sign-in"),
    Shown(None, "/sign-in?expired=1"),
    Shown(None, "/sign-in", _wrong_password, 401, "a wrong password"),
    *(Shown(role, "/") for role in ("sales", "portfolio", "approver", "delivery", "admin")),
    Shown("admin", "/admin/users"),
    Shown("admin", "/admin/users", _create_nothing, 422, "every field wrong"),
    Shown("admin", "/admin/users/password?email={email}"),
    Shown("sales", "/admin/users", status=403),  # the role's refusal
    Shown("admin", "/admin/users/password?email=nobody@example.com", status=404),
    Shown("sales", "/", _post_with_a_wrong_token, 403, "CSRF refused"),
]


def _collect(errors: list[str]) -> Callable[[ConsoleMessage], None]:
    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    return console


def test_every_page_passes_axe_for_each_role(browser: Browser, server: LiveServer) -> None:
    problems: list[str] = []
    people: dict[str, Person] = {}
    roles = dict.fromkeys(shown.role for shown in PAGES)  # in order, once each
    for role in roles:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", _collect(errors))
        if role is not None:
            people[role] = server.user(role)
            sign_in(page, server, people[role])
        for shown in (s for s in PAGES if s.role == role):
            path = shown.path.format(email=people[role].email if role else "")
            answer = page.goto(f"{server.url}{path}")
            assert answer is not None
            if shown.then is not None:
                shown.then(page)
            else:
                assert answer.status == shown.status, (role, path, answer.status)
            where = f"{role or 'signed out'}: {path}" + (f" ({shown.label})" if shown.label else "")
            problems += axe_problems(page, where)
        # The policy blocks nothing of ours (a 4xx page's own status line is no fault).
        assert [e for e in errors if "status of 4" not in e] == [], (role, errors)
        context.close()
    assert not problems, "accessibility violations:\n" + "\n".join(problems)


def test_the_keyboard_reaches_everything_in_order_and_signs_in(
    browser: Browser, server: LiveServer
) -> None:
    admin = server.user("admin")
    server.user("sales")  # rows with buttons on the admin page
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/sign-in?next=/admin/users")
    stops = tab_walk(page)
    assert [stop.name for stop in stops] == [
        "Skip to the content", "Offerwright", "E-mail address", "Password", "Sign in",
    ]  # fmt: skip
    assert all(stop.focus_visible for stop in stops), stops
    # Completed and sent with the keyboard only.
    page.goto(f"{server.url}/sign-in?next=/admin/users")
    assert page.evaluate("() => document.activeElement.id") == "f-email"  # autofocus
    page.keyboard.type(admin.email)
    page.keyboard.press("Tab")
    page.keyboard.type(admin.password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/admin/users")
    assert_accessible(page, "admin: /admin/users (after a keyboard sign-in)")
    # The admin page: every link, button and field, once each, in document order.
    stops = tab_walk(page)
    assert [stop.index for stop in stops] == list(range(focusable_count(page))), stops
    assert all(stop.focus_visible for stop in stops), [s for s in stops if not s.focus_visible]
    names = [stop.name for stop in stops]
    assert names[:2] == ["Skip to the content", "Offerwright"]
    assert "Sign out" in names and "Create account" in names
    assert any(name.startswith("Disable") for name in names)
    context.close()


def test_the_harness_reports_what_axe_finds(browser: Browser) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.set_content('<html><body><main><input type="text"><img src="x.png"></main></body>')
    problems = axe_problems(page, "a bad page")
    context.close()
    assert any("[critical] label:" in line and "(input)" in line for line in problems), problems
    assert any("image-alt" in line for line in problems), problems
