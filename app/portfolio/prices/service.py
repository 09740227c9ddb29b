"""Bulk prices: a price book exported as a sheet (XLSX or CSV) and imported back, previewed
change by change and problem by problem, then applied all or nothing as one new draft
version per changed component, made from the version exported (``sheet`` is the pure part).

Reading a file is pure and runs before any transaction (``read``); the preview reads the
catalog; the import re-checks every change against the catalog inside its one write
transaction, so a version activated or a draft added since the preview is seen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import Principal
from app.kit.errors import FieldProblem, Invalid, NotFound, UnsupportedMediaType
from app.models import CatalogRecord, ComponentHead, ComponentVersion
from app.portfolio.catalog.store import (
    REGISTRIES,
    active_versions,
    component_document,
    component_of,
    dump,
    same_content,
)
from app.portfolio.components.service import add_drafts
from app.portfolio.prices.sheet import (
    CSV,
    XLSX,
    CellProblem,
    Change,
    Plan,
    SheetRow,
    SheetUnreadable,
    line_of,
    new_prices,
    plan_import,
    read_sheet,
    rows_of,
    write_csv,
    write_xlsx,
)
from catalog import Component, PriceBook

FORMATS = {"xlsx": XLSX, "csv": CSV}


@dataclass(frozen=True, slots=True)
class Export:
    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Drafted:
    code: str
    from_version: int
    version: int


def book_of(session: Session, code: str) -> PriceBook:
    row = session.get(CatalogRecord, ("price_books", code))
    if row is None:
        raise NotFound(f"no price book {code!r}")
    book: PriceBook = REGISTRIES["price_books"].validate(row.content)  # type: ignore[assignment]
    return book


def price_books(session: Session) -> list[PriceBook]:
    rows = session.scalars(
        select(CatalogRecord).where(CatalogRecord.kind == "price_books").order_by(CatalogRecord.key)
    )
    return [REGISTRIES["price_books"].validate(row.content) for row in rows]  # type: ignore[misc]


def _active(session: Session) -> dict[str, Component]:
    return {row.code: component_of(row) for row in active_versions(session)}


def export_book(session: Session, code: str, media_type: str) -> Export:
    """The price book's active prices as an XLSX workbook or a CSV file."""
    book = book_of(session, code)
    rows = rows_of(_active(session).values(), book)
    day = datetime.now(UTC).date().isoformat()
    if media_type == CSV:
        return Export(f"price-book-{book.code}-{day}.csv", CSV, write_csv(rows))
    return Export(f"price-book-{book.code}-{day}.xlsx", XLSX, write_xlsx(rows, book))


def _field_problems(problems: Sequence[CellProblem]) -> list[FieldProblem]:
    return [FieldProblem(p.cell, p.message, p.code, p.line) for p in problems]


def read(data: bytes, media_type: str) -> list[SheetRow]:
    """The rows of an uploaded sheet (pure: run it before any transaction); Invalid saying
    why a file is no price sheet, UnsupportedMediaType for another kind of file."""
    if media_type not in (XLSX, CSV, "application/csv"):
        raise UnsupportedMediaType(f"send the price sheet as {XLSX} or {CSV}")
    try:
        return read_sheet(data, media_type)
    except SheetUnreadable as error:
        raise Invalid(
            "the file cannot be read as a price sheet; nothing was imported",
            _field_problems(error.problems),
        ) from error


def preview(session: Session, code: str, rows: Sequence[SheetRow]) -> tuple[PriceBook, Plan]:
    """Every change the sheet makes and every problem in it, cell by cell."""
    book = book_of(session, code)
    active = _active(session)
    plan = plan_import(rows, book, active)
    prices, late = new_prices(plan.changes, book, active)
    # A change that cannot be made (band order) is a problem too, once the sheet has no other.
    problems = list(plan.problems) if plan.problems else late
    pending, in_the_way = _drafts(session, book, active, plan.changes, prices)
    problems = sorted([*problems, *in_the_way], key=lambda p: (p.line or 0, p.cell))
    notes = _newer_versions(session, plan.components, pending)
    return book, Plan(plan.changes, tuple(problems), notes)


def _drafts(
    session: Session,
    book: PriceBook,
    active: dict[str, Component],
    changes: Sequence[Change],
    prices: dict[str, dict[str, Any]],
) -> tuple[dict[str, int], list[CellProblem]]:
    """The changed components whose latest version is a draft: the draft's version where it
    already says exactly what the import would (the same sheet twice: that draft, no other),
    and a problem for every other one (a component has one draft at a time, and a second
    made beside it would make the first's edits go stale, or be lost on activation)."""
    pending: dict[str, int] = {}
    problems: list[CellProblem] = []
    codes = sorted({change.code for change in changes if change.code in active})
    for component_code in codes:
        head = session.get(ComponentHead, component_code)
        if head is None or head.latest_version == active[component_code].version:
            continue
        status = session.scalar(
            select(ComponentVersion.status).where(
                (ComponentVersion.code == component_code)
                & (ComponentVersion.version == head.latest_version)
            )
        )
        if status != "draft":
            continue
        price = prices.get(component_code)
        same = (
            None if price is None else _pending_draft(session, active[component_code], book, price)
        )
        if same is not None:
            pending[component_code] = same
            continue
        cell = next(
            (c.cells[0] for c in changes if c.code == component_code and c.cells), "(changes)"
        )
        problems.append(
            CellProblem(
                cell,
                f"{component_code} has a draft, version {head.latest_version}, pending: finish, "
                "submit or delete it first, or change its prices there",
                component_code,
                line_of(cell),
            )
        )
    return pending, problems


def _newer_versions(
    session: Session, codes: Sequence[str], pending: dict[str, int]
) -> tuple[str, ...]:
    """A note for each changed component with a version newer than its active one: the
    new draft is made from the version exported and does not carry that version's edits
    (a draft in the way is a problem, not a note, unless it says what the import would)."""
    if not codes:
        return ()
    found = session.execute(
        select(ComponentHead.code, ComponentHead.active_version, ComponentVersion.version,
               ComponentVersion.status)
        .join(ComponentVersion, (ComponentVersion.code == ComponentHead.code)
              & (ComponentVersion.version == ComponentHead.latest_version))
        .where(ComponentHead.code.in_(codes))
        .where(ComponentHead.latest_version != ComponentHead.active_version)
        .order_by(ComponentHead.code)
    )  # fmt: skip
    return tuple(
        f"{code} has a draft, version {latest}, saying exactly this already: the import "
        "makes no other"
        if code in pending
        else f"{code} has version {latest} ({status.replace('_', ' ')}), newer than the version "
        f"{active} exported: the new draft is made from version {active} and does not carry "
        f"version {latest}'s edits"
        for code, active, latest, status in found
        if status != "draft" or code in pending
    )


def import_rows(
    session: Session, principal: Principal, code: str, rows: Sequence[SheetRow]
) -> list[Drafted]:
    """The sheet's changes as new drafts, or Invalid listing every problem cell by cell
    (then nothing is written)."""
    book, plan = preview(session, code, rows)
    if plan.problems:
        raise Invalid(
            f"the sheet has {len(plan.problems)} problem(s); nothing was imported",
            _field_problems(plan.problems),
        )
    return apply_changes(session, principal, book.code, plan.changes)


def apply_changes(
    session: Session, principal: Principal, code: str, changes: Sequence[Change]
) -> list[Drafted]:
    """A previewed change set as new draft versions (one per component, from the version
    exported), after checking each change still applies: all or nothing. A component whose
    latest version is already a draft saying exactly this gets no second one."""
    book = book_of(session, code)
    active = _active(session)
    prices, problems = new_prices(changes, book, active)
    if problems:
        raise Invalid(
            f"{len(problems)} change(s) no longer apply; nothing was imported",
            _field_problems(problems),
        )
    pending, in_the_way = _drafts(session, book, active, changes, prices)
    if in_the_way:
        raise Invalid(
            f"{len(in_the_way)} component(s) have a draft pending; nothing was imported",
            _field_problems(in_the_way),
        )
    drafts = []
    for component_code, price in sorted(prices.items()):
        component = active[component_code]  # new_prices checked it is the version exported
        if component_code not in pending:
            drafts.append((component_code, component.version, _fields(component, book, price)))
    made = add_drafts(session, principal, drafts, f"prices imported into price book {book.code}")
    return sorted(
        [Drafted(c, active[c].version, version) for c, version in pending.items()]
        + [
            Drafted(view.body["code"], version, view.body["version"])
            for view, (_, version, _) in zip(made, drafts, strict=True)
        ],
        key=lambda drafted: drafted.code,
    )


def _fields(component: Component, book: PriceBook, price: dict[str, Any]) -> dict[str, Any]:
    """The fields a new draft of ``component`` replaces: its prices, ``book``'s new."""
    every_book = {name: dump(item) for name, item in component.prices.items()}
    return {"prices": {**every_book, book.code: price}}


def _pending_draft(
    session: Session, source: Component, book: PriceBook, price: dict[str, Any]
) -> int | None:
    """The component's latest version when it is a draft saying exactly what the new draft
    would (the same sheet imported twice, a form posted twice): that draft, not another."""
    head = session.get(ComponentHead, source.code)
    if head is None or head.latest_version == source.version:
        return None
    latest = session.scalar(
        select(ComponentVersion).where(
            (ComponentVersion.code == source.code)
            & (ComponentVersion.version == head.latest_version)
        )
    )
    if latest is None or latest.status != "draft":
        return None
    fields = _fields(source, book, price)
    try:  # new_prices checked the price as the catalog does: never expected to fail
        wanted = Component.model_validate({**dump(source), **fields, "status": "draft"})
    except ValueError:
        return None
    return latest.version if same_content(component_document(wanted), latest.content) else None
