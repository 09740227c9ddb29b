"""The instant HTML preview of a proposal: the PDF's document for a browser, from the same
revision, marked DRAFT until issued, with the documents' Content-Security-Policy and never
stored by a cache; the proposal's visibility; catalog and customer text escaped."""

from __future__ import annotations

import re
import time
from html import unescape
from typing import Any

from fastapi.testclient import TestClient

from app.bootstrap import create_app
from app.kit.security_headers import DOCUMENT_POLICY
from app.kit.settings import Settings
from tests.support.api import ok
from tests.support.factories import PROPOSAL_BODY, PROPOSALS, create_proposal, move_proposal
from tests.support.problems import assert_problem


def preview(client: TestClient, auth: Any, proposal: dict[str, Any], who: str = "sales",
            **params: Any) -> str:  # fmt: skip
    response = client.get(f"{PROPOSALS}/{proposal['id']}/preview", params=params,
                          headers=auth(who))  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["Content-Security-Policy"] == DOCUMENT_POLICY
    assert response.headers["Cache-Control"] == "no-store"
    return response.text


def text_of(html: str) -> str:
    body = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_a_draft_is_previewed_as_the_pdf_shows_it_marked_draft(
    client: TestClient, auth: Any
) -> None:
    proposal = create_proposal(client, auth)
    html = preview(client, auth, proposal)
    text = text_of(html)
    assert '<div class="watermark">DRAFT</div>' in html
    chapters = ("Executive summary", "Your requirements", "Solution overview",
                "Service levels and availability", "Pricing", "Service schedules",
                "Terms and validity", "What happens next")  # fmt: skip
    for said in (proposal["number"], "Acme Logistics GmbH", *chapters):
        assert said in text, said
    for line in proposal["lines"]:
        assert line["name"] in text
    totals = proposal["totals"]
    for key in ("monthly", "one_time", "contract_value"):
        assert f"{float(totals[key]):,.2f} EUR" in text
    assert "margin" not in text.lower()  # never cost or margin (the PDF test has the figures)
    assert "<style>" in html and "@font-face" not in html  # styled inline, fetches nothing
    assert not re.search(r"<(script|link|img|iframe)\b", html)


def test_an_issued_revision_is_previewed_unmarked_and_an_earlier_one_as_superseded(
    client: TestClient, auth: Any
) -> None:
    proposal = create_proposal(client, auth)
    ok(move_proposal(client, auth, proposal, "submitted"))  # within guardrails: approved
    assert 'class="watermark"' not in preview(client, auth, proposal)
    revised = client.post(f"{PROPOSALS}/{proposal['id']}/revisions", json={},
                          headers=auth("sales"))  # fmt: skip
    ok(revised, 201)
    assert '<div class="watermark">SUPERSEDED</div>' in preview(client, auth, proposal,
                                                                revision=1)  # fmt: skip
    assert '<div class="watermark">DRAFT</div>' in preview(client, auth, proposal)


def test_who_may_preview_a_proposal(client: TestClient, auth: Any) -> None:
    auth.add("sales-2", "sales")
    proposal = create_proposal(client, auth)
    url = f"{PROPOSALS}/{proposal['id']}/preview"
    assert_problem(client.get(url, headers=auth("sales-2")), 404)
    assert_problem(client.get(url, headers=auth("delivery")), 403)
    assert_problem(client.get(url, headers=auth("portfolio")), 403)
    assert_problem(client.get(url, params={"revision": 9}, headers=auth("sales")), 404)
    preview(client, auth, proposal, who="approver")


def test_customer_text_is_shown_as_text_never_as_markup(client: TestClient, auth: Any) -> None:
    body = {**PROPOSAL_BODY, "customer": {"name": '<img src="x" onerror="alert(1)">',
                                          "country": "DE"}}  # fmt: skip
    proposal = ok(client.post(PROPOSALS, json=body, headers=auth("sales")), 201)
    html = preview(client, auth, proposal)
    assert "<img" not in html and "&lt;img" in html


class NeverRenders:
    limits = "pages 500"

    def render(self, document: Any) -> Any:
        raise AssertionError("a preview never renders a PDF")


def test_a_preview_is_instant_it_never_waits_for_a_pdf(database: Any, auth: Any) -> None:
    app = create_app(Settings(auth_failures_per_minute=10_000), database,
                     render_pool=NeverRenders())  # fmt: skip
    with TestClient(app) as client:
        proposal = create_proposal(client, auth)
        preview(client, auth, proposal)  # the first one warms the template cache
        started = time.perf_counter()
        preview(client, auth, proposal)
        assert time.perf_counter() - started < 1.0  # a PDF of it takes a second or more


def test_the_preview_is_in_the_contract_with_its_problems(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/v1/proposals/{proposal_id}/preview"]["get"]
    answers = operation["responses"]
    assert set(answers["200"]["content"]) == {"text/html"}
    for status in ("400", "401", "403", "404", "429", "503"):
        assert "application/problem+json" in answers[status]["content"], status
    assert {parameter["name"] for parameter in operation["parameters"]} == {
        "proposal_id", "revision"
    }  # fmt: skip


def test_a_preview_never_shows_cost_or_margin(client: TestClient, auth: Any) -> None:
    proposal = create_proposal(client, auth)
    text = text_of(preview(client, auth, proposal, who="approver"))  # a role that sees cost
    internal = ok(client.get(f"{PROPOSALS}/{proposal['id']}", headers=auth("approver")))

    def shown(value: str) -> str:
        return f"{float(value):,.2f}"

    public = {shown(v) for line in internal["lines"]
              for v in (line["monthly"], line["one_time"], line["unit_price"])}  # fmt: skip
    public |= {shown(v) for k, v in internal["totals"].items() if k != "currency"}
    secret = {shown(internal[part][k]) for part in ("cost", "margin")
              for k in ("monthly", "one_time", "contract_value")}  # fmt: skip
    for line in internal["lines"]:
        secret |= {shown(line[part][k]) for part in ("cost", "margin")
                   for k in ("monthly", "contract_value")}  # fmt: skip
    for figure in secret - public - {"0.00"}:
        assert not re.search(rf"(?<![\d,.]){re.escape(figure)}(?![\d])", text), figure
