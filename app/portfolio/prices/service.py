"""Bulk prices: a price book exported as a sheet (XLSX or CSV) and imported back, previewed
change by change and problem by problem, then applied all or nothing as one new draft
version per changed component, made from the version exported (``sheet`` is the pure part).

Reading a file is pure and runs before any transaction (``read``); the preview reads the
catalog; the import re-checks every change against the catalog inside its one write
transaction, so a version activated or a draft added since the preview is seen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
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
    if not plan.problems:  # a change that cannot be made (band order) is a problem too
        _, late = new_prices(plan.changes, book, active)
        plan = Plan(plan.changes, tuple(late))
    return book, replace(plan, notes=_newer_versions(session, plan.components))


def _newer_versions(session: Session, codes: Sequence[str]) -> tuple[str, ...]:
    """A note for each changed component with a version newer than its active one: the
    new draft is made from the version exported and does not carry that version's edits."""
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
        f"{code} has version {latest} ({status.replace('_', ' ')}), newer than the version "
        f"{active} exported: the new draft is made from version {active} and does not carry "
        f"version {latest}'s edits"
        for code, active, latest, status in found
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
    drafts, pending = [], []
    for component_code, price in sorted(prices.items()):
        component = active[component_code]  # new_prices checked it is the version exported
        every_book = {name: dump(item) for name, item in component.prices.items()}
        fields = {"prices": {**every_book, book.code: price}}
        same = _pending_draft(session, component, fields)
        if same is not None:
            pending.append(Drafted(component_code, component.version, same))
        else:
            drafts.append((component_code, component.version, fields))
    made = add_drafts(session, principal, drafts, f"prices imported into price book {book.code}")
    return sorted(
        pending
        + [
            Drafted(view.body["code"], version, view.body["version"])
            for view, (_, version, _) in zip(made, drafts, strict=True)
        ],
        key=lambda drafted: drafted.code,
    )


def _pending_draft(session: Session, source: Component, fields: dict[str, Any]) -> int | None:
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
    wanted = Component.model_validate({**dump(source), **fields, "status": "draft"})
    return latest.version if same_content(component_document(wanted), latest.content) else None
