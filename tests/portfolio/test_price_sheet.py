"""The price sheet, pure: export, edit a cell as a spreadsheet would, read back, and the plan
of the import (every change, every problem with its cell), on XLSX and CSV alike."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from app.portfolio.prices.sheet import (
    CSV,
    MAX_ROWS,
    TITLES,
    XLSX,
    Change,
    Plan,
    Row,
    SheetUnreadable,
    effective_monthly,
    new_prices,
    plan_import,
    read_sheet,
    rows_of,
    write_csv,
    write_xlsx,
)
from catalog import CatalogSnapshot, Component, PriceBook

TIERED = "CMP-VM-LNX"  # three tiered bands in EUR, three service levels
Edit = Callable[[list[Row], PriceBook, dict[str, Any]], bytes]


@pytest.fixture(scope="module")
def book(default_snapshot: CatalogSnapshot) -> PriceBook:
    return next(book for book in default_snapshot.price_books if book.code == "EUR")


@pytest.fixture(scope="module")
def active(default_snapshot: CatalogSnapshot) -> dict[str, Component]:
    return {c.code: c for c in default_snapshot.components if c.status == "active"}


@pytest.fixture(scope="module")
def rows(active: dict[str, Component], book: PriceBook) -> list[Row]:
    return rows_of(active.values(), book)


def _line(rows: list[Row], code: str, level: str | None = None, band: int | None = 1) -> int:
    """The sheet row (header = 1) of a component's row."""
    for index, row in enumerate(rows):
        if row.code == code and (level is None or row.level == level) and row.band == band:
            return index + 2
    raise AssertionError(f"no row for {code} {level} {band}")


def xlsx_edit(rows: list[Row], book: PriceBook, cells: dict[str, Any]) -> bytes:
    """The export, edited with openpyxl as a spreadsheet program would save it."""
    workbook = load_workbook(io.BytesIO(write_xlsx(rows, book)))
    sheet = workbook["Prices"]
    for ref, value in cells.items():
        sheet[ref] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_edit(rows: list[Row], book: PriceBook, cells: dict[str, Any]) -> bytes:
    table = list(csv.reader(io.StringIO(write_csv(rows).decode("utf-8-sig"), newline="")))
    for ref, value in cells.items():
        column = ord(ref[0]) - ord("A")
        table[int(ref[1:]) - 1][column] = "" if value is None else str(value)
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(table)
    return out.getvalue().encode("utf-8-sig")


BACKENDS = [pytest.param(xlsx_edit, XLSX, id="xlsx"), pytest.param(csv_edit, CSV, id="csv")]


def plan_of(
    edit: Edit, media: str, rows: list[Row], book: PriceBook, active: dict[str, Component],
    cells: dict[str, Any],
) -> Plan:  # fmt: skip
    return plan_import(read_sheet(edit(rows, book, cells), media), book, active)


def messages(plan: Plan) -> list[str]:
    return [f"{problem.cell}: {problem.message}" for problem in plan.problems]


# -- export -------------------------------------------------------------------------------


def test_one_row_per_component_service_level_and_band(
    rows: list[Row], active: dict[str, Component]
) -> None:
    tiered = [row for row in rows if row.code == TIERED]
    component = active[TIERED]
    assert len(tiered) == len(component.service_levels) * 3
    assert {row.version for row in tiered} == {component.version}
    gold = [row for row in tiered if row.level == "gold"]
    assert [(row.band, row.up_to, row.monthly) for row in gold] == [
        (1, 50, Decimal("165.00")), (2, 200, Decimal("149.00")), (3, None, Decimal("135.00")),
    ]  # fmt: skip
    assert gold[0].effective == Decimal("222.75")  # 165.00 x 1.35
    assert all(row.one_time == Decimal("290.00") for row in gold)


def test_effective_monthly_rounds_half_up_to_the_cent_exactly() -> None:
    # As a binary double 2.675 is 2.67499999...: a float would round it down.
    assert round(2.675, 2) == 2.67
    assert effective_monthly(Decimal("2.675"), Decimal("1")) == Decimal("2.68")
    assert effective_monthly(Decimal("1234.565"), Decimal("1")) == Decimal("1234.57")
    assert effective_monthly(Decimal("100.005"), Decimal("1.15")) == Decimal("115.01")


def test_the_xlsx_is_styled_for_people(rows: list[Row], book: PriceBook) -> None:
    sheet = load_workbook(io.BytesIO(write_xlsx(rows, book)))["Prices"]
    assert tuple(cell.value for cell in sheet[1]) == TITLES
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["C"].width == 40
    assert sheet["K2"].number_format == "#,##0.00####"
    assert sheet["K2"].data_type == "n"  # a number to compute with, written from a Decimal


def test_text_that_looks_like_a_formula_stays_text(
    active: dict[str, Component], book: PriceBook
) -> None:
    sly = active[TIERED].model_copy(update={"name": '=HYPERLINK("x")'})
    rows = rows_of([sly], book)
    sheet = load_workbook(io.BytesIO(write_xlsx(rows, book)))["Prices"]
    assert sheet["C2"].data_type == "s"
    written = next(csv.reader(io.StringIO(write_csv(rows).decode("utf-8-sig").splitlines()[1])))
    assert written[2] == '\'=HYPERLINK("x")'
    for data, media in ((write_xlsx(rows, book), XLSX), (write_csv(rows), CSV)):
        plan = plan_import(read_sheet(data, media), book, {TIERED: sly})
        assert plan.problems == () and plan.changes == ()


def test_csv_is_utf8_with_a_byte_order_mark(rows: list[Row]) -> None:
    data = write_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0].split(",") == list(TITLES)


# -- round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize(("edit", "media"), BACKENDS)
def test_an_unchanged_export_changes_nothing(
    edit: Edit, media: str, rows: list[Row], book: PriceBook, active: dict[str, Component]
) -> None:
    plan = plan_of(edit, media, rows, book, active, {})
    assert plan.problems == ()
    assert plan.changes == ()


@pytest.mark.parametrize(("edit", "media"), BACKENDS)
def test_one_changed_cell_is_exactly_one_change(
    edit: Edit, media: str, rows: list[Row], book: PriceBook, active: dict[str, Component]
) -> None:
    line = _line(rows, TIERED, "silver", 2)
    plan = plan_of(edit, media, rows, book, active, {f"K{line}": "151.25"})
    assert plan.problems == ()
    assert plan.changes == (
        Change(TIERED, active[TIERED].version, "monthly", 2, "149.00", "151.25", ("silver",),
               (f"Prices!K{line}",)),
    )  # fmt: skip
    assert plan.components == (TIERED,)
    prices, problems = new_prices(plan.changes, book, active)
    assert problems == []
    bands = prices[TIERED]["tiers"]["bands"]  # type: ignore[index]
    assert bands[1] == {"up_to": 200, "monthly": "151.25"}
    assert Component.model_validate(
        {**active[TIERED].model_dump(mode="json"), "prices": {"EUR": prices[TIERED]}}
    ).prices["EUR"].tiers.bands[1].monthly == Decimal("151.25")  # type: ignore[union-attr]


@pytest.mark.parametrize(("edit", "media"), BACKENDS)
def test_amounts_keep_every_decimal(
    edit: Edit, media: str, rows: list[Row], book: PriceBook, active: dict[str, Component]
) -> None:
    line = _line(rows, TIERED, "bronze", 1)
    # A number typed in (or a float with a formula's noise) reads at Excel's 15 digits.
    for typed in (Decimal("1234.565"), 1234.565, 1234.5650000000001):
        plan = plan_of(edit, media, rows, book, active, {f"K{line}": typed})
        assert [(c.before, c.after) for c in plan.changes] == [("165.00", "1234.565")]
    plan = plan_of(edit, media, rows, book, active, {f"L{line}": "0.123456"})
    assert [(c.field, c.after) for c in plan.changes] == [("one_time", "0.123456")]


@pytest.mark.parametrize(("edit", "media"), BACKENDS)
def test_band_ends_change_and_keep_their_order(
    edit: Edit, media: str, rows: list[Row], book: PriceBook, active: dict[str, Component]
) -> None:
    line = _line(rows, TIERED, "gold", 1)
    plan = plan_of(edit, media, rows, book, active, {f"J{line}": 40})
    assert [(c.field, c.band, c.before, c.after) for c in plan.changes] == [
        ("up_to", 1, "50", "40")
    ]
    plan = plan_of(edit, media, rows, book, active, {f"J{line}": 250})
    assert messages(plan) == [
        f"Prices!J{_line(rows, TIERED, 'bronze', 2)}: band up to: band 2 ends at 200, not "
        "above band 1's 250: bands must end in increasing order"
    ]


# -- problems, cell by cell ---------------------------------------------------------------


@pytest.mark.parametrize(("edit", "media"), BACKENDS)
def test_every_problem_names_its_cell(
    edit: Edit, media: str, rows: list[Row], book: PriceBook, active: dict[str, Component]
) -> None:
    bronze = _line(rows, TIERED, "bronze", 1)
    silver = _line(rows, TIERED, "silver", 1)
    gold = _line(rows, TIERED, "gold", 1)
    gold2 = _line(rows, TIERED, "gold", 2)
    gold3 = _line(rows, TIERED, "gold", 3)
    other = _line(rows, "BKP-MANAGED", None, 1)
    version = active[TIERED].version
    plan = plan_of(edit, media, rows, book, active, {
        f"K{bronze}": "12,50",  # not a number
        f"K{silver}": "170.00", f"K{gold}": "171.00",  # duplicated rows disagree
        f"C{gold2}": "Renamed",  # a read-only column
        f"L{gold2}": "-5",  # negative
        f"F{gold3}": "USD",  # currency mismatch
        f"M{gold3}": "1.00",  # the effective monthly is read-only
        f"B{other}": version + 7,  # not the active version
    })  # fmt: skip
    assert messages(plan) == [
        f"Prices!B{other}: version: version {version + 7} is not the active one (version "
        f"{active['BKP-MANAGED'].version} is): export the price book again",
        f"Prices!K{bronze}: list monthly: not a number (use a point as the decimal "
        "separator): '12,50'",
        f"Prices!K{silver}: list monthly: duplicated rows disagree (Prices!K{silver} says "
        f"170.00, Prices!K{gold} says 171.00)",
        f"Prices!C{gold2}: name: read-only, was {active[TIERED].name}",
        f"Prices!L{gold2}: one-time: must not be negative, not -5.00",
        f"Prices!F{gold3}: currency: price book EUR is in EUR, not USD",
        f"Prices!M{gold3}: effective monthly (read-only): read-only, was 182.25",
    ]
    assert {problem.code for problem in plan.problems} == {TIERED, "BKP-MANAGED"}


@pytest.mark.parametrize(("edit", "media"), BACKENDS)
def test_unknown_components_levels_and_bands(
    edit: Edit, media: str, rows: list[Row], book: PriceBook, active: dict[str, Component]
) -> None:
    first, second, third = (_line(rows, TIERED, level, 1) for level in ("bronze", "silver", "gold"))
    plan = plan_of(edit, media, rows, book, active, {
        f"A{first}": "CMP-NOPE", f"G{second}": "platinum", f"I{third}": 4,
    })  # fmt: skip
    assert messages(plan) == [
        f"Prices!A{first}: code: no component 'CMP-NOPE' with an active version in this catalog",
        f"Prices!G{second}: service level: {TIERED} has no service level 'platinum' (it has "
        "bronze, silver, gold)",
        f"Prices!I{third}: band: {TIERED} has 3 band(s): must be between 1 and 3, not 4",
    ]


@pytest.mark.parametrize(("edit", "media"), BACKENDS)
def test_a_price_cannot_be_added_or_removed(
    edit: Edit, media: str, rows: list[Row], book: PriceBook, active: dict[str, Component]
) -> None:
    line = _line(rows, TIERED, "bronze", 1)
    plan = plan_of(edit, media, rows, book, active, {f"L{line}": None})
    assert messages(plan) == [
        f"Prices!L{line}: one-time: a price cannot be added or removed here: edit the component"
    ]


def test_the_header_must_be_an_exports(rows: list[Row], book: PriceBook) -> None:
    data = xlsx_edit(rows, book, {"K1": "Price"})
    with pytest.raises(SheetUnreadable) as raised:
        read_sheet(data, XLSX)
    assert [(p.cell, p.message) for p in raised.value.problems] == [
        ("Prices!K1", "expected the header 'List monthly', not 'Price'")
    ]


def test_files_that_are_no_sheet_are_refused(rows: list[Row], book: PriceBook) -> None:
    def refusal(data: bytes, media: str) -> str:
        with pytest.raises(SheetUnreadable) as raised:
            read_sheet(data, media)
        return raised.value.problems[0].message

    assert refusal(b"PK not a zip", XLSX).startswith("not an XLSX workbook")
    assert refusal(b"\xff\xfe\x00", CSV).startswith("the CSV is not UTF-8 text")
    assert refusal(b"", CSV).startswith("the sheet is empty")
    assert refusal(write_csv(rows), "application/pdf").startswith("send the sheet as")
    assert refusal(b"x" * 1_048_577, CSV) == "the file is larger than 1048576 bytes"
    renamed = load_workbook(io.BytesIO(write_xlsx(rows, book)))
    renamed["Prices"].title = "Sheet1"
    out = io.BytesIO()
    renamed.save(out)
    assert refusal(out.getvalue(), XLSX) == "the workbook has no sheet named 'Prices'"
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 40_000_000)
    assert refusal(bomb.getvalue(), XLSX).startswith("the workbook unpacks to more than")


def _with_sheet_xml(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(item, content)
    return out.getvalue()


def test_entities_and_damaged_xml_are_refused_not_expanded(
    rows: list[Row], book: PriceBook
) -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    for change in (
        lambda xml: laughs + xml.replace(b"<t>Code</t>", b"<t>&lol2;</t>"),
        lambda xml: xml[: len(xml) // 2],
    ):
        with pytest.raises(SheetUnreadable) as raised:
            read_sheet(_with_sheet_xml(write_xlsx(rows, book), change), XLSX)
        assert raised.value.problems[0].message.startswith("not an XLSX workbook openpyxl can")


def test_too_many_rows(rows: list[Row]) -> None:
    header, first = write_csv(rows).decode("utf-8-sig").split("\r\n")[:2]
    data = ("\r\n".join([header] + [first] * (MAX_ROWS + 1)) + "\r\n").encode()
    with pytest.raises(SheetUnreadable) as raised:
        read_sheet(data, CSV)
    assert raised.value.problems[0].message == f"the sheet has more than {MAX_ROWS} rows"


def test_semicolons_and_deleted_rows(
    rows: list[Row], book: PriceBook, active: dict[str, Component]
) -> None:
    # Excel with a decimal comma saves semicolons; rows deleted leave their component be.
    kept = [row for row in rows if row.code == TIERED and row.level == "gold"]
    table = list(csv.reader(io.StringIO(write_csv(kept).decode("utf-8-sig"), newline="")))
    table[1][10] = "160.00"
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";").writerows(table)
    plan = plan_import(read_sheet(out.getvalue().encode(), CSV), book, active)
    assert [(c.code, c.band, c.after) for c in plan.changes] == [(TIERED, 1, "160.00")]


def test_a_change_that_no_longer_applies(
    rows: list[Row], book: PriceBook, active: dict[str, Component]
) -> None:
    line = _line(rows, TIERED, "gold", 1)
    plan = plan_of(xlsx_edit, XLSX, rows, book, active, {f"K{line}": "170"})
    moved = {**active, TIERED: active[TIERED].model_copy(update={"version": 99})}
    prices, problems = new_prices(plan.changes, book, moved)
    assert prices == {}
    assert [p.message for p in problems] == [
        f"{TIERED}: version {active[TIERED].version} is no longer the active one (version 99 "
        "is): export again"
    ]


def _tampered(field: str, band: int | None, before: str | None, after: str | None) -> Change:
    return Change(TIERED, 1, field, band, before, after, (), ("Prices!K2",))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ([_tampered("up_to", 1, "50", "J4")], "band up to: not a number: 'J4'"),
        ([_tampered("monthly", 1, "165.00", "1E+12")], "list monthly: must be below"),
        ([_tampered("monthly", 1, "165.00", "NaN")], "list monthly: not a number: NaN"),
        ([_tampered("monthly", 1, "165.00", "-5")], "list monthly: must not be negative"),
        ([_tampered("monthly", 1, "165.00", "1.0000001")], "at most 6 decimal places"),
        (
            [_tampered("up_to", 1, "50", "300")],
            "band up to: band 2 ends at 200, not above band 1's 300",
        ),
        ([_tampered("up_to", 2, "200", None)], "a value cannot be added or removed"),
        ([_tampered("one_time", None, "290.00", None)], "a value cannot be added or removed"),
        (
            [_tampered("monthly", 1, "165.00", "96.00"), _tampered("monthly", 1, "165.00", "97")],
            "list monthly of band 1 is changed twice",
        ),
    ],
)
def test_a_change_sets_new_values_are_checked_as_the_sheets_cells(
    book: PriceBook, active: dict[str, Component], changes: list[Change], says: str
) -> None:
    """The change set comes back from the preview page: a new value no sheet cell could
    have held, a band out of order or two values for one cell is a problem, not a draft."""
    prices, problems = new_prices(changes, book, active)
    assert prices == {}
    assert len(problems) == 1 and says in problems[0].message, problems
    assert problems[0].code == TIERED


def test_a_change_sets_new_values_are_read_as_the_sheet_reads_them(
    book: PriceBook, active: dict[str, Component]
) -> None:
    prices, problems = new_prices([_tampered("monthly", 1, "165.00", "96")], book, active)
    assert problems == []
    assert prices[TIERED]["tiers"]["bands"][0] == {"up_to": 50, "monthly": "96.00"}  # type: ignore[index]
