"""The proposal PDF: real text with the lines, schedules and totals, never a cost or margin
figure; PDF/A-3b with an outline once issued, watermarked while a draft; the same snapshot
gives the same document; and nothing in the catalog can make the renderer fetch a URL or
read a file."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from app.bootstrap import create_app
from app.documents import pdf as proposal_pdf
from app.documents.render_pool import InlineRenderer
from app.kit.settings import Settings
from tests.support.api import Keys, ok
from tests.support.factories import (
    PROPOSAL_BODY,
    PROPOSALS,
    activate,
    create_proposal,
    latest_etag,
    move_proposal,
    patch_component,
)
from tests.support.pdfs import fetch_pdf
from tests.support.problems import assert_problem


def pdf_of(client: TestClient, auth: Any, proposal: dict[str, Any], who: str = "sales",
           **params: Any) -> bytes:  # fmt: skip
    response = fetch_pdf(client, f"{PROPOSALS}/{proposal['id']}/pdf", params=params,
                         headers=auth(who))  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return response.content


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def is_pdfa_3b(pdf: bytes) -> bool:
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    if "/Metadata" not in root:
        return False
    xmp = root["/Metadata"].get_object().get_data().decode()
    part = re.search(r"pdfaid:part(=\"|>)3", xmp)
    return bool(part and re.search(r"pdfaid:conformance(=\"|>)B", xmp))


def words(text: str) -> str:
    return " ".join(text.split())


def money(value: str) -> str:
    return f"{Decimal(value):,.2f}"


def test_chapters_are_numbered_as_the_contents_list_them(client: TestClient, auth: Any) -> None:
    proposal = create_proposal(client, auth)
    reader = PdfReader(io.BytesIO(pdf_of(client, auth, proposal, draft=True)))
    # Contents lines read "1  Executive summary  3" (number, title, page, or the page on
    # a line of its own): the chapter number each title is listed under.
    contents = reader.pages[1].extract_text()
    listed = {
        title.strip(): int(number)
        for number, title in re.findall(r"^(\d+)[ \xa0]+([A-Za-z][^\d\n]*)", contents, re.M)
    }
    assert sorted(listed.values()) == list(range(1, len(listed) + 1)) and len(listed) >= 5
    headings = {}
    for item in reader.outline:
        if not isinstance(item, list) and item.title in listed:
            page = reader.pages[reader.get_destination_page_number(item)]
            headings[item.title] = " ".join(page.extract_text().split())
    assert headings.keys() == listed.keys()  # every chapter listed is in the outline
    for title, number in listed.items():  # and opens with the number it is listed under
        assert f"{number} {title}" in headings[title], (title, headings[title][:80])


def test_an_issued_proposal_is_an_archivable_pdf_with_everything_but_cost(
    client: TestClient, auth: Any
) -> None:
    proposal = create_proposal(client, auth)
    ok(move_proposal(client, auth, proposal, "submitted"))  # within the guardrails: approved
    pdf = pdf_of(client, auth, proposal)
    reader = PdfReader(io.BytesIO(pdf))
    assert is_pdfa_3b(pdf)
    assert reader.metadata is not None and proposal["number"] in (reader.metadata.title or "")
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert {"Executive summary", "Pricing", "Service schedules", "Terms and validity"} <= {
        re.sub(r"^\d+\s+", "", title) for title in outline
    }
    text = text_of(pdf)
    internal = ok(client.get(f"{PROPOSALS}/{proposal['id']}", headers=auth("approver")))
    for line in internal["lines"]:
        assert words(line["name"]) in text
        assert f"{money(line['monthly'])} EUR" in text
    for key in ("monthly", "one_time", "contract_value"):
        assert f"{money(internal['totals'][key])} EUR" in text
    assert "Contract value over 36 months" in text
    shown = {money(v) for line in internal["lines"] for v in (line["monthly"], line["one_time"],
             line["unit_price"], line["contract_value"])} | {
             money(v) for k, v in internal["totals"].items() if k != "currency"}  # fmt: skip
    secret = {money(internal["cost"][k]) for k in ("monthly", "one_time", "contract_value")}
    secret |= {money(internal["margin"][k]) for k in ("monthly", "one_time", "contract_value")}
    for line in internal["lines"]:
        secret |= {money(line["cost"][k]) for k in ("monthly", "one_time", "contract_value")}
        secret |= {money(line["margin"][k]) for k in ("monthly", "contract_value")}
    for figure in secret - shown - {"0.00"}:
        assert not re.search(rf"(?<![\d,.]){re.escape(figure)}(?![\d])", text), figure
    assert "margin" not in text.lower()


def test_every_schedule_carries_its_statement_of_work(
    client: TestClient, auth: Any, default_snapshot: Any
) -> None:
    proposal = create_proposal(client, auth)
    text = text_of(pdf_of(client, auth, proposal))
    for line in proposal["lines"]:
        sow = default_snapshot.component(line["component"]).documents.statement_of_work
        for item in (*sow.provider_responsibilities, *sow.client_responsibilities):
            plain = re.sub(r"[*_`]", "", item)  # Markdown emphasis is drawn, not written
            assert words(plain)[:60] in text, (line["component"], item)


def test_a_draft_is_watermarked_and_not_pdfa(client: TestClient, auth: Any) -> None:
    proposal = create_proposal(client, auth)
    pdf = pdf_of(client, auth, proposal)
    assert "DRAFT" in text_of(pdf)
    assert not is_pdfa_3b(pdf)
    ok(move_proposal(client, auth, proposal, "submitted"))
    assert "DRAFT" not in text_of(pdf_of(client, auth, proposal))
    assert "DRAFT" in text_of(pdf_of(client, auth, proposal, draft=1))


def test_only_an_approved_revision_is_ever_issued(
    client: TestClient, auth: Any, database: Any
) -> None:
    from datetime import date, timedelta

    from sqlalchemy import update

    from app.models import Proposal

    refused = create_proposal(client, auth, discount_percent="40")
    ok(move_proposal(client, auth, refused, "submitted"))  # waits for an approver who never comes
    approved = create_proposal(client, auth)
    ok(move_proposal(client, auth, approved, "submitted"))
    with database.transaction(write=True) as session:
        session.execute(
            update(Proposal).where(Proposal.id.in_([refused["id"], approved["id"]]))
            .values(valid_until=date.today() - timedelta(days=1))
        )  # fmt: skip
    stale = pdf_of(client, auth, refused)  # expired, never approved: still a draft
    assert "DRAFT" in text_of(stale) and not is_pdfa_3b(stale)
    issued = pdf_of(client, auth, approved)  # expired after approval: it was issued
    assert "DRAFT" not in text_of(issued) and is_pdfa_3b(issued)


def test_the_same_snapshot_is_the_same_document_whatever_the_catalog_does(
    client: TestClient, auth: Any, database: Any
) -> None:
    from sqlalchemy import delete

    from app.models import RenderedDocument

    proposal = create_proposal(client, auth)
    first = fetch_pdf(client, f"{PROPOSALS}/{proposal['id']}/pdf", headers=auth("sales"))
    code = proposal["lines"][0]["component"]
    headers = auth("portfolio")
    changed = patch_component(client, headers, code, {"name": "Renamed after the sale"},
                    latest_etag(client, headers, code))  # fmt: skip
    assert changed.status_code == 200, changed.text
    activate(client, auth, code=code, version=proposal["lines"][0]["version"] + 1)
    again = fetch_pdf(client, f"{PROPOSALS}/{proposal['id']}/pdf", headers=auth("sales"))
    assert again.content == first.content  # served from the cache by content hash
    assert again.headers["ETag"] == first.headers["ETag"]
    with database.transaction(write=True) as session:
        session.execute(delete(RenderedDocument))
    rendered = text_of(pdf_of(client, auth, proposal))
    assert rendered == text_of(first.content)
    assert "Renamed after the sale" not in rendered


class CountingRenderer:
    def __init__(self, *, max_pages: int) -> None:
        self.inner = InlineRenderer(max_pages=max_pages)
        self.limits, self.renders = self.inner.limits, 0

    def render(self, document: Any) -> Any:
        self.renders += 1
        return self.inner.render(document)


def test_a_render_that_failed_on_a_limit_is_answered_from_memory(
    committed_database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proposal over the page cap is rendered (and refused) once: asking again answers
    the remembered problem at once. Other limits render it again. The database really
    commits here, as a request's failure is written in a transaction of its own."""
    auth = Keys(committed_database)
    capped = CountingRenderer(max_pages=1)
    app = create_app(Settings(auth_failures_per_minute=10_000), committed_database,
                     render_pool=capped)  # fmt: skip
    with TestClient(app, raise_server_exceptions=False) as client:
        proposal = create_proposal(client, auth)
        url = f"{PROPOSALS}/{proposal['id']}/pdf"
        first = fetch_pdf(client, url, headers=auth("sales"))
        assert_problem(first, 422, "document-too-large")
        again = client.get(url, headers=auth("sales"))
        problem = assert_problem(again, 422, "document-too-large")
        assert problem["detail"].startswith(first.json()["detail"])
        assert capped.renders == 1
        # A new way of drawing documents (RENDER_VERSION) makes it another document.
        monkeypatch.setattr(proposal_pdf, "RENDER_VERSION", proposal_pdf.RENDER_VERSION + 1)
        proposal_pdf._fingerprint.cache_clear()
        try:
            assert_problem(fetch_pdf(client, url, headers=auth("sales")), 422, "document-too-large")
            assert capped.renders == 2
        finally:
            monkeypatch.undo()
            proposal_pdf._fingerprint.cache_clear()
    roomier = CountingRenderer(max_pages=500)
    app = create_app(Settings(auth_failures_per_minute=10_000), committed_database,
                     render_pool=roomier)  # fmt: skip
    with TestClient(app, raise_server_exceptions=False) as client:
        assert pdf_of(client, auth, proposal).startswith(b"%PDF")
        assert roomier.renders == 1


def test_who_may_read_a_proposal_pdf(client: TestClient, auth: Any) -> None:
    auth.add("sales-2", "sales")
    proposal = create_proposal(client, auth)
    url = f"{PROPOSALS}/{proposal['id']}/pdf"
    assert_problem(client.get(url, headers=auth("sales-2")), 404)
    assert_problem(client.get(url, headers=auth("delivery")), 403)
    assert_problem(client.get(url, headers=auth("portfolio")), 403)
    assert_problem(client.get(f"{PROPOSALS}/{proposal['id']}/pdf", params={"revision": 9},
                              headers=auth("sales")), 404)  # fmt: skip


# -- nothing outside the document is ever fetched ------------------------------------------


class Canary:
    """An HTTP server on loopback that records every request it gets."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                canary.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body { color: red }")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary()
    yield server
    server.close()


SECRET = "canary-3f9d1c7e-never-in-a-pdf"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def vectors(url: str, secret: Path) -> str:
    return "\n\n".join([
        f'<img src="{url}/img.png">',
        f'<link rel="stylesheet" href="{url}/link.css">',
        f'<style>@import url("{url}/import.css"); @font-face {{ font-family: x; '
        f'src: url("{url}/font.ttf") }} body {{ background: url("{url}/bg.png") }}</style>',
        f'<p style="background: url({url}/style.png)">styled</p>',
        f'<svg xmlns="http://www.w3.org/2000/svg"><image href="{url}/svg.png"/></svg>',
        f'<object data="{url}/object.html"></object><embed src="{url}/embed.html">',
        '<link rel="attachment" href="file:///etc/hostname">',
        f'<link rel="attachment" href="file://{secret}"><img src="file://{secret}">',
        f"![markdown image]({url}/markdown.png) and [a link]({url}/link)",
        '<iframe src="file:///etc/passwd"></iframe>',
    ])  # fmt: skip


def test_catalog_text_cannot_make_the_renderer_fetch_or_read_anything(
    client: TestClient, auth: Any, canary: Canary, secret_file: Path
) -> None:
    proposal = create_proposal(client, auth)
    code = proposal["lines"][0]["component"]
    headers = auth("portfolio")
    hostile = {"documents": {"specification": "# Hostile\n\n" + vectors(canary.url, secret_file)}}
    changed = patch_component(client, headers, code, hostile, latest_etag(client, headers, code))
    assert changed.status_code == 200, changed.text
    activate(client, auth, code=code, version=proposal["lines"][0]["version"] + 1)
    evil = {
        **PROPOSAL_BODY,
        "customer": {"name": f'<img src="{canary.url}/customer.png">', "country": "DE"},
    }
    response = client.post(PROPOSALS, json=evil, headers=auth("sales"))
    hostile_proposal = ok(response, 201)
    assert code in {line["component"] for line in hostile_proposal["lines"]}
    pdf = pdf_of(client, auth, hostile_proposal)
    text = text_of(pdf)
    assert canary.requests == []
    assert PdfReader(io.BytesIO(pdf)).attachments == {}  # no file:// attachment
    assert SECRET not in text and SECRET.encode() not in pdf
    assert "<img" in text  # shown as the text it is, never interpreted


def test_the_fetcher_refuses_every_vector_even_in_raw_html(
    canary: Canary, secret_file: Path
) -> None:
    # Defence in depth: if markup ever reached WeasyPrint unescaped, the fetcher is the wall.
    import weasyprint

    from app.documents.fetcher import SCHEME, AssetFetcher

    fetcher = AssetFetcher()
    html = f"<html><head></head><body>{vectors(canary.url, secret_file)}</body></html>"
    document = weasyprint.HTML(string=html, base_url=f"{SCHEME}:/", url_fetcher=fetcher)
    stylesheet = weasyprint.CSS(string=f'@import url("{canary.url}/css-import.css");',
                                url_fetcher=fetcher)  # fmt: skip
    pdf = document.write_pdf(stylesheets=[stylesheet])
    assert canary.requests == []
    assert any(url.startswith(canary.url) for url in fetcher.refused)
    assert any(url.startswith("file:") for url in fetcher.refused)
    assert SECRET.encode() not in pdf and PdfReader(io.BytesIO(pdf)).attachments == {}
    # The vectors are live: WeasyPrint's own fetcher follows them.
    from weasyprint.urls import URLFetcher

    weasyprint.HTML(string=html, url_fetcher=URLFetcher()).write_pdf()
    assert canary.requests
    assert fetcher.fetch(f"{SCHEME}:proposal.css").status == 200
    with pytest.raises(ValueError, match="not a packaged asset"):
        fetcher.fetch(f"{SCHEME}:../../../../etc/hostname")


def test_each_responsibility_is_printed_after_one_bullet(
    client: TestClient, auth: Any, default_snapshot: Any
) -> None:
    proposal = create_proposal(client, auth)
    text = text_of(pdf_of(client, auth, proposal))
    line = proposal["lines"][0]
    sow = default_snapshot.component(line["component"]).documents.statement_of_work
    for item in sow.provider_responsibilities:
        plain = re.sub(r"[*_`]", "", item)
        assert f"• {words(plain)[:60]}" in text, item
    assert not re.search(r"•\s*•", text)  # drawn once: not by CSS as well
