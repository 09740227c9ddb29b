"""Bulk prices through the API: export (media types), preview, import as drafts all or
nothing, problems cell by cell, permissions. On SQLite and PostgreSQL, rolled back."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from app.auth import Principal
from app.kit.errors import Invalid
from app.portfolio.components.service import add_drafts
from app.portfolio.prices import service
from app.portfolio.prices.sheet import CSV, XLSX
from tests.support.api import Auth, ok
from tests.support.database import RolledBackDatabase
from tests.support.problems import assert_problem

TIERED = "CMP-VM-LNX"


def export(client: TestClient, auth: Auth, **kwargs: Any) -> bytes:
    response = client.get("/v1/price-books/EUR/export", headers=auth("portfolio"), **kwargs)
    assert response.status_code == 200, response.text
    return bytes(response.content)


def edited_xlsx(data: bytes, change: dict[tuple[str, str, int], tuple[str, Any]]) -> bytes:
    """The workbook with cells set, found by (code, service level, band) and column letter."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["Prices"]
    for (code, level, band), (column, value) in change.items():
        line = next(
            row[0].row
            for row in sheet.iter_rows(min_row=2)
            if (row[0].value, row[6].value, row[8].value) == (code, level, band)
        )
        sheet[f"{column}{line}"] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def post(client: TestClient, auth: Auth, path: str, data: bytes, media: str = XLSX,
         role: str = "portfolio") -> Any:  # fmt: skip
    headers = {**auth(role), "Content-Type": media}
    return client.post(f"/v1/price-books/EUR/{path}", headers=headers, content=data)


def component(client: TestClient, auth: Auth, version: int | None = None) -> dict[str, Any]:
    params = {"version": version} if version else {}
    return ok(client.get(f"/v1/components/{TIERED}", headers=auth("portfolio"), params=params))  # type: ignore[no-any-return]


def test_export_answers_the_media_type_asked_for(client: TestClient, auth: Auth) -> None:
    xlsx = client.get("/v1/price-books/EUR/export", headers=auth("portfolio"))
    assert xlsx.headers["content-type"] == XLSX
    assert xlsx.headers["content-disposition"].startswith('attachment; filename="price-book-EUR-')
    assert load_workbook(io.BytesIO(xlsx.content))["Prices"]["A2"].value
    by_accept = client.get(
        "/v1/price-books/EUR/export", headers={**auth("admin"), "Accept": "text/csv"}
    )
    assert by_accept.headers["content-type"].startswith(CSV)
    assert by_accept.content.startswith(b"\xef\xbb\xbfCode,Version,Name")
    by_query = export(client, auth, params={"format": "csv"})
    assert by_query == by_accept.content


def test_export_is_for_curators(client: TestClient, auth: Auth) -> None:
    for role in ("sales", "delivery"):
        response = client.get("/v1/price-books/EUR/export", headers=auth(role))
        assert_problem(response, 403, "forbidden")
    assert_problem(client.get("/v1/price-books/XXX/export", headers=auth("portfolio")), 404)


def test_one_changed_price_previewed_then_imported_as_a_draft(
    client: TestClient, auth: Auth
) -> None:
    before = component(client, auth)
    data = edited_xlsx(export(client, auth), {(TIERED, "silver", 2): ("K", 151.25)})
    preview = ok(post(client, auth, "import/preview", data))
    assert preview["applicable"] is True
    assert preview["problems"] == []
    assert preview["drafts"] == [TIERED]
    assert [(c["code"], c["field"], c["band"], c["before"], c["after"], c["service_levels"])
            for c in preview["changes"]] == [
        (TIERED, "monthly", 2, "149.00", "151.25", ["silver"])
    ]  # fmt: skip
    assert component(client, auth)["latest_version"] == before["latest_version"]  # nothing yet

    made = ok(post(client, auth, "import", data), 201)
    version = before["latest_version"] + 1
    assert made == {
        "book": "EUR",
        "drafts": [{"code": TIERED, "from_version": before["version"], "version": version,
                    "href": f"/v1/components/{TIERED}?version={version}"}],
    }  # fmt: skip
    draft = component(client, auth, version)
    assert draft["status"] == "draft"
    assert draft["author"] == "portfolio"
    assert draft["prices"]["EUR"]["tiers"]["bands"][1]["monthly"] == "151.25"
    assert draft["prices"]["GBP"] == before["prices"]["GBP"]
    assert draft["documents"] == before["documents"]
    assert component(client, auth)["version"] == before["version"]  # the active one stays
    entries = ok(client.get("/v1/audit", headers=auth("admin"), params={"entity_key": TIERED}))[
        "items"
    ]
    assert entries[0]["action"] == "component.update"
    assert entries[0]["comment"] == "prices imported into price book EUR"
    # Previewed again, the sheet says the pending draft already says this: no problem.
    again = ok(post(client, auth, "import/preview", data))
    assert again["problems"] == []
    assert again["notes"] == [
        f"{TIERED} has a draft, version {version}, saying exactly this already: the import "
        "makes no other"
    ]
    assert preview["notes"] == []
    # Imported twice (a retry, a double click), the pending draft is answered: no second one.
    assert ok(post(client, auth, "import", data), 201) == made
    assert component(client, auth)["latest_version"] == version


def test_csv_round_trip(client: TestClient, auth: Auth) -> None:
    text = export(client, auth, params={"format": "csv"}).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text, newline="")))
    line = next(i for i, row in enumerate(table) if row[0] == TIERED and row[11])
    table[line][11] = "299.99"  # one-time
    out = io.StringIO(newline="")
    csv.writer(out).writerows(table)
    made = ok(post(client, auth, "import", out.getvalue().encode("utf-8-sig"), CSV), 201)
    draft = component(client, auth, made["drafts"][0]["version"])
    assert draft["prices"]["EUR"]["one_time"] == "299.99"


def test_problems_are_a_422_listing_each_cell_and_nothing_is_written(
    client: TestClient, auth: Auth
) -> None:
    latest = component(client, auth)["latest_version"]
    data = edited_xlsx(
        export(client, auth),
        {
            (TIERED, "gold", 1): ("K", 170),  # a good change...
            ("BKP-MANAGED", "bronze", 1): ("K", "lots"),  # ... and a bad one elsewhere
        },
    )
    preview = ok(post(client, auth, "import/preview", data))
    assert preview["applicable"] is False
    assert [p["message"] for p in preview["problems"]] == ["list monthly: not a number: 'lots'"]
    assert len(preview["changes"]) == 1
    problem = assert_problem(post(client, auth, "import", data), 422, "validation-error")
    assert problem["errors"] == [
        {"field": "Prices!K2", "message": "list monthly: not a number: 'lots'",
         "record": "BKP-MANAGED", "line": 2}
    ]  # fmt: skip
    assert component(client, auth)["latest_version"] == latest


def test_import_is_for_catalog_writers_and_takes_sheets_only(
    client: TestClient, auth: Auth
) -> None:
    data = export(client, auth)
    for role in ("sales", "approver"):
        assert_problem(post(client, auth, "import", data, role=role), 403, "forbidden")
    assert_problem(post(client, auth, "import", data, "application/json"), 415)
    unreadable = assert_problem(post(client, auth, "import/preview", b"nope"), 422)
    assert unreadable["errors"][0]["field"] == "(file)"
    response = client.post(
        "/v1/price-books/XXX/import/preview",
        headers={**auth("portfolio"), "Content-Type": XLSX},
        content=data,
    )
    assert_problem(response, 404, "not-found")


@pytest.mark.parametrize("path", ["import", "import/preview"])
def test_the_sheet_body_is_size_limited(client: TestClient, auth: Auth, path: str) -> None:
    response = post(client, auth, path, b"x" * 1_048_577, CSV)
    assert_problem(response, 413)


def test_the_contract_declares_the_sheets(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    exported = spec["paths"]["/v1/price-books/{code}/export"]["get"]
    assert set(exported["responses"]["200"]["content"]) == {XLSX, CSV}
    for path in ("/v1/price-books/{code}/import", "/v1/price-books/{code}/import/preview"):
        body = spec["paths"][path]["post"]["requestBody"]["content"]
        assert body[XLSX]["schema"] == {"type": "string", "format": "binary"}
        assert set(body) == {XLSX, CSV}


def test_a_change_set_applies_all_or_nothing(
    client: TestClient, auth: Auth, database: RolledBackDatabase
) -> None:
    """Two components changed; the second's version moved on since the preview: neither
    gets a draft (the page applies a previewed change set this way)."""
    data = edited_xlsx(
        export(client, auth),
        {(TIERED, "gold", 1): ("K", 170), ("BKP-MANAGED", "bronze", 1): ("L", 200)},
    )
    rows = service.read(data, XLSX)
    with database.transaction(write=False) as session:
        _, plan = service.preview(session, "EUR", rows)
    assert plan.components == ("BKP-MANAGED", TIERED)
    stale = [replace(c, version=c.version + 1) if c.code == TIERED else c for c in plan.changes]
    latest = {code: component_at(client, auth, code)["latest_version"] for code in plan.components}
    principal = Principal("portfolio", "portfolio")
    with pytest.raises(Invalid) as raised, database.transaction(write=True) as session:
        service.apply_changes(session, principal, "EUR", stale)
    assert [p.field for p in raised.value.problems] == [plan.changes[-1].cells[0]]
    assert "is no longer the active one" in raised.value.problems[0].message
    for code in plan.components:
        assert component_at(client, auth, code)["latest_version"] == latest[code]
    with database.transaction(write=True) as session:  # as previewed, it applies
        made = service.apply_changes(session, principal, "EUR", plan.changes)
    assert [(d.code, d.version) for d in made] == [
        (code, latest[code] + 1) for code in plan.components
    ]


def component_at(client: TestClient, auth: Auth, code: str) -> dict[str, Any]:
    return ok(client.get(f"/v1/components/{code}", headers=auth("portfolio")))  # type: ignore[no-any-return]


def test_a_pending_draft_is_a_problem_not_a_second_draft(
    client: TestClient, auth: Auth, database: RolledBackDatabase
) -> None:
    """A component has one draft at a time: a sheet changing a component whose latest
    version is a draft saying something else is refused on that component's cell (a second
    draft would make the first's edit page stale and drop its edits on activation)."""
    exported = export(client, auth)
    first = edited_xlsx(exported, {(TIERED, "silver", 2): ("K", 151.25)})
    made = ok(post(client, auth, "import", first), 201)["drafts"][0]["version"]
    other = edited_xlsx(exported, {(TIERED, "gold", 1): ("K", 170)})
    preview = ok(post(client, auth, "import/preview", other))
    assert preview["applicable"] is False
    assert preview["notes"] == []
    (problem,) = preview["problems"]
    assert problem["code"] == TIERED
    assert problem["cell"].startswith("Prices!K")
    assert problem["message"] == (
        f"{TIERED} has a draft, version {made}, pending: finish, submit or delete it first, "
        "or change its prices there"
    )
    refused = post(client, auth, "import", other)
    assert refused.status_code == 422
    assert "draft, version" in refused.text
    assert component_at(client, auth, TIERED)["latest_version"] == made  # nothing written
    # The change set applied directly (the page's second step) is refused the same way.
    rows = service.read(other, XLSX)
    with database.transaction(write=False) as session:
        _, plan = service.preview(session, "EUR", rows)
    with pytest.raises(Invalid) as raised, database.transaction(write=True) as session:
        service.apply_changes(session, Principal("portfolio", "portfolio"), "EUR", plan.changes)
    assert "has a draft, version" in raised.value.problems[0].message
    assert component_at(client, auth, TIERED)["latest_version"] == made
    # add_drafts itself refuses too (a draft made between the check and the write).
    with pytest.raises(Invalid) as raised, database.transaction(write=True) as session:
        add_drafts(session, Principal("portfolio", "portfolio"), [(TIERED, 1, {})], "race")
    assert raised.value.problems[0].record == TIERED
    assert component_at(client, auth, TIERED)["latest_version"] == made
