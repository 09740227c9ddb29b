"""The frozen proposal revision as a versioned model: revisions stored before it existed
(tests/fixtures/revisions, schema version 1 without the field) read, write back byte for
byte, hash, show and render exactly as they did; a later schema version is refused; and
what is stored is made from the model, so a change of the API's JSON cannot reach it."""

from __future__ import annotations

import copy
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from pypdf import PdfReader
from sqlalchemy import select

from app.configurator.request import ConfigurationRequest, Need
from app.configurator.solve import configure
from app.delivery import service as delivery
from app.documents.pdf import render_pdf
from app.documents.rendered import Pdf
from app.kit.representation import represent
from app.models import Proposal, ProposalEvent, ProposalRevision, WorkPackage
from app.proposals import documents as proposal_documents
from app.proposals import packages as work_packages
from app.proposals import service as proposals
from app.proposals import views
from app.proposals.content import freeze
from app.proposals.revision import (
    SCHEMA_VERSION,
    FrozenRevision,
    PricedBundle,
    UnsupportedRevision,
    content_hash,
    read_revision,
)
from app.quoting import views as quoting_views
from app.quoting.configurations import service as configurations
from catalog.snapshot import CatalogSnapshot
from pricing.guardrails import check_guardrails
from tests.conftest import Keys
from tests.support.pdfs import fetch_pdf

FIXTURES = Path(__file__).parent.parent / "fixtures" / "revisions"
CASES = sorted(path.stem for path in FIXTURES.glob("*.json") if "." not in path.stem)
STORED = sorted(FIXTURES.glob("*.stored.json"))


def _record(case: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((FIXTURES / f"{case}.json").read_text())
    return record


def _stored(case: str, revision: int) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        (FIXTURES / f"{case}.r{revision}.stored.json").read_text()
    )
    return document


def _key(fingerprint: str, data: dict[str, Any]) -> str:
    """A document's cache key as ``app.documents.pdf.content_key`` makes it, with the
    template fingerprint the fixture was rendered with."""
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(f"{fingerprint}\n{text}".encode()).hexdigest()


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


# -- stored documents: read, write back, hash ------------------------------------------------


@pytest.mark.parametrize("path", STORED, ids=lambda path: path.name)
def test_a_stored_revision_reads_and_writes_back_byte_for_byte(path: Path) -> None:
    text = path.read_text()
    document = json.loads(text)
    assert "schema_version" not in document  # stored before the field existed
    frozen = read_revision(document)
    assert frozen.schema_version == 1
    written = frozen.stored()
    assert written.pop("schema_version") == 1
    assert written == document
    assert json.dumps(written) == text  # as SQLite held it, key order and all
    assert read_revision(frozen.stored()) == frozen  # and the model reads its own document


@pytest.mark.parametrize("path", STORED, ids=lambda path: path.name)
def test_a_stored_revision_hashes_as_it_was_hashed(path: Path) -> None:
    case, revision = path.name.split(".")[0], int(path.name.split(".")[1][1:])
    row = _record(case)["revisions"][revision - 1]
    document = json.loads(path.read_text())
    assert content_hash(document) == row["content_hash"]  # the document as stored
    frozen = read_revision(document)
    assert frozen.content_hash() == row["content_hash"]
    # Stored with its version written down (as revisions are now), it hashes the same.
    assert read_revision(frozen.stored()).content_hash() == row["content_hash"]


def test_amounts_are_decimals_with_the_bundles_currency() -> None:
    frozen = read_revision(_stored("offering_revised", 2))
    line = frozen.internal.lines[0]
    assert isinstance(line.unit_price, Decimal) and line.unit_price == Decimal(
        _stored("offering_revised", 2)["internal"]["lines"][0]["unit_price"]
    )
    assert frozen.public.money(line.monthly).currency == "GBP"
    assert line.cost is not None and line.margin is not None  # kept for roles that see cost
    assert all(line.cost is None and line.margin is None for line in frozen.public.lines)
    assert frozen.public.cost is None and frozen.internal.cost is not None


def test_a_later_schema_version_is_refused_with_a_clear_error() -> None:
    document = {"schema_version": SCHEMA_VERSION + 1, **_stored("accepted", 1)}
    later, known = SCHEMA_VERSION + 1, SCHEMA_VERSION
    with pytest.raises(
        UnsupportedRevision, match=rf"schema version {later}.*reads versions 1 to {known}"
    ):
        read_revision(document)
    with pytest.raises(ValidationError):  # the model itself never takes it either
        FrozenRevision.model_validate(document)
    for version in (0, "1", True, None):
        with pytest.raises(UnsupportedRevision, match="schema_version"):
            read_revision({**_stored("accepted", 1), "schema_version": version})


def test_a_document_that_does_not_write_back_the_same_is_refused() -> None:
    for field, value in [("unit_price", "12.5"), ("unit_price", 12.5), ("monthly", "1e3"),
                         ("colour", "blue")]:  # fmt: skip
        document = _stored("accepted", 1)
        document["public"]["lines"][0][field] = value
        with pytest.raises(ValidationError):
            read_revision(document)
    document = _stored("accepted", 1)
    document["public"]["discount_percent"] = "0.0"  # not how a factor is written
    with pytest.raises(ValidationError, match="is not how a factor is written"):
        read_revision(document)


# -- stored revisions through the API: the same JSON, PDFs and work packages --------------


@dataclass
class Captured:
    documents: list[Any]

    def render_cached(self, database: Any, renderer: Any, session: Any, document: Any,
                      filename: str) -> Pdf:  # fmt: skip
        self.documents.append(document)
        return Pdf(b"%PDF-1.7 not rendered", filename, document.key())

    def stored_pdf(self, session: Any, key: str, filename: str, limits: str) -> Pdf:
        return Pdf(b"%PDF-1.7 not rendered", filename, key)  # as if its job had run


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _store(database: Any, case: str) -> dict[str, Any]:
    """The fixture's rows, as an earlier Offerwright left them in the database."""
    record = _record(case)
    fields = record["proposal"]
    with database.transaction(write=True) as session:
        session.add(Proposal(
            id=fields["id"], number=fields["number"], author=fields["author"],
            author_role=fields["author_role"], customer=fields["customer"],
            customer_name=fields["customer_name"], status=fields["status"],
            revision=fields["revision"], valid_until=date.fromisoformat(fields["valid_until"]),
            created_at=_when(fields["created_at"]),
        ))  # fmt: skip
        session.flush()
        for row in record["revisions"]:
            session.add(ProposalRevision(
                proposal_id=fields["id"], revision=row["revision"], request=row["request"],
                content=_stored(case, row["revision"]), content_hash=row["content_hash"],
                valid_until=date.fromisoformat(row["valid_until"]),
                created_by=row["created_by"], created_at=_when(row["created_at"]),
            ))  # fmt: skip
        for event in record["events"]:
            session.add(ProposalEvent(
                proposal_id=fields["id"], revision=event["revision"], at=_when(event["at"]),
                actor=event["actor"], role=event["role"], from_status=event["from_status"],
                to_status=event["to_status"], comment=event["comment"],
            ))  # fmt: skip
        sold = work_packages.versions_sold(session, ((package["content"]["component"],
                                         package["content"]["version"])
                                        for package in record["work_packages"]))  # fmt: skip
        for package in record["work_packages"]:
            content = package["content"]
            # The load columns as migration 0010 fills them for rows made before it.
            load = work_packages.package_load(sold.get((content["component"], content["version"])),
                                content["quantity"], content["term_months"],
                                date.fromisoformat(content["accepted_on"]))  # fmt: skip
            session.add(WorkPackage(
                id=package["id"], proposal_id=fields["id"], revision=package["revision"],
                line=package["line"], centre=package["centre"], content=content,
                created_at=_when(package["created_at"]), competency=load.competency,
                monthly_hours=load.monthly_hours, one_time_hours=load.one_time_hours,
                starts_on=load.starts_on, ends_on=load.ends_on,
            ))  # fmt: skip
    return record


def _single_option(answer: dict[str, Any]) -> dict[str, Any]:
    bundle = {key: answer[key] for key in ("price_book", "currency", "term_months",
              "discount_percent", "lines", "totals", "guardrails", "availability", "cost",
              "margin") if key in answer}  # fmt: skip
    totals = bundle["totals"]
    option = {"number": 1, "name": "Proposal", **bundle, "bundle_totals": totals}
    breaches = [breach["message"] for breach in answer["guardrails"]["breaches"]]
    return {"options": [option], "differences": [], "add_ons": [], "custom_lines": [],
            "approval_reasons": breaches}  # fmt: skip


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> Captured:
    found = Captured([])
    built = proposal_documents.document_of

    def document_of(*args: Any, **options: Any) -> Any:  # the proposal PDF route's document
        named = built(*args, **options)
        found.documents.append(named.document)
        return named

    monkeypatch.setattr(proposal_documents, "document_of", document_of)
    monkeypatch.setattr(proposal_documents, "stored_pdf", found.stored_pdf)
    monkeypatch.setattr(delivery, "render_cached", found.render_cached)
    return found


@pytest.mark.parametrize("case", CASES)
def test_a_stored_proposal_shows_renders_and_delivers_as_it_did(
    case: str,
    client: TestClient,
    auth: Keys,
    database: Any,
    captured: Captured,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = _store(database, case)
    # Seen on the day it was captured (a proposal past its validity reads as expired).
    monkeypatch.setattr(proposals, "_today", lambda: date.fromisoformat(record["captured_on"]))
    pid = record["proposal"]["id"]
    render = database.engine.dialect.name == "sqlite"  # the text once: the data is the same
    for number, seen in record["views"].items():
        for role in ("sales", "approver"):
            response = client.get(f"/v1/proposals/{pid}", params={"revision": number},
                                  headers=auth(role))  # fmt: skip
            assert response.status_code == 200, response.text
            answer = response.json()
            # Everything it answered then, it answers now; what the answer has gained
            # since (the choices of schema version 2) reads as one bundle and nothing more.
            assert {key: answer[key] for key in seen[role]["body"]} == seen[role]["body"]
            assert {key: answer[key] for key in answer if key not in seen[role]["body"]} == (
                _single_option(answer)
            )
            assert response.headers["ETag"] == represent(answer).etag

        pdf = record["pdfs"][number]
        response = fetch_pdf(client, f"/v1/proposals/{pid}/pdf", params={"revision": number},
                             headers=auth(record["proposal"]["author"]))  # fmt: skip
        assert response.status_code == 200, response.text
        assert response.headers["Content-Disposition"] == pdf["filename"]
        document = captured.documents.pop()
        assert _key(pdf["fingerprint"], document.data()) == pdf["key"]  # the same cache key
        if render:
            assert _pages(render_pdf(document, max_pages=500).pdf) == pdf["text"]

    for package in record["work_packages"]:
        response = client.get(f"/v1/work-packages/{package['id']}", headers=auth("admin"))
        assert response.status_code == 200, response.text
        assert response.json() == package["view"]
        response = client.get(f"/v1/work-packages/{package['id']}/pdf", headers=auth("admin"))
        assert response.status_code == 200, response.text
        assert response.headers["Content-Disposition"] == package["pack"]["filename"]
        document = captured.documents.pop()
        assert _key(package["pack"]["fingerprint"], document.data()) == package["pack"]["key"]
        if render:
            assert _pages(render_pdf(document, max_pages=500).pdf) == package["pack"]["text"]


class _Added:
    """A session that only collects what is added to it."""

    def __init__(self) -> None:
        self.rows: list[Any] = []

    def add(self, row: Any) -> None:
        self.rows.append(row)

    def add_all(self, rows: list[Any]) -> None:
        self.rows.extend(rows)

    def flush(self) -> None:
        pass


def test_work_packages_are_made_from_a_stored_revision_as_they_were(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = _record("accepted")
    packages = record["work_packages"]
    accepted_on = _when(packages[0]["created_at"])
    monkeypatch.setattr(work_packages, "utcnow", lambda: accepted_on)
    # The versions' effort (the packages' load columns) is not what this test compares.
    monkeypatch.setattr(work_packages, "versions_sold", lambda session, keys: {})
    fields = record["proposal"]
    proposal = Proposal(id=fields["id"], number=fields["number"],
                        customer=copy.deepcopy(fields["customer"]))  # fmt: skip
    revision = ProposalRevision(revision=1, content=_stored("accepted", 1))
    session = _Added()
    assert len(work_packages.create_for(session, proposal, revision)) == len(packages)  # type: ignore[arg-type]
    made = [(row.line, row.centre, row.revision, row.content) for row in session.rows]
    assert made == [(p["line"], p["centre"], p["revision"], p["content"]) for p in packages]


# -- what is stored comes from the model, never from the API's JSON ----------------------


@pytest.fixture(scope="module")
def solved(default_snapshot: CatalogSnapshot) -> tuple[Any, ...]:
    request = ConfigurationRequest(
        "EUR", 36, (Need("compute.linux", 8), Need("storage.block", 300)),
        residency=("EU",), discount_percent=Decimal("22.5"),
    )  # fmt: skip
    bundle = configure(default_snapshot, request).bundles[0]
    breaches = check_guardrails(bundle.quote, default_snapshot.price_book("EUR").guardrails,
                                "sales")  # fmt: skip
    assert {breach.kind for breach in breaches} == {"margin_floor", "discount_limit"}
    return bundle, breaches, freeze(default_snapshot, 7, bundle, breaches, None, "optimal")


def test_a_new_revision_is_stored_with_its_version_and_reads_back_the_same(
    solved: tuple[Any, ...],
) -> None:
    frozen: FrozenRevision = solved[2]
    document = frozen.stored()
    assert document["schema_version"] == SCHEMA_VERSION
    again = read_revision(json.loads(json.dumps(document)))
    assert again == frozen and again.stored() == document
    assert again.content_hash() == frozen.content_hash()


def test_the_proposal_shows_a_bundle_as_a_configuration_shows_it(
    solved: tuple[Any, ...],
) -> None:
    # Two writers of one shape: the configuration's answer (quote_view) and the proposal's
    # (made from the frozen model). They must agree, for every role.
    bundle, breaches, frozen = solved
    for show_cost in (False, True):
        shown = views.bundle_view(frozen.bundle(show_cost=show_cost))
        assert shown == configurations.bundle_body(bundle, breaches, show_cost=show_cost)


def test_renaming_a_field_of_the_api_cannot_change_what_is_stored(
    client: TestClient, auth: Keys, database: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def renamed(line_view: Any) -> Any:
        def view(*args: Any, **kwargs: Any) -> dict[str, Any]:
            body: dict[str, Any] = line_view(*args, **kwargs)
            body["price_per_unit"] = body.pop("unit_price")
            return body

        return view

    # The API's JSON of a line, both where a configuration makes it and where a proposal
    # does, renames unit_price.
    monkeypatch.setattr(quoting_views, "line_view", renamed(quoting_views.line_view))
    monkeypatch.setattr(views, "line_view", renamed(views.line_view))
    body = {"customer": {"name": "Rename GmbH", "country": "DE"},
            "request": {"price_book": "EUR", "term_months": 12,
                        "needs": [{"capability": "storage.block", "quantity": 10}]}}  # fmt: skip
    response = client.post("/v1/proposals", json=body, headers=auth("sales"))
    assert response.status_code == 201, response.text
    answer = response.json()
    assert all("price_per_unit" in line and "unit_price" not in line for line in answer["lines"])

    with database.transaction(write=False) as session:
        row = session.scalars(
            select(ProposalRevision).where(ProposalRevision.proposal_id == answer["id"])
        ).one()
        document, content_hash = row.content, row.content_hash
    assert document["schema_version"] == SCHEMA_VERSION
    for bundle in (document["public"], document["internal"]):
        assert all("unit_price" in line and "price_per_unit" not in line
                   for line in bundle["lines"])  # fmt: skip
    frozen = read_revision(document)
    assert frozen.stored() == document and frozen.content_hash() == content_hash
    prices = [line["price_per_unit"] for line in answer["lines"]]
    assert prices == [f"{line.unit_price:.2f}" for line in frozen.public.lines]


def test_the_pdf_never_sees_cost(solved: tuple[Any, ...]) -> None:
    frozen: FrozenRevision = solved[2]
    public: PricedBundle = frozen.public
    assert public.cost is None and public.margin is None
    assert all(line.cost is None for line in public.lines)
    assert all(breach.kind != "margin_floor" or not hasattr(breach, "actual_percent")
               for breach in public.guardrails.breaches)  # fmt: skip
