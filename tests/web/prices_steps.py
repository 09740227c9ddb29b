"""Steps on the price-book pages shared by the browser tests: an export downloaded with the
page's session, one cell changed with openpyxl, the sheet uploaded through the form."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import Page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def edited(data: bytes, code: str, level: str, band: int, cells: dict[str, Any]) -> bytes:
    """The workbook with ``cells`` (column letter -> value) set on the row of ``code``,
    ``level`` and ``band``."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["Prices"]
    line = next(
        row[0].row
        for row in sheet.iter_rows(min_row=2)
        if (row[0].value, row[6].value, row[8].value) == (code, level, band)
    )
    for column, value in cells.items():
        sheet[f"{column}{line}"] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(page: Page, data: bytes, name: str = "prices.xlsx") -> None:
    """The sheet chosen in the book page's form and previewed."""
    page.get_by_label("Edited sheet (XLSX or CSV)").set_input_files(
        files=[{"name": name, "mimeType": XLSX, "buffer": data}]
    )
    page.get_by_role("button", name="Preview the import").click()
    page.wait_for_load_state()


def upload_edited(page: Page, cells: dict[str, Any]) -> None:
    """On a book's page: its XLSX export (with the page's session), ``cells`` set on
    CMP-VM-LNX's gold band 1 row, uploaded and previewed."""
    link = page.get_by_role("link", name="Download XLSX")
    href = link.get_attribute("href")
    assert href is not None
    exported = page.request.get(href if "://" in href else page.url.split("/price-books")[0] + href)
    upload(page, edited(exported.body(), "CMP-VM-LNX", "gold", 1, cells))
