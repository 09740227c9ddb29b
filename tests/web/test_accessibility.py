"""Accessibility in a real browser: axe-core on every page as each role sees it (no serious
or critical violation), and the keyboard alone reaching everything in document order with
a visible focus, completing the sign-in form. One live server for the module; one browser
context per role. Areas add their pages to ``PAGES``."""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from sqlalchemy import select, update

from app.auth import Principal
from app.cli import DEMO_REQUEST
from app.models import ComponentHead, Proposal, WorkPackage
from app.portfolio.components import service as components
from app.web.selling import views
from tests.support.live_server import LiveServer, live_server
from tests.web.accessibility import assert_accessible, axe_problems, focusable_count, tab_walk
from tests.web.conftest import sign_in
from tests.web.prices_steps import upload_edited
from tests.web.workspace_steps import proposal_body

DEMO = views.query(views.needs_of(DEMO_REQUEST))
# Both service desks turned down: a conflict, with the one-click repairs.
CONFLICT = f"{DEMO}&rejected=SD-L1-247&rejected=SD-L1-BUS"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The module's live server, answering a PDF not rendered yet at once with its
    "being prepared" page (no wait for the render), so that page is seen for sure."""
    before = os.environ.get("OFFERWRIGHT_PDF_WAIT_SECONDS")
    os.environ["OFFERWRIGHT_PDF_WAIT_SECONDS"] = "0"
    try:
        with live_server(tmp_path_factory.mktemp("a11y")) as running:
            yield running
    finally:
        if before is None:
            del os.environ["OFFERWRIGHT_PDF_WAIT_SECONDS"]
        else:
            os.environ["OFFERWRIGHT_PDF_WAIT_SECONDS"] = before


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


def _submit(page: Page, button: str) -> None:
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").first.is_visible()


def _share(page: Page) -> None:  # the link's URL shown this once
    page.get_by_role("button", name="Create a share link").click()
    expect(page.get_by_label(re.compile("The customer's link"))).to_be_visible()


EDIT = "/catalog/components/CMP-VM-LNX/versions/2/edit"


def _save_blank(page: Page) -> None:
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_role("button", name="Save draft").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").first.is_visible()


def _preview(page: Page) -> None:
    page.get_by_role("button", name="Preview documents").first.click()
    page.wait_for_load_state()
    expect(page.locator("#preview-doc_statement_of_work h2").first).to_be_visible()


def _save_stale(page: Page) -> None:  # as if opened before the last change
    page.evaluate("() => { document.querySelector('input[name=etag]').value = '\"stale\"';"
                  " document.querySelector('input[name=seen]').value = '0'; }")  # fmt: skip
    page.get_by_role("button", name="Save draft").first.click()
    page.wait_for_load_state()
    expect(page.locator("#conflict")).to_contain_text("since you opened it")


def _import_broken(page: Page) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("components/compute/CMP-BAD.yaml", "code: bad code\nversion: 0\n")
    page.locator("#f-catalog").set_input_files(
        files=[{"name": "catalog.zip", "mimeType": "application/zip", "buffer": buffer.getvalue()}]
    )
    page.get_by_role("button", name="Check and import").click()
    page.wait_for_load_state()
    expect(page.locator(".problems li").first).to_be_visible()


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
    # Selling: the needs, the options, good/better/best, the proposal form.
    Shown("sales", "/configure"),
    Shown("sales", "/configure", lambda p: _submit(p, "Show options"), 422, "blank, sent"),
    Shown("sales", f"/configure?{DEMO}", label="the demo request"),
    Shown("sales", f"/configure/options?{DEMO}&chosen=SD-L1-247"),  # forced and impossible
    Shown("sales", f"/configure/options?{CONFLICT}"),  # the conflict and its repairs
    Shown("sales", f"/configure/compare?{DEMO}"),
    Shown("sales", f"/configure/compare?{CONFLICT}", status=422),
    Shown("sales", f"/configure/proposal?{DEMO}&option=1"),
    Shown(
        "sales",
        f"/configure/proposal?{DEMO}&option=1",
        lambda p: _submit(p, "Create proposal"),
        422,
        "sent blank",
    ),
    # The workspace: the list, a proposal in each state, a diff, the preview and the PDF.
    Shown("sales", "/proposals/{draft}/pdf?revision=1", status=202),  # being prepared
    Shown("sales", "/proposals"),
    Shown("sales", "/proposals?status=draft&customer=Acme"),
    Shown("sales", "/proposals/{draft}"),
    Shown("sales", "/proposals/{pending}"),  # its broken guardrail
    Shown("sales", "/proposals/{approved}", _share, label="shared"),
    Shown("sales", "/proposals/{draft}/diff?from=1&to=2"),
    Shown("sales", "/proposals/{draft}/preview"),
    Shown("sales", "/proposals/999999", status=404),
    Shown("approver", "/approvals"),  # with the pending one
    Shown("approver", "/proposals/{pending}"),
    Shown("approver", "/configure", status=403),
    # The catalog browser: the search (and a wrong filter), a component as the portfolio, sales
    # and a delivery centre see it, its history and a diff (data: _catalog_draft).
    Shown("portfolio", "/catalog"),
    Shown("portfolio", "/catalog?q=linux&layer=infrastructure"),
    Shown("portfolio", "/catalog?layer=clouds", status=422),
    Shown("portfolio", "/catalog/components/MON-SYNTHETIC?version=2"),  # the draft, with cost
    Shown("portfolio", "/catalog/components/MON-SYNTHETIC/history"),
    Shown("portfolio", "/catalog/components/MON-SYNTHETIC/diff?from=1&to=2"),
    Shown("sales", "/catalog?family=backup"),
    Shown("sales", "/catalog/components/CMP-VM-LNX"),
    Shown("sales", "/catalog/components/MON-SYNTHETIC?version=2", status=404),
    Shown("delivery", "/catalog/components/COL-M365"),  # not its delivery description
    # Price books: the list, a book, an upload's preview with a change and with problems.
    Shown("portfolio", "/price-books"),
    Shown("portfolio", "/price-books/EUR"),
    Shown(
        "portfolio", "/price-books/EUR", lambda p: upload_edited(p, {"K": 170}), label="a change"
    ),
    Shown(
        "portfolio",
        "/price-books/EUR",
        lambda p: upload_edited(p, {"K": "lots", "C": "X"}),
        label="problems",
    ),
    Shown(
        "portfolio",
        "/price-books/EUR",
        lambda p: _submit(p, "Preview the import"),
        422,
        "no file chosen",
    ),
    Shown("approver", "/price-books/EUR"),  # export only
    # Insights: the overview and each pillar (with the set-up's proposals: charts drawn),
    # for an approver and portfolio; a refused filter (its error next to the field).
    Shown("approver", "/insights"),
    Shown("approver", "/insights/go-to-market"),
    Shown("approver", "/insights/portfolio"),
    Shown("approver", "/insights/delivery"),
    Shown("portfolio", "/insights"),
    Shown("portfolio", "/insights/portfolio?price_book=EUR&family=compute"),
    Shown("portfolio", "/insights/go-to-market?since=2026-02-30", status=422, label="bad date"),
    # Lifecycle: a draft's impact as portfolio sees it (EUR re-priced), the confirmation a
    # retirement that would strand the open proposals asks for, a version in review as an
    # approver sees it (assure, return to draft).
    Shown("portfolio", "/catalog/components/CMP-KVM-NODE/versions/2/lifecycle"),
    Shown("portfolio", "/catalog/components/CMP-KVM-NODE/versions/1/lifecycle",
          lambda p: _submit(p, "Retire"), 409, "the retire confirmation"),
    Shown("approver", "/catalog/components/SD-L1-BUS/versions/2/lifecycle"),
    # Curation: a draft's edit form, with errors, previewed, after a stale save; a new
    # component; the assurance queue; the import, with problems (data: _curation).
    Shown("portfolio", EDIT),
    Shown("portfolio", EDIT, _save_blank, 422, "a name left blank"),
    Shown("portfolio", EDIT, _preview, label="previewed"),
    Shown("portfolio", EDIT, _save_stale, 412, "changed since opened"),
    Shown("portfolio", "/catalog/new"),
    Shown("portfolio", "/catalog/import"),
    Shown("portfolio", "/catalog/import", _import_broken, 422, "a zip with problems"),
    Shown("approver", "/assurance"),
    Shown("sales", "/assurance", status=403),
    # Delivery: the centre's page (its load overbooked this month, a waiting proposal that
    # would overbook it), a package, a bad window; an admin's picker; another role refused.
    Shown("delivery", "/delivery/CZ-BRN", label="overbooked, a proposal would overbook"),
    Shown("delivery", "/delivery/work-packages/{package}/pdf", status=202),  # being prepared
    Shown("delivery", "/delivery/work-packages/{package}"),
    Shown("delivery", "/delivery/CZ-BRN?since=2026-13&months=99", status=422),
    Shown("delivery", "/delivery/DE-FRA", status=404),  # another centre's
    Shown("admin", "/delivery"),
    Shown("admin", "/delivery/ES-MAD", label="nothing delivered yet"),
    Shown("sales", "/delivery", status=403),
]  # fmt: skip


def _curation(server: LiveServer) -> None:
    """A draft of CMP-VM-LNX to edit and CMP-VM-WIN's next version in review, by a
    portfolio manager (once per server)."""
    author = Principal("portfolio.manager@example.com", "portfolio")
    with server.database.transaction(write=True) as session:
        head = session.get(ComponentHead, "CMP-VM-LNX")
        if head is None or head.latest_version > 1:
            return
        components.new_draft(session, author, "CMP-VM-LNX", 1)
        components.new_draft(session, author, "CMP-VM-WIN", 1)
        components.transition(session, author, "CMP-VM-WIN", 2, "in_review", None)


def _proposals(server: LiveServer, seller: str) -> dict[str, int]:
    """A draft revised once, one waiting for approval (its discount over the limit) and an
    approved one, made through the API with a sales key and handed to ``seller``."""
    headers = {"Authorization": f"Bearer {server.key('sales')}"}

    def call(path: str, body: dict[str, Any], etag: str | None = None) -> httpx.Response:
        sent = headers | ({"If-Match": etag} if etag else {})
        answer = httpx.post(f"{server.url}/v1/proposals{path}", json=body, headers=sent,
                            timeout=60)  # fmt: skip
        answer.raise_for_status()
        return answer

    discounts = {"draft": "15", "pending": "15", "approved": "5"}
    made = {name: call("", proposal_body(discount=off)) for name, off in discounts.items()}
    ids = {name: int(answer.json()["id"]) for name, answer in made.items()}
    changed = {**DEMO_REQUEST, "needs": [{**DEMO_REQUEST["needs"][0], "quantity": 24},
                                         *DEMO_REQUEST["needs"][1:]]}  # fmt: skip
    call(f"/{ids['draft']}/revisions", {"request": changed})
    for name in ("pending", "approved"):
        call(f"/{ids[name]}/transition", {"to": "submitted"}, made[name].headers["ETag"])
    with server.database.transaction(write=True) as session:
        session.execute(update(Proposal).where(Proposal.id.in_(ids.values())).values(author=seller))
    _lifecycle_versions(server)
    return ids


def _deliveries(server: LiveServer) -> dict[str, int]:
    """An accepted proposal (its packages at CZ-BRN and elsewhere), and an accepted package
    that takes CZ-BRN past its capacity this month, so the approved proposal of
    ``_proposals`` would overbook it; answers the id of a CZ-BRN package."""
    headers = {"Authorization": f"Bearer {server.key('sales')}"}
    made = httpx.post(f"{server.url}/v1/proposals", json=proposal_body(discount="5"),
                      headers=headers, timeout=60)  # fmt: skip
    made.raise_for_status()
    path = f"{server.url}/v1/proposals/{made.json()['id']}"
    for to in ("submitted", "sent", "accepted"):
        etag = httpx.get(path, headers=headers, timeout=60).headers["ETag"]
        moved = httpx.post(f"{path}/transition", json={"to": to},
                           headers=headers | {"If-Match": etag}, timeout=60)  # fmt: skip
        moved.raise_for_status()
    with server.database.transaction(write=True) as session:
        package = session.scalars(
            select(WorkPackage).where(WorkPackage.centre == "CZ-BRN").order_by(WorkPackage.id)
        ).first()
        assert package is not None
        if package.line == 99 or session.scalar(
            select(WorkPackage.id).where(WorkPackage.line == 99)
        ):
            return {"package": package.id}  # made for an earlier test of the module
        session.add(WorkPackage(
            proposal_id=package.proposal_id, revision=package.revision, line=99,
            centre="CZ-BRN", content=package.content, competency=package.competency,
            monthly_hours=Decimal(35_000), one_time_hours=Decimal(2_000),
            starts_on=package.starts_on, ends_on=package.ends_on,
        ))  # fmt: skip
        return {"package": package.id}


def _catalog_draft(server: LiveServer) -> None:
    """Version 2 of MON-SYNTHETIC, a draft changing a price, a service level and a line of
    its specification (once per server)."""
    url = f"{server.url}/v1/components/MON-SYNTHETIC"
    headers = {"Authorization": f"Bearer {server.key('portfolio')}"}
    read = httpx.get(url, headers=headers, timeout=60)
    read.raise_for_status()
    if read.json()["latest_version"] > 1:
        return
    text = read.json()["documents"]["specification"].replace("every five minutes",
                                                              "every minute")  # fmt: skip
    patch = {"prices": {"EUR": {"one_time": "999"}}, "documents": {"specification": text}}
    sent = headers | {"If-Match": read.headers["ETag"],
                      "Content-Type": "application/merge-patch+json"}  # fmt: skip
    httpx.patch(url, json=patch, headers=sent, timeout=60).raise_for_status()


def _lifecycle_versions(server: LiveServer) -> None:
    """CMP-KVM-NODE version 2 (a draft, dearer in EUR) and SD-L1-BUS version 2 (in review),
    written by a portfolio key; once (the module's tests share the server)."""
    headers = {"Authorization": f"Bearer {server.key('portfolio')}"}
    for code, steps in (("CMP-KVM-NODE", ()), ("SD-L1-BUS", ("in_review",))):
        path = f"{server.url}/v1/components/{code}"
        seen = httpx.get(path, headers=headers, timeout=60)
        if seen.json()["latest_version"] > 1:
            continue
        eur = {**seen.json()["prices"]["EUR"], "one_time": "999.00"}
        httpx.patch(path, json={"prices": {"EUR": eur}}, timeout=60, headers=headers | {
            "If-Match": seen.headers["ETag"], "Content-Type": "application/merge-patch+json",
        }).raise_for_status()  # fmt: skip
        for to in steps:
            httpx.post(f"{path}/versions/2/transition", json={"to": to}, headers=headers,
                       timeout=60).raise_for_status()  # fmt: skip


def _collect(errors: list[str]) -> Callable[[ConsoleMessage], None]:
    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    return console


def test_every_page_passes_axe_for_each_role(browser: Browser, server: LiveServer) -> None:
    problems: list[str] = []
    roles = dict.fromkeys(shown.role for shown in PAGES)  # in order, once each
    people = {role: server.user(role) for role in roles if role is not None}
    ids = _proposals(server, people["sales"].email) | _deliveries(server)
    _catalog_draft(server)
    _curation(server)
    for role in roles:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", _collect(errors))
        if role is not None:
            sign_in(page, server, people[role])
        for shown in (s for s in PAGES if s.role == role):
            path = shown.path.format(email=people[role].email if role else "", **ids)
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


def test_the_keyboard_alone_asks_for_options_and_includes_a_component(
    browser: Browser, server: LiveServer
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, server, server.user("sales"), next_path="/configure")
    # The needs form: every field and both buttons, in document order, the focus seen.
    stops = tab_walk(page)
    assert [stop.index for stop in stops] == list(range(focusable_count(page))), stops
    assert all(stop.focus_visible for stop in stops), [s for s in stops if not s.focus_visible]
    names = [stop.name for stop in stops]
    fields = ["Capability (need 1)", "Quantity (need 1)", "Variant (need 1)", "Add a need",
              "Price book", "Term (months)", "Availability target (%)", "Monthly budget",
              "Offering", "Prefer", "EU", "Show options"]  # fmt: skip
    assert [name for name in names if name in fields] == fields, names
    # Sent from the keyboard: Enter in a field sends the form (to the options, not to
    # "Add a need", the form's first button).
    page.goto(f"{server.url}/configure?{DEMO}")
    page.get_by_label("Quantity (need 1)").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/configure/options\?"))
    assert "needs-3-capability" not in page.url
    # The options: Include, with Enter; the region says it changed, the focus stays on
    # the row (its Undo), not thrown back to the top of the page.
    page.goto(f"{server.url}/configure/options?{DEMO}")
    region = page.locator("#components")
    assert region.get_attribute("aria-live") == "polite"
    page.get_by_role("link", name="Include SD-L1-247").focus()
    page.keyboard.press("Enter")
    row = page.locator("#c-SD-L1-247")
    expect(row.get_by_role("link", name="Undo SD-L1-247")).to_be_focused()
    expect(page.locator("#c-SD-L1-BUS")).to_contain_text("Impossible")
    assert "chosen=SD-L1-247" in page.url
    assert region.get_attribute("aria-live") == "polite"  # the swapped-in region, too
    page.keyboard.press("Enter")  # Undo: back to Include
    expect(row.get_by_role("link", name="Include SD-L1-247")).to_be_focused()
    # A conflict's repair, with Enter: the focus goes on to the next step.
    page.goto(f"{server.url}/configure/options?{CONFLICT}")
    page.get_by_role("link", name=re.compile("^Repair")).first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Compare good, better and best")).to_be_focused()
    context.close()


# The main pages as each role sees them, on a tablet: nothing wider than the screen (a wide
# table scrolls inside its own .table-box).
TABLET = {
    "sales": ["/", "/configure", f"/configure?{DEMO}", f"/configure/options?{DEMO}",
              f"/configure/options?{CONFLICT}", f"/configure/compare?{DEMO}",
              f"/configure/compare?{CONFLICT}", f"/configure/proposal?{DEMO}&option=1",
              "/proposals", "/proposals/{draft}", "/proposals/{pending}",
              "/proposals/{draft}/diff?from=1&to=2"],
    "approver": ["/approvals", "/proposals/{pending}", "/insights", "/insights/go-to-market",
                 "/insights/portfolio", "/insights/delivery"],
    "admin": ["/admin/users"],
    "portfolio": ["/price-books", "/price-books/EUR",
                  "/catalog/components/CMP-KVM-NODE/versions/2/lifecycle",
                  "/catalog/components/CMP-KVM-NODE/versions/1/lifecycle"],
    "delivery": ["/delivery/CZ-BRN", "/delivery/work-packages/{package}"],
}  # fmt: skip
TABLET.setdefault("portfolio", []).extend([
    "/catalog", "/catalog/components/CMP-VM-LNX", "/catalog/components/MON-SYNTHETIC/history",
    "/catalog/components/MON-SYNTHETIC/diff?from=1&to=2",
])  # fmt: skip
TABLET["portfolio"].extend([EDIT, "/catalog/new", "/catalog/import"])
TABLET["approver"] = [*TABLET["approver"], "/assurance"]


def test_nothing_overflows_a_tablet_screen(browser: Browser, server: LiveServer) -> None:
    people = {role: server.user(role) for role in ("sales", *TABLET)}
    ids = _proposals(server, people["sales"].email) | _deliveries(server)
    _catalog_draft(server)
    _curation(server)
    wide: list[str] = []
    for role, paths in TABLET.items():
        context = browser.new_context(viewport={"width": 768, "height": 1024})
        page = context.new_page()
        sign_in(page, server, people[role])
        for path in paths:
            page.goto(f"{server.url}{path.format(**ids)}")
            width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if width[0] > width[1]:
                culprits = page.evaluate(_TOO_WIDE)
                wide.append(f"{role}: {path}: {width[0]} px > {width[1]} px: {culprits}")
        context.close()
    assert not wide, "\n".join(wide)


# The outermost elements sticking out of the screen (outside a .table-box), to name them.
_TOO_WIDE = """() => [...document.querySelectorAll('body *')].filter(e =>
  e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest('.table-box')
  && !(e.parentElement && e.parentElement.getBoundingClientRect().right > window.innerWidth + 0.5)
).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
  + (e.className ? '.' + String(e.className).split(' ').join('.') : ''))"""
