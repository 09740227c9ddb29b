"""Bulk prices: a price book exported as XLSX or CSV, and a sheet imported back (previewed,
or applied as new draft versions)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from app.auth import CatalogWriter, DbSession, Principal, Writing, requires
from app.kit.contract import problems
from app.portfolio.prices import service
from app.portfolio.prices.sheet import CSV, MAX_BYTES, XLSX, Plan, SheetRow
from app.portfolio.schemas import PriceImport, PricePreview
from catalog import PriceBook

router = APIRouter(prefix="/v1/price-books", tags=["price-books"])

Curator = Annotated[Principal, Depends(requires("catalog.read_unreleased"))]
BookCode = Annotated[str, Path(description="the price book", examples=["EUR"])]
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_EXPORTED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The price book as a sheet: one row per component (its active version), "
        "service level and band; as an attachment",
        "content": {XLSX: _BINARY, CSV: _BINARY},
    },
    **problems(404),
}
_SHEET_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": f"a sheet exported from this price book, edited (at most {MAX_BYTES} "
        "bytes and 10,000 rows; CSV as UTF-8, with or without a byte order mark)",
        "content": {XLSX: _BINARY, CSV: _BINARY},
    }
}


def _wanted(accept: str, format_: str | None) -> str:
    if format_ is not None:
        return service.FORMATS[format_]
    media = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    return (
        CSV
        if CSV in media and (XLSX not in media or media.index(CSV) < media.index(XLSX))
        else XLSX
    )


@router.get("/{code}/export", response_class=Response, responses=_EXPORTED)
def export_price_book(
    request: Request,
    session: DbSession,
    principal: Curator,
    code: BookCode,
    format: Annotated[
        Literal["xlsx", "csv"] | None,
        Query(description="xlsx or csv; without it, the `Accept` header decides (XLSX by default)"),
    ] = None,
) -> Response:
    """The price book's prices as XLSX or CSV: code, version, name, unit, price book,
    currency, service level, price factor, band, band up to, list monthly, one-time, and
    the effective monthly (list x factor, rounded half-up to the cent; read-only)."""
    exported = service.export_book(
        session, code, _wanted(request.headers.get("accept", ""), format)
    )
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )


async def _sheet(request: Request) -> tuple[str, bytes]:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type, await request.body()


Sheet = Annotated[tuple[str, bytes], Depends(_sheet)]


def _preview(book: PriceBook, rows: list[SheetRow], plan: Plan) -> dict[str, Any]:
    return {
        "book": book.code,
        "currency": book.currency,
        "rows": len(rows),
        "changes": [
            {
                "code": c.code,
                "version": c.version,
                "field": c.field,
                "band": c.band,
                "before": c.before,
                "after": c.after,
                "service_levels": list(c.service_levels),
                "cells": list(c.cells),
            }
            for c in plan.changes
        ],
        "problems": [{"cell": p.cell, "message": p.message, "code": p.code} for p in plan.problems],
        "drafts": list(plan.components),
        "notes": list(plan.notes),
        "applicable": not plan.problems,
    }


@router.post(
    "/{code}/import/preview",
    response_model=PricePreview,
    openapi_extra=_SHEET_BODY,
    responses=problems(404, 408, 413, 415, 422),
)
def preview_import(
    session: DbSession, principal: CatalogWriter, code: BookCode, sheet: Sheet
) -> Any:
    """What importing the sheet would do: every change (component, service levels, band,
    field: before -> after) and every problem cell by cell (`Prices!K12: list monthly: not a
    number`). Nothing is written. A file that is no price sheet at all is a 422."""
    rows = service.read(sheet[1], sheet[0])
    book, plan = service.preview(session, code, rows)
    return _preview(book, rows, plan)


@router.post(
    "/{code}/import",
    response_model=PriceImport,
    status_code=201,
    openapi_extra=_SHEET_BODY,
    responses=problems(404, 408, 413, 415, 422),
)
def import_price_book(
    writing: Writing, principal: CatalogWriter, code: BookCode, sheet: Sheet
) -> Any:
    """Import the sheet all or nothing: one new draft version per changed component, made
    from the version exported, for review as any draft. Any problem: 422 listing each cell
    (`errors[].field` is the cell, `record` the component, `line` the row) and nothing is
    written."""
    rows = service.read(sheet[1], sheet[0])  # parsed before the write transaction
    with writing() as session:
        drafts = service.import_rows(session, principal, code, rows)
    return {
        "book": code,
        "drafts": [
            {
                "code": d.code,
                "from_version": d.from_version,
                "version": d.version,
                "href": f"/v1/components/{d.code}?version={d.version}",
            }
            for d in drafts
        ],
    }
