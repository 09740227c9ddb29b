"""A price book as a sheet, pure: the rows of an export, the XLSX and CSV files written from
them and read back, and the plan of an import (every change and every problem, cell by cell).

One row per component (its active version, named in the Version column), service level and
band. The list prices belong to the component and band, not to the service level, so each
list amount appears once per service level: an edit in any one of those rows is the change,
rows left as exported say nothing, and two rows changed to different amounts disagree (a
problem). A component absent from the sheet is left as it is (delete the rows you do not
change). Read-only columns say what the row is about (or, for the effective monthly, what
the list amount makes of it at the exported price): changing one is a problem, never a change.

Amounts never pass through a float on their way out: XLSX cells are written from Decimals as
numbers (formatted with 2 to 6 decimals) and CSV cells as exact text. Spreadsheets hold
numbers as binary doubles, so a number read back from an XLSX is taken at Excel's own 15
significant digits (1234.5650000000001, what a formula may leave, reads as 1234.565).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import ValidationError

from catalog import MAX_QUANTITY, Component, PriceBook, band_order_problem
from pricing import amount_text, cents_text, factor_text, to_cents

SHEET = "Prices"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
MAX_BYTES = 1_048_576  # the API's body limit: a book of 10,000 rows is ~400 KB as XLSX
MAX_UNPACKED_BYTES = 33_554_432  # an XLSX is a zip: its XML stops here (a zip bomb)
MAX_ROWS = 10_000
MAX_AMOUNT = Decimal(1_000_000_000)  # the catalog's 15 digits, 6 of them decimals
_PLACES = Decimal("0.000001")

Field = Literal["up_to", "monthly", "one_time"]
FIELD_NAMES: dict[str, str] = {
    "up_to": "band up to",
    "monthly": "list monthly",
    "one_time": "one-time",
}


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    editable: bool = False
    width: int = 12


COLUMNS: tuple[Column, ...] = (
    Column("code", "Code", width=22),
    Column("version", "Version", width=9),
    Column("name", "Name", width=40),
    Column("unit", "Unit", width=12),
    Column("book", "Price book", width=11),
    Column("currency", "Currency", width=10),
    Column("level", "Service level", width=14),
    Column("factor", "Price factor", width=12),
    Column("band", "Band", width=7),
    Column("up_to", "Band up to", editable=True),
    Column("monthly", "List monthly", editable=True, width=14),
    Column("one_time", "One-time", editable=True, width=14),
    Column("effective", "Effective monthly (read-only)", width=16),
)
TITLES = tuple(column.title for column in COLUMNS)
# The columns a row is about (keys) and the ones that only say what it is (read-only).
READ_ONLY = ("name", "unit", "book", "currency", "factor", "effective")
AMOUNTS = frozenset({"factor", "monthly", "one_time", "effective"})
_LETTERS = "ABCDEFGHIJKLM"
LETTER = {column.key: _LETTERS[index] for index, column in enumerate(COLUMNS)}


@dataclass(frozen=True, slots=True)
class Row:
    """One exported row; amounts exact."""

    code: str
    version: int
    name: str
    unit: str
    book: str
    currency: str
    level: str
    factor: Decimal
    band: int | None  # 1-based; None when the component has no monthly price
    up_to: int | None
    monthly: Decimal | None
    one_time: Decimal | None
    effective: Decimal | None  # list monthly x price factor, rounded by pricing's policy

    def value(self, key: str) -> str | int | Decimal | None:
        value: str | int | Decimal | None = getattr(self, key)
        return value


def _bands(component: Component, book: str) -> list[tuple[int | None, Decimal]]:
    """(up_to, monthly) of each band of ``component``'s price in ``book`` (none: no monthly)."""
    price = component.prices[book]
    if price.tiers is not None:
        return [(band.up_to, band.monthly) for band in price.tiers.bands]
    return [] if price.monthly is None else [(None, price.monthly)]


def effective_monthly(monthly: Decimal, factor: Decimal) -> Decimal:
    """What a monthly list amount sells for at a service level's factor: pricing's rounding
    (half-up to the cent), with no term or sales discount."""
    return Decimal(cents_text(to_cents(monthly * factor)))


def rows_of(components: Iterable[Component], book: PriceBook) -> list[Row]:
    """The export: every component with a price in ``book``, by code, then service level
    as the component lists them, then band."""
    rows = []
    for component in sorted(components, key=lambda item: item.code):
        if book.code not in component.prices:
            continue
        one_time = component.prices[book.code].one_time
        bands: list[tuple[int | None, int | None, Decimal | None]] = [
            (number, up_to, monthly)
            for number, (up_to, monthly) in enumerate(_bands(component, book.code), start=1)
        ] or [(None, None, None)]
        for level in component.service_levels:
            for number, up_to, monthly in bands:
                effective = (
                    None if monthly is None else effective_monthly(monthly, level.price_factor)
                )
                rows.append(
                    Row(
                        component.code,
                        component.version,
                        component.name,
                        str(component.unit),
                        book.code,
                        book.currency,
                        level.name,
                        level.price_factor,
                        number,
                        up_to,
                        monthly,
                        one_time,
                        effective,
                    )
                )
    return rows


# -- writing ------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(row: Row, key: str) -> str:
    value = row.value(key)
    if value is None:
        return ""
    if key == "factor":
        return factor_text(value)  # type: ignore[arg-type]
    if key in AMOUNTS:
        return amount_text(value)  # type: ignore[arg-type]
    text = str(value)
    # A spreadsheet would run a cell starting like a formula (CSV injection): a leading
    # apostrophe keeps it text, and the reader takes it off again.
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(rows: Sequence[Row]) -> bytes:
    """UTF-8 with a byte order mark (Excel reads a CSV without one in the machine's code page,
    so a name with an accent would not survive a round trip), comma separated, exact text."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TITLES)
    for row in rows:
        writer.writerow([_csv_text(row, column.key) for column in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(rows: Sequence[Row], book: PriceBook) -> bytes:
    """One sheet, Prices: a bold frozen header, read-only columns shaded, amounts as numbers
    shown with 2 to 6 decimals, text cells always text (a name starting with "=" is never
    a formula); a second sheet says how to edit it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = SHEET
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    read_only_fill = PatternFill("solid", fgColor="EDEDED")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.title)
        cell.font = bold
        cell.fill = header_fill
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    for line, row in enumerate(rows, start=2):
        for index, column in enumerate(COLUMNS, start=1):
            value = row.value(column.key)
            cell = sheet.cell(row=line, column=index, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text, whatever it starts with
            elif column.key in AMOUNTS:
                cell.number_format = "0.00####" if column.key == "factor" else "#,##0.00####"
            if column.key in READ_ONLY:
                cell.fill = read_only_fill
    sheet.auto_filter.ref = f"A1:{LETTER['effective']}{max(len(rows) + 1, 1)}"
    about = workbook.create_sheet("About")
    for text in (
        f"Price book {book.code} ({book.name}), prices in {book.currency}.",
        "Edit Band up to, List monthly and One-time on the Prices sheet; shaded columns are "
        "read-only.",
        "A list amount belongs to the component and band: it is repeated on the row of each "
        "service level; change it on any one of them.",
        "Rows you delete leave their component as it is. Each changed component becomes a "
        "new draft version, made from the version named in the Version column.",
        "Effective monthly = list monthly x price factor, rounded half-up to the cent.",
    ):
        about.append([text])
    about.column_dimensions["A"].width = 110
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# -- reading ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CellProblem:
    cell: str  # "Prices!K12", or "(file)" for the file as a whole
    message: str
    code: str | None = None  # the component the row is about, when known
    line: int | None = None


class SheetUnreadable(Exception):
    """The file cannot be read as a price sheet at all (not XLSX or CSV, no Prices sheet,
    not the header of an export, too large): every problem that says why."""

    def __init__(self, problems: Sequence[CellProblem]) -> None:
        super().__init__("; ".join(f"{p.cell}: {p.message}" for p in problems))
        self.problems = tuple(problems)


Raw = str | int | float | Decimal | bool | None


@dataclass(frozen=True, slots=True)
class SheetRow:
    line: int  # the row number in the sheet (the header is row 1)
    cells: dict[str, Raw]

    def ref(self, key: str) -> str:
        return f"{SHEET}!{LETTER[key]}{self.line}"


def _refuse(message: str) -> SheetUnreadable:
    return SheetUnreadable([CellProblem("(file)", message)])


def read_sheet(data: bytes, media_type: str) -> list[SheetRow]:
    """The rows of an uploaded sheet (blank rows skipped), its header checked."""
    if len(data) > MAX_BYTES:
        raise _refuse(f"the file is larger than {MAX_BYTES} bytes")
    if media_type == XLSX:
        table = _xlsx_table(data)
    elif media_type in (CSV, "application/csv"):
        table = _csv_table(data)
    else:
        raise _refuse(f"send the sheet as {XLSX} or {CSV}, not {media_type or 'nothing'}")
    return _rows(table)


def _rows(table: Iterable[tuple[Raw, ...]]) -> list[SheetRow]:
    rows: list[SheetRow] = []
    lines = iter(table)
    header = next(lines, None)
    if header is None:
        raise _refuse("the sheet is empty: it needs the header row of an export")
    found = [str(value).strip() if value is not None else "" for value in header]
    found += [""] * (len(TITLES) - len(found))
    wrong = [
        CellProblem(f"{SHEET}!{_LETTERS[index]}1", f"expected the header {title!r}, not {seen!r}")
        for index, (title, seen) in enumerate(zip(TITLES, found, strict=False))
        if title.lower() != seen.lower()
    ]
    if wrong:
        raise SheetUnreadable(wrong)
    for line, values in enumerate(lines, start=2):
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in values):
            continue
        if len(rows) == MAX_ROWS:
            raise _refuse(f"the sheet has more than {MAX_ROWS} rows")
        padded = tuple(values) + (None,) * (len(COLUMNS) - len(values))
        rows.append(SheetRow(line, {c.key: padded[i] for i, c in enumerate(COLUMNS)}))
    return rows


def _xlsx_table(data: bytes) -> Iterable[tuple[Raw, ...]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _refuse(f"not an XLSX workbook: {error}") from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise _refuse(f"the workbook unpacks to more than {MAX_UNPACKED_BYTES} bytes")
    try:
        return _xlsx_rows(data)
    except SheetUnreadable:
        raise
    except Exception as error:  # openpyxl (and defusedxml, on an entity) raise many kinds
        raise _refuse(f"not an XLSX workbook openpyxl can read: {error}") from error


def _xlsx_rows(data: bytes) -> list[tuple[Raw, ...]]:
    from openpyxl import load_workbook

    # Values, not formulas: a cell the user computed reads as the value it last showed. Read
    # only: the sheet's XML is parsed as its rows are read (defusedxml refusing entities).
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if SHEET not in workbook.sheetnames:
            raise _refuse(f"the workbook has no sheet named {SHEET!r}")
        table: list[tuple[Raw, ...]] = []
        filled = 0
        for values in workbook[SHEET].iter_rows(values_only=True, max_col=len(COLUMNS)):
            table.append(tuple(_xlsx_value(value) for value in values))
            filled += any(value is not None for value in values)
            if filled > MAX_ROWS + 1:
                break  # the header and one row too many: _rows says so, no need to read on
        return table
    finally:
        workbook.close()


def _xlsx_value(value: object) -> Raw:
    if value is None or isinstance(value, str | int | float | Decimal | bool):
        return value
    return str(value)  # a date or a time someone typed: text, reported as not a number


def _csv_table(data: bytes) -> Iterable[tuple[Raw, ...]]:
    try:
        text = data.decode("utf-8-sig")  # with or without the byte order mark
    except UnicodeDecodeError as error:
        raise _refuse(f"the CSV is not UTF-8 text: {error.reason} at byte {error.start}") from error
    if "\x00" in text:
        raise _refuse("the CSV holds a NUL character")
    first = text.split("\n", 1)[0]
    # Excel in a country with a decimal comma saves with semicolons.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return [
            tuple(_csv_value(cell) for cell in row)
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as error:
        raise _refuse(f"the CSV cannot be read: {error}") from error


def _csv_value(cell: str) -> Raw:
    if cell.startswith("'") and cell[1:].startswith(_FORMULA_START):
        return cell[1:]
    return cell if cell.strip() else None


# -- cell values --------------------------------------------------------------------------


class _Bad(ValueError):
    pass


def _text(raw: Raw) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, float):
        return _from_float(raw).to_eng_string()
    text = str(raw).strip()
    return text or None


def _from_float(value: float) -> Decimal:
    # A spreadsheet's number is a double: read it at Excel's 15 significant digits.
    return Decimal(format(value, ".15g"))


def decimal_of(raw: Raw) -> Decimal | None:
    """A cell as an exact decimal (None when blank); _Bad saying why it is not one."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise _Bad("not a number")
    if isinstance(raw, float):
        value = _from_float(raw)
    elif isinstance(raw, int | Decimal):
        value = Decimal(raw)
    else:
        text = raw.strip()
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            hint = " (use a point as the decimal separator)" if "," in text else ""
            raise _Bad(f"not a number{hint}: {text!r}") from None
    if not value.is_finite():
        raise _Bad(f"not a number: {value}")
    return value


def _amount(raw: Raw) -> Decimal | None:
    value = decimal_of(raw)
    if value is None:
        return None
    if value < 0:
        raise _Bad(f"must not be negative, not {amount_text(value)}")
    if value >= MAX_AMOUNT:
        raise _Bad(f"must be below {MAX_AMOUNT:,}")
    if value != value.quantize(_PLACES):
        raise _Bad(f"at most 6 decimal places, not {value}")
    return value


def _whole(raw: Raw, low: int, high: int) -> int | None:
    value = decimal_of(raw)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise _Bad(f"must be a whole number, not {value}")
    if not low <= value <= high:
        raise _Bad(f"must be between {low} and {high}, not {value}")
    return int(value)


# -- the plan of an import ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """One value an import changes: the component's list amount of a band (every service
    level's row shows it), a band's end, or the component's one-time amount."""

    code: str
    version: int  # the version exported, which the new draft is made from
    field: Field
    band: int | None
    before: str | None  # exact text: "165.00", "50", or None (open-ended band)
    after: str | None
    service_levels: tuple[str, ...] = ()  # the rows that said it
    cells: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    changes: tuple[Change, ...]
    problems: tuple[CellProblem, ...]
    notes: tuple[str, ...] = ()  # worth knowing, never in the way (a newer draft exists)

    @property
    def components(self) -> tuple[str, ...]:
        """The components that get a new draft version, by code."""
        return tuple(sorted({change.code for change in self.changes}))


def _shown(field_: Field, value: Decimal | int | None) -> str | None:
    if value is None:
        return None
    return str(value) if field_ == "up_to" else amount_text(value)  # type: ignore[arg-type]


def _exported(component: Component, book: PriceBook) -> dict[tuple[Field, int | None], str | None]:
    values: dict[tuple[Field, int | None], str | None] = {
        ("one_time", None): _shown("one_time", component.prices[book.code].one_time)
    }
    for number, (up_to, monthly) in enumerate(_bands(component, book.code), start=1):
        values[("up_to", number)] = _shown("up_to", up_to)
        values[("monthly", number)] = _shown("monthly", monthly)
    return values


@dataclass
class _Said:
    cells: list[tuple[str, str, str | None]] = field(default_factory=list)  # ref, level, value


def plan_import(rows: Sequence[SheetRow], book: PriceBook, active: Mapping[str, Component]) -> Plan:
    """Every change the rows make to the ``active`` components' prices in ``book``, and
    every problem, cell by cell (a sheet with any problem is never imported: the changes
    of the rows that are right are listed for the preview all the same)."""
    problems: list[CellProblem] = []
    said: dict[tuple[str, Field, int | None], _Said] = defaultdict(_Said)
    for row in rows:
        problems.extend(_read_row(row, book, active, said))
    changes: list[Change] = []
    for (code, field_, band), what in said.items():
        component = active[code]
        before = _exported(component, book)[(field_, band)]
        changed = {value for _, _, value in what.cells if value != before}
        name = FIELD_NAMES[field_]
        if len(changed) > 1:
            listing = ", ".join(
                f"{ref} says {value or 'nothing'}"
                for ref, _, value in what.cells
                if value != before
            )
            first = next(ref for ref, _, value in what.cells if value != before)
            problems.append(
                CellProblem(
                    first, f"{name}: duplicated rows disagree ({listing})", code, line_of(first)
                )
            )
            continue
        if not changed:
            continue
        (after,) = changed
        if (before is None) != (after is None):
            ref = next(ref for ref, _, value in what.cells if value == after)
            message = (
                "an open-ended band stays open-ended and a bounded band needs an end"
                if field_ == "up_to"
                else "a price cannot be added or removed here: edit the component"
            )
            problems.append(CellProblem(ref, f"{name}: {message}", code, line_of(ref)))
            continue
        levels = tuple(dict.fromkeys(level for _, level, value in what.cells if value == after))
        cells = tuple(ref for ref, _, value in what.cells if value == after)
        changes.append(Change(code, component.version, field_, band, before, after, levels, cells))
    changes.sort(key=lambda c: (c.code, c.band or 0, list(FIELD_NAMES).index(c.field)))
    problems.extend(_band_order(changes, active, book, said))
    problems.sort(key=lambda p: (p.line or 0, p.cell))
    return Plan(tuple(changes), tuple(problems))


def line_of(ref: str) -> int | None:
    digits = "".join(ch for ch in ref.rsplit("!", 1)[-1] if ch.isdigit())
    return int(digits) if digits else None


def _read_row(
    row: SheetRow,
    book: PriceBook,
    active: Mapping[str, Component],
    said: dict[tuple[str, Field, int | None], _Said],
) -> list[CellProblem]:
    found: list[CellProblem] = []
    cells = row.cells

    def problem(key: str, message: str, code: str | None = None) -> None:
        title = next(column.title for column in COLUMNS if column.key == key)
        found.append(CellProblem(row.ref(key), f"{title.lower()}: {message}", code, row.line))

    code = _text(cells["code"])
    if code is None:
        problem("code", "required")
        return found
    component = active.get(code)
    if component is None:
        problem("code", f"no component {code!r} with an active version in this catalog", code)
        return found
    if book.code not in component.prices:
        problem("code", f"{code} has no price in price book {book.code}", code)
        return found
    try:
        version = _whole(cells["version"], 1, 1_000_000)
    except _Bad as error:
        problem("version", str(error), code)
        return found
    if version != component.version:
        problem(
            "version",
            f"version {version or 'blank'} is not the active one (version "
            f"{component.version} is): export the price book again",
            code,
        )
        return found
    level_name = _text(cells["level"])
    level = next((lv for lv in component.service_levels if lv.name == level_name), None)
    if level is None:
        known = ", ".join(lv.name for lv in component.service_levels)
        problem("level", f"{code} has no service level {level_name!r} (it has {known})", code)
        return found
    bands = _bands(component, book.code)
    try:
        band = _whole(cells["band"], 1, max(len(bands), 1))
    except _Bad as error:
        problem("band", f"{code} has {len(bands)} band(s): {error}", code)
        return found
    if (band is None) != (not bands):
        problem(
            "band", "required" if bands else f"{code} has no monthly price in {book.code}", code
        )
        return found
    # What the row only shows, as exported: changing it is a problem, never a change.
    monthly = bands[band - 1][1] if band is not None else None
    effective = None if monthly is None else effective_monthly(monthly, level.price_factor)
    shown: dict[str, object] = {
        "name": component.name,
        "unit": str(component.unit),
        "book": book.code,
        "currency": book.currency,
        "factor": level.price_factor,
        "effective": effective,
    }
    for key in READ_ONLY:
        raw, expected = cells[key], shown[key]
        if key in AMOUNTS:
            try:
                same = decimal_of(raw) == expected
            except _Bad:
                same = False
        else:
            same = _text(raw) == expected
        if same:
            continue
        if key == "currency":
            problem(key, f"price book {book.code} is in {book.currency}, not {_text(raw)}", code)
        elif key == "book":
            problem(
                key, f"this sheet is imported into price book {book.code}, not {_text(raw)}", code
            )
        else:
            was = amount_text(expected) if isinstance(expected, Decimal) else expected
            problem(key, f"read-only, was {was if was is not None else 'blank'}", code)
    parsed: list[tuple[Field, int | None, str | None]] = []
    try:
        parsed.append(("one_time", None, _shown("one_time", _amount(cells["one_time"]))))
    except _Bad as error:
        problem("one_time", str(error), code)
    if band is not None:
        try:
            parsed.append(("monthly", band, _shown("monthly", _amount(cells["monthly"]))))
        except _Bad as error:
            problem("monthly", str(error), code)
        try:
            parsed.append(("up_to", band, _shown("up_to", _whole(cells["up_to"], 1, MAX_QUANTITY))))
        except _Bad as error:
            problem("up_to", str(error), code)
    elif _text(cells["monthly"]) is not None or _text(cells["up_to"]) is not None:
        key = "monthly" if _text(cells["monthly"]) is not None else "up_to"
        problem(key, f"{code} has no monthly price in {book.code}: leave it blank", code)
    for field_, number, value in parsed:
        said[(code, field_, number)].cells.append((row.ref(field_), level.name, value))
    return found


def _band_order(
    changes: Sequence[Change],
    active: Mapping[str, Component],
    book: PriceBook,
    said: Mapping[tuple[str, Field, int | None], _Said],
) -> list[CellProblem]:
    found = []
    for code in sorted({c.code for c in changes if c.field == "up_to"}):
        up_tos: list[int | None] = [up_to for up_to, _ in _bands(active[code], book.code)]
        for change in changes:
            if change.code == code and change.field == "up_to" and change.band is not None:
                up_tos[change.band - 1] = None if change.after is None else int(change.after)
        wrong = band_order_problem(up_tos)
        if wrong is not None:
            index, message = wrong[0], _order_message(up_tos, wrong)
            cells = said.get((code, "up_to", index + 1)) or said.get((code, "up_to", index))
            ref = cells.cells[0][0] if cells else f"{SHEET}!{LETTER['up_to']}"
            found.append(CellProblem(ref, f"band up to: {message}", code, line_of(ref)))
    return found


def _after(change: Change) -> str | None:
    """A change's new value read as the sheet reads its cell (the change set comes back from
    the preview page, no trusted input); _Bad saying why it is not one."""
    if change.after is None:
        return None
    if change.field == "up_to":
        return _shown("up_to", _whole(change.after, 1, MAX_QUANTITY))
    return _shown(change.field, _amount(change.after))


def _changed(
    component: Component, book: PriceBook, own: Sequence[Change]
) -> tuple[dict[str, object] | None, str | None]:
    """The component's new price document in ``book`` after ``own`` changes, or why not."""
    exported = _exported(component, book)
    document = component.prices[book.code].model_dump(mode="json", exclude_none=True)
    bands = [dict(band) for band in document.get("tiers", {}).get("bands", [])]
    seen: set[tuple[Field, int | None]] = set()
    up_tos: list[int | None] = [up_to for up_to, _ in _bands(component, book.code)]
    for change in own:
        name = FIELD_NAMES[change.field]
        if (change.field, change.band) in seen:
            return None, f"{name} of band {change.band or '-'} is changed twice"
        seen.add((change.field, change.band))
        if exported.get((change.field, change.band), "missing") != change.before:
            return None, f"{name} changed since the preview: preview the sheet again"
        try:
            after = _after(change)
        except _Bad as error:
            return None, f"{name}: {error}"
        if (change.before is None) != (after is None):
            return None, f"{name}: a value cannot be added or removed here: edit the component"
        if change.field == "one_time":
            document["one_time"] = after
        elif bands and change.band is not None:
            key = "monthly" if change.field == "monthly" else "up_to"
            bands[change.band - 1][key] = int(after) if key == "up_to" and after else after
            if key == "up_to":
                up_tos[change.band - 1] = None if after is None else int(after)
        elif change.field == "monthly":
            document["monthly"] = after
    wrong = band_order_problem(up_tos) if bands else None
    if wrong is not None:
        return None, f"band up to: {_order_message(up_tos, wrong)}"
    if bands:
        document["tiers"]["bands"] = [
            {key: value for key, value in band.items() if value is not None} for band in bands
        ]
    prices = {name: item.model_dump(mode="json") for name, item in component.prices.items()}
    try:  # as the catalog checks the draft: a problem here is the change set's, never a 500
        Component.model_validate(
            {**component.model_dump(mode="json", by_alias=True),
             "prices": {**prices, book.code: document}}
        )  # fmt: skip
    except ValidationError as error:
        return None, "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in
                               error.errors()[:3])  # fmt: skip
    return document, None


def _order_message(up_tos: Sequence[int | None], wrong: tuple[int, str]) -> str:
    index, message = wrong  # the catalog counts bands from 0, the sheet from 1
    if index > 0 and up_tos[index] is not None:
        return (
            f"band {index + 1} ends at {up_tos[index]}, not above band {index}'s "
            f"{up_tos[index - 1]}: bands must end in increasing order"
        )
    return message


def new_prices(
    changes: Sequence[Change], book: PriceBook, active: Mapping[str, Component]
) -> tuple[dict[str, dict[str, object]], list[CellProblem]]:
    """The new price in ``book`` of each changed component (as its JSON document), from the
    ``active`` components as they are now; problems where a change no longer applies (the
    version moved on, or the value is no longer what the preview saw) or never could (a
    change set read back from a page is checked as the sheet was: each new value as its cell,
    one change per value, bands in order, the component valid)."""
    problems: list[CellProblem] = []
    prices: dict[str, dict[str, object]] = {}
    by_code: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        by_code[change.code].append(change)
    for code, own in sorted(by_code.items()):
        cell = own[0].cells[0] if own[0].cells else "(changes)"
        component = active.get(code)
        if component is None or book.code not in component.prices:
            problems.append(
                CellProblem(cell, f"{code} has no active version priced in {book.code}", code)
            )
            continue
        if any(change.version != component.version for change in own):
            problems.append(
                CellProblem(
                    cell,
                    f"{code}: version {own[0].version} is no longer the active one "
                    f"(version {component.version} is): export again",
                    code,
                )
            )
            continue
        document, wrong = _changed(component, book, own)
        if document is None:
            problems.append(CellProblem(cell, f"{code}: {wrong}", code, line_of(cell)))
        else:
            prices[code] = document
    return prices, problems
