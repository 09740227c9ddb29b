"""The customer's page: the revision as the PDF shows it (facts, summary, solution, service
levels, pricing, schedules), responsive and accessible, with the PDF; never a cost or a
margin, nothing of another proposal; closed links say why (410) and whom to contact,
unknown ones leak nothing (404); each view is recorded, anonymised, after the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.kit.errors import RenderBusy
from app.kit.settings import Settings
from app.models import Proposal, ShareLink, ShareLinkView
from app.proposals.links.service import record_view
from tests.support.api import ok
from tests.support.database import BrokenDatabase
from tests.support.factories import PROPOSALS, create_proposal, move_proposal
from tests.support.jobs import RecordingJobs
from tests.support.share import customer_app, decline, issued_proposal, page_path, share


@pytest.fixture
def client(database: Any, settings: Settings, render_pool: Any) -> Iterator[TestClient]:
    with customer_app(database, settings, render_pool, RecordingJobs()) as client:
        yield client


@pytest.fixture
def shared(client: TestClient, auth: Any) -> tuple[dict[str, Any], str]:
    proposal = issued_proposal(client, auth)
    return proposal, page_path(share(client, auth, proposal)["url"])


class Outline(HTMLParser):
    """The page's landmarks, headings, ids and labelled fields."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.headings: list[int] = []
        self.ids: list[str] = []
        self.labels: set[str] = set()
        self.fields: list[str] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.lang = attributes.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if tag == "label" and attributes.get("for"):
            self.labels.add(str(attributes["for"]))
        if tag in ("input", "textarea", "select") and attributes.get("type") != "hidden":
            self.fields.append(str(attributes.get("id")))


def outline(html: str) -> Outline:
    parsed = Outline()
    parsed.feed(html)
    return parsed


def test_the_page_shows_the_revision_as_the_pdf_does(
    client: TestClient, auth: Any, shared: tuple[dict[str, Any], str]
) -> None:
    proposal, path = shared
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "Acme Logistics GmbH" in text and proposal["number"] in text
    for line in proposal["lines"]:
        assert line["name"] in text and line["component"] in text
    totals = proposal["totals"]
    for amount in (totals["monthly"], totals["contract_value"]):
        assert f"{Decimal(amount):,.2f}\u00a0EUR" in text  # the documents' money format
    parsed = outline(text)
    for section in ("summary", "solution", "service-levels", "pricing", "schedules", "terms",
                    "facts", "contents", "decision", "pdf-download", "accept-form",
                    "decline-form", "accept-button", "decline-button"):  # fmt: skip
        assert section in parsed.ids, section
    assert parsed.tags.count("details") >= 4 + len(proposal["lines"])
    assert f'href="{path}/pdf"' in text


def test_the_page_is_accessible_and_responsive(
    client: TestClient, shared: tuple[dict[str, Any], str]
) -> None:
    _, path = shared
    page = client.get(path)
    parsed = outline(page.text)
    assert parsed.lang == "en"
    assert {"header", "main", "nav", "footer"} <= set(parsed.tags)
    assert parsed.headings[0] == 1 and parsed.headings.count(1) == 1
    # Headings in order: never more than one level deeper than the one before.
    assert all(b - a <= 1 for a, b in zip(parsed.headings, parsed.headings[1:], strict=False))
    assert parsed.fields and all(field in parsed.labels for field in parsed.fields)
    assert len(parsed.ids) == len(set(parsed.ids)), "ids are unique"
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text
    assert 'class="skip-link" href="#main"' in page.text
    css = client.get(re.search(r'<link rel="stylesheet" href="([^"]+)"', page.text)[1])  # type: ignore[index]
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "immutable" in css.headers["cache-control"]
    assert ":focus-visible" in css.text and "@media (min-width" in css.text
    # One script, our own htmx from this site (the page works without it), none inline.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, flags=re.S)
    assert [body for _, body in scripts] == [""]
    assert re.fullmatch(r' src="/p/static/htmx\.min\.js\?v=[0-9a-f]{12}" defer', scripts[0][0])
    assert "http://" not in page.text.replace("http://testserver", "")


def test_the_page_carries_the_security_headers_and_is_never_stored(
    client: TestClient, shared: tuple[dict[str, Any], str]
) -> None:
    page = client.get(shared[1])
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "style-src 'self'" in policy
    assert "form-action 'self'" in policy and "frame-ancestors 'none'" in policy
    # Scripts and fetches from this site only (htmx and the totals it asks for), no inline
    # script, no eval.
    assert "script-src 'self';" in policy and "connect-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    # The token never leaves for another site; the page's own forms name their origin.
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["x-content-type-options"] == "nosniff"


def _figures(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _figures(item)
    elif isinstance(value, list):
        for item in value:
            yield from _figures(item)
    elif isinstance(value, str) and re.fullmatch(r"-?\d+\.\d+", value):
        yield value


def test_no_cost_or_margin_ever_reaches_the_page(
    client: TestClient, auth: Any, shared: tuple[dict[str, Any], str]
) -> None:
    proposal, path = shared
    internal = ok(client.get(f"{PROPOSALS}/{proposal['id']}", headers=auth("approver")))
    public = set(_figures(proposal))
    parts = [internal["cost"], internal["margin"]]
    parts += [line[key] for line in internal["lines"] for key in ("cost", "margin")]
    confidential = {figure for part in parts for figure in _figures(part)} - public
    assert confidential, "the internal view has figures to look for"
    text = client.get(path).text
    for figure in confidential:
        whole, _, cents = figure.lstrip("-").partition(".")
        for shown in (figure, f"{int(whole):,}.{cents}"):
            alone = re.compile(rf"(?<![\d,.]){re.escape(shown)}(?![\d])")
            assert not alone.search(text), f"internal figure {shown} on the customer page"
    assert not re.search(r"\bmargin\b", text, re.I)


def test_nothing_of_another_proposal_is_shown(
    client: TestClient, auth: Any, shared: tuple[dict[str, Any], str]
) -> None:
    _, path = shared
    other = create_proposal(client, auth, customer={"name": "Globex Other Corp", "country": "FR"})
    text = client.get(path).text
    assert "Globex Other Corp" not in text and other["number"] not in text


def test_the_pdf_comes_from_the_same_store_as_the_apis(
    client: TestClient, auth: Any, shared: tuple[dict[str, Any], str]
) -> None:
    proposal, path = shared
    customer = client.get(f"{path}/pdf")
    assert customer.status_code == 200, customer.text
    assert customer.headers["content-type"] == "application/pdf"
    assert customer.headers["cache-control"] == "no-store"
    api = client.get(f"{PROPOSALS}/{proposal['id']}/pdf", headers=auth("sales"))
    assert api.headers["etag"] == customer.headers["etag"]
    assert api.content == customer.content


# -- closed and unknown links ---------------------------------------------------------------


def assert_closed(client: TestClient, path: str, status: int, words: str) -> str:
    page = client.get(path)
    assert page.status_code == status, page.text[:300]
    assert page.headers["cache-control"] == "no-store"
    assert words in page.text, page.text
    assert "accept-form" not in page.text and "EUR" not in page.text
    assert client.get(f"{path}/pdf").status_code == status
    return page.text


def test_a_revoked_link_says_so_and_whom_to_contact(
    client: TestClient, auth: Any, shared: tuple[dict[str, Any], str]
) -> None:
    proposal, path = shared
    ok(client.delete(f"{PROPOSALS}/{proposal['id']}/share-link", headers=auth("sales")))
    text = assert_closed(client, path, 410, "This link has been withdrawn")
    assert "please contact <strong>sales</strong> at Offerwright Managed Services" in text


def test_a_superseded_link_says_so(
    client: TestClient, auth: Any, shared: tuple[dict[str, Any], str]
) -> None:
    proposal, path = shared
    ok(client.post(f"{PROPOSALS}/{proposal['id']}/revisions", json={}, headers=auth("sales")),
       201)  # fmt: skip
    assert_closed(client, path, 410, "replaced by a newer version")


def test_a_withdrawn_proposals_link_says_so(
    client: TestClient, auth: Any, shared: tuple[dict[str, Any], str]
) -> None:
    proposal, path = shared
    ok(move_proposal(client, auth, proposal, "withdrawn"))
    assert_closed(client, path, 410, "has withdrawn proposal")


def test_an_expired_link_says_so(
    client: TestClient, auth: Any, database: Any, shared: tuple[dict[str, Any], str]
) -> None:
    _, path = shared
    with database.transaction(write=True) as session:
        session.execute(update(ShareLink).values(expires_at=datetime.now(UTC) - timedelta(1)))
    assert_closed(client, path, 410, "past its validity")


def test_a_proposal_past_its_validity_closes_its_link(
    client: TestClient, auth: Any, database: Any, shared: tuple[dict[str, Any], str]
) -> None:
    _, path = shared
    with database.transaction(write=True) as session:
        session.execute(update(Proposal).values(valid_until=date.today() - timedelta(days=1)))
    assert_closed(client, path, 410, "past its validity")


def test_a_declined_proposals_link_says_so(
    client: TestClient, shared: tuple[dict[str, Any], str]
) -> None:
    _, path = shared
    assert decline(client, path, "Too expensive").status_code == 303
    assert_closed(client, path, 410, "was declined")


@pytest.mark.parametrize("token", ["x" * 43, "nope", "A" * 200])
def test_an_unknown_link_leaks_nothing(
    client: TestClient, shared: tuple[dict[str, Any], str], token: str
) -> None:
    page = client.get(f"/p/{token}")
    assert page.status_code == 404
    assert "This link is not valid" in page.text
    assert "Acme" not in page.text and "P-" not in page.text and "sales" not in page.text
    assert client.get(f"/p/{token}/pdf").status_code == 404


# -- views -------------------------------------------------------------------------------


def test_every_view_is_recorded_anonymised_and_shown_to_sales(
    client: TestClient, auth: Any, shared: tuple[dict[str, Any], str]
) -> None:
    proposal, path = shared
    agent = "Mozilla/5.0 (X11; Linux x86_64) " + "Gecko " * 60
    for _ in range(3):
        assert client.get(path, headers={"User-Agent": agent}).status_code == 200
    link = ok(client.get(f"{PROPOSALS}/{proposal['id']}/share-link", headers=auth("sales")))
    views = link["views"]
    assert views["count"] == 3 and views["last"] == views["items"][0]["at"]
    assert {view["address"] for view in views["items"]} == {"203.0.113.0/24"}
    assert all(view["user_agent"] == agent[:200] for view in views["items"])
    assert "203.0.113.77" not in str(link)


def test_closed_and_unknown_pages_are_not_views(
    client: TestClient, auth: Any, database: Any, shared: tuple[dict[str, Any], str]
) -> None:
    proposal, path = shared
    ok(client.delete(f"{PROPOSALS}/{proposal['id']}/share-link", headers=auth("sales")))
    client.get(path)
    client.get("/p/unknown-token")
    with database.transaction(write=False) as session:
        assert session.scalars(select(ShareLinkView)).all() == []


def test_a_busy_database_loses_the_view_not_the_page(caplog: pytest.LogCaptureFixture) -> None:
    record_view(BrokenDatabase(), 1, "203.0.113.77", "a browser")  # type: ignore[arg-type]
    assert "was not recorded" in caplog.text


class BusyRenderer:
    limits = "busy"

    def render(self, document: Any) -> Any:
        raise RenderBusy("every renderer is busy", headers={"Retry-After": "2"})


def test_a_pdf_not_rendered_yet_is_a_page_that_asks_again_by_itself(
    database: Any, settings: Settings, auth: Any
) -> None:
    # The request never renders: with every renderer busy, the job waits its turn and the
    # customer reads that the PDF is on its way.
    with customer_app(database, settings, BusyRenderer(), RecordingJobs()) as client:
        proposal = issued_proposal(client, auth)
        path = page_path(share(client, auth, proposal)["url"])
        answer = client.get(f"{path}/pdf")
    assert answer.status_code == 202 and answer.headers["retry-after"] == "2"
    assert answer.headers["refresh"] == "2"
    assert answer.headers["content-type"].startswith("text/html")
    assert "Your PDF is being prepared" in answer.text
