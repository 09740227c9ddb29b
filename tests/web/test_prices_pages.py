"""The price-book pages without JavaScript: the list, a book's page with its exports, an
uploaded sheet's preview (every change, every problem cell by cell), "Create N draft
versions" (303 back, naming the drafts), a stale apply, roles."""

from __future__ import annotations

import html
import io
import re

import httpx
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from app.models import ComponentHead
from app.portfolio.components import service
from tests.support.database import RolledBackDatabase
from tests.web.pages_client import form_token, make_user, post_form, signed_in

TIERED = "CMP-VM-LNX"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def curator(
    client: TestClient, database: RolledBackDatabase, role: str = "portfolio"
) -> TestClient:
    return signed_in(client, make_user(database, role))


def edited(data: bytes, cells: dict[str, object]) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    for ref, value in cells.items():
        workbook["Prices"][ref] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def line_of(data: bytes, code: str, level: str, band: int) -> int:
    sheet = load_workbook(io.BytesIO(data))["Prices"]
    return next(
        row[0].row
        for row in sheet.iter_rows(min_row=2)
        if (row[0].value, row[6].value, row[8].value) == (code, level, band)
    )


def upload(client: TestClient, data: bytes, name: str = "prices.xlsx") -> httpx.Response:
    return client.post(
        "/price-books/EUR/import",
        data={"csrftoken": form_token(client)},
        files={"sheet": (name, data, XLSX)},
        follow_redirects=False,
    )


def test_the_list_and_a_books_page(client: TestClient, database: RolledBackDatabase) -> None:
    page = curator(client, database).get("/price-books")
    assert page.status_code == 200
    assert '<a href="/price-books/EUR">EUR</a>' in page.text
    assert 'href="/price-books"' in page.text  # the navigation's entry
    assert "<strong>Price books</strong>" in client.get("/").text  # the start page's tile
    book = client.get("/price-books/EUR")
    assert 'href="/price-books/EUR/export?format=xlsx"' in book.text
    assert 'enctype="multipart/form-data"' in book.text
    assert client.get("/price-books/XXX").status_code == 404


def test_exports_from_the_page(client: TestClient, database: RolledBackDatabase) -> None:
    curator(client, database)
    xlsx = client.get("/price-books/EUR/export?format=xlsx")
    assert xlsx.headers["content-type"] == XLSX
    assert "attachment" in xlsx.headers["content-disposition"]
    assert load_workbook(io.BytesIO(xlsx.content))["Prices"]["A1"].value == "Code"
    csv = client.get("/price-books/EUR/export?format=csv")
    assert csv.content.startswith(b"\xef\xbb\xbfCode,")


def test_upload_preview_apply_and_the_drafts(
    client: TestClient, database: RolledBackDatabase
) -> None:
    curator(client, database)
    exported = client.get("/price-books/EUR/export?format=xlsx").content
    line = line_of(exported, TIERED, "gold", 1)
    preview = upload(client, edited(exported, {f"K{line}": 170}))
    assert preview.status_code == 200, preview.text
    text = preview.text
    assert "1 change to 1 component" in text
    assert f'<th scope="row">{TIERED}</th>' in text and "165.00" in text and "170.00" in text
    assert f"K{line}" in text
    assert "Create 1 draft version</button>" in text
    found = re.search(r'name="changes" value="([^"]+)"', text)
    assert found is not None
    changes = html.unescape(found.group(1))
    done = post_form(client, "/price-books/EUR/apply", {"changes": changes})
    assert done.status_code == 303
    after = client.get(done.headers["location"])
    assert "Created 1 draft version" in after.text
    version = re.search(rf'href="/catalog/components/{TIERED}\?version=(\d+)"', after.text)
    assert version is not None
    with database.transaction(write=False) as session:
        made = service.version_component(session, TIERED, int(version.group(1)))
    assert made.status == "draft"
    assert made.prices["EUR"].tiers.bands[0].monthly == 170  # type: ignore[union-attr]
    # a change set whose before is no longer the catalog's (forged, or the catalog moved)
    assert changes == f"{TIERED} 1 monthly 1 165.00 170.00 K{line}"
    stale = changes.replace(" 165.00 ", " 164.00 ")
    refused = post_form(client, "/price-books/EUR/apply", {"changes": stale})
    assert refused.status_code == 422
    assert "changed since the preview" in refused.text and "nothing was imported" in refused.text


def test_problems_are_listed_cell_by_cell_and_nothing_can_be_applied(
    client: TestClient, database: RolledBackDatabase
) -> None:
    curator(client, database)
    exported = client.get("/price-books/EUR/export?format=xlsx").content
    line = line_of(exported, TIERED, "gold", 1)
    preview = upload(client, edited(exported, {f"K{line}": "lots", f"C{line}": "Renamed"}))
    assert preview.status_code == 422
    assert "2 problems: nothing can be imported" in preview.text
    assert f'<th scope="row">Prices!K{line}</th>' in preview.text
    assert "list monthly: not a number: &#39;lots&#39;" in preview.text
    assert f'<th scope="row">Prices!C{line}</th>' in preview.text
    assert 'name="changes"' not in preview.text
    unreadable = upload(client, b"not a sheet", "prices.csv")
    assert unreadable.status_code == 422
    assert "expected the header" in unreadable.text
    no_file = client.post(
        "/price-books/EUR/import",
        data={"csrftoken": form_token(client)},
        files={"sheet": ("", b"", "application/octet-stream")},
    )
    assert no_file.status_code == 422 and 'id="e-sheet"' in no_file.text
    nonsense = post_form(
        client, "/price-books/EUR/apply", {"changes": "CMP-VM-LNX 1 price 1 1 2 K2"}
    )
    assert nonsense.status_code == 422 and "upload the sheet again" in nonsense.text


def test_roles(client: TestClient, database: RolledBackDatabase) -> None:
    seller = curator(client, database, "sales")
    assert seller.get("/price-books").status_code == 403
    assert seller.get("/price-books/EUR/export").status_code == 403
    assert 'href="/price-books"' not in seller.get("/").text
    client.cookies.clear()
    approver = curator(client, database, "approver")
    book = approver.get("/price-books/EUR")
    assert book.status_code == 200 and 'enctype="multipart/form-data"' not in book.text
    assert upload(approver, b"x").status_code == 403


def test_uploads_no_form_of_ours_sends_are_refused_not_failed(
    client: TestClient, database: RolledBackDatabase
) -> None:
    curator(client, database)
    fields = {"csrftoken": form_token(client), **{f"extra{n}": "x" for n in range(6)}}
    too_many = client.post("/price-books/EUR/import", data=fields,
                           files={"sheet": ("a.csv", b"x", "text/csv")})  # fmt: skip
    assert too_many.status_code == 400
    text_field = {"csrftoken": form_token(client), "sheet": "not a file"}
    as_text = client.post("/price-books/EUR/import", data=text_field,
                          files={"other": ("a.csv", b"x", "text/csv")})  # fmt: skip
    assert as_text.status_code == 422 and 'id="e-sheet"' in as_text.text
    elsewhere = client.post("/price-books/XXX/import", data={"csrftoken": form_token(client)},
                            files={"sheet": ("a.csv", b"x", "text/csv")})  # fmt: skip
    assert elsewhere.status_code == 404


def test_a_tampered_change_set_is_refused_with_its_problem_never_a_500(
    client: TestClient, database: RolledBackDatabase
) -> None:
    """The change set is no trusted input: every new value is checked as the sheet's cell
    would be, on the page as in the API (a 422 naming the problem, no draft made)."""
    curator(client, database)
    with database.transaction(write=False) as session:
        latest = session.get(ComponentHead, TIERED).latest_version  # type: ignore[union-attr]
    for changes, says in [
        (f"{TIERED} 1 up_to 1 50 J4 J2", "not a number: &#39;J4&#39;"),
        (f"{TIERED} 1 monthly 1 165.00 1E+12 K2", "must be below"),
        (f"{TIERED} 1 monthly 1 165.00 NaN K2", "not a number: NaN"),
        (f"{TIERED} 1 up_to 1 50 300 J2", "band 2 ends at 200, not above band 1&#39;s 300"),
        (f"{TIERED} 1 up_to 2 200 - J3", "cannot be added or removed"),
        (f"{TIERED} 1 monthly 1 165.00 96.00 K2;{TIERED} 1 monthly 1 165.00 97.00 K2",
         "changed twice"),
    ]:  # fmt: skip
        refused = post_form(client, "/price-books/EUR/apply", {"changes": changes})
        assert refused.status_code == 422, changes
        assert says in refused.text and "nothing was imported" in refused.text, changes
    with database.transaction(write=False) as session:  # no draft made
        assert session.get(ComponentHead, TIERED).latest_version == latest  # type: ignore[union-attr]


def test_numbers_that_are_digits_only_to_unicode_are_no_numbers(
    client: TestClient, database: RolledBackDatabase
) -> None:
    curator(client, database)
    assert client.get("/price-books/EUR?drafts=A:²").status_code == 200
    nonsense = post_form(
        client, "/price-books/EUR/apply", {"changes": f"{TIERED} ² monthly 1 1 2 K2"}
    )
    assert nonsense.status_code == 422 and "upload the sheet again" in nonsense.text
