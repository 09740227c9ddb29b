"""Price books for curators: the list, a book's page (export as XLSX or CSV, upload an edited
sheet), the preview of every change and every problem, and "Create N draft versions".
Thin: the portfolio's public price-sheet use cases, the same the API's routes call; the
apply step takes the previewed change set back (``views`` says why) and the import checks
it again."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from app.auth import SignedIn
from app.kit.database import Database
from app.kit.errors import Invalid
from app.kit.wiring import wired
from app.portfolio import (
    PRICE_SHEET_FORMATS,
    PricePlan,
    apply_price_changes,
    export_price_book,
    preview_prices,
    price_book,
    price_books,
    read_price_sheet,
)
from app.web.auth import may
from app.web.errors import mark_page
from app.web.forms import read_form
from app.web.prices.views import (
    ProblemLine,
    change_lines,
    decoded,
    drafts_of,
    drafts_query,
    encoded,
    problem_lines,
)
from app.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])
Db = Annotated[Database, Depends(wired(Database))]
PriceReader = Annotated[SignedIn, Depends(may("catalog.read_unreleased"))]
PriceWriter = Annotated[SignedIn, Depends(may("catalog.write"))]
MAX_SHEET_READ = 1_048_577  # one byte past the sheet's limit: the import says it is too large
XLSX, CSV = PRICE_SHEET_FORMATS["xlsx"], PRICE_SHEET_FORMATS["csv"]


@router.get("/price-books")
def books_page(request: Request, person: PriceReader, database: Db) -> Response:
    with database.transaction(write=False) as session:
        books = price_books(session)
    return render(request, "prices/books.html", {"books": books})


def _book_page(
    request: Request, person: SignedIn, database: Database, code: str, *, status: int = 200,
    **extra: Any,
) -> Response:  # fmt: skip
    with database.transaction(write=False) as session:
        book = price_book(session, code)
    context: dict[str, Any] = {"book": book, "can_import": person.principal.can("catalog.write"),
               "drafts": [], "made": 0, "file_error": None}  # fmt: skip
    context.update(extra)
    return render(request, "prices/book.html", context, status=status)


@router.get("/price-books/{code}")
def book_page(
    request: Request,
    person: PriceReader,
    database: Db,
    code: str,
    drafts: Annotated[str | None, Query(max_length=10_000)] = None,
    made: int = 0,
) -> Response:
    return _book_page(request, person, database, code, drafts=drafts_of(drafts), made=made)


@router.get("/price-books/{code}/export")
def export_page(person: PriceReader, database: Db, code: str, format: str = "xlsx") -> Response:
    media_type = PRICE_SHEET_FORMATS.get(format, XLSX)
    with database.transaction(write=False) as session:
        exported = export_price_book(session, code, media_type)
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )


def _preview_page(
    request: Request, code: str, plan: PricePlan | None, problems: list[ProblemLine],
    filename: str, *, applied: bool = False,
) -> Response:  # fmt: skip
    changes = plan.changes if plan is not None else ()
    context = {
        "code": code,
        "filename": filename,
        "changes": change_lines(changes),
        "problems": problems,
        "drafts": len({change.code for change in changes}),
        "change_set": encoded(changes) if changes and not problems else "",
        "applied": applied,
        "notes": plan.notes if plan is not None else (),
    }
    return render(request, "prices/preview.html", context, status=422 if problems else 200)


@router.post("/price-books/{code}/import")
async def preview_page(request: Request, person: PriceWriter, database: Db, code: str) -> Response:
    """The uploaded sheet's preview (nothing is written)."""
    form = await request.form(max_files=1, max_fields=4)
    upload = form.get("sheet")
    if not isinstance(upload, UploadFile) or not upload.filename:
        error = "Choose the XLSX or CSV file of an export to preview."
        return await anyio.to_thread.run_sync(
            lambda: _book_page(request, person, database, code, status=422, file_error=error)
        )
    data = await upload.read(MAX_SHEET_READ)
    filename = upload.filename
    media_type = XLSX if data.startswith(b"PK") else CSV  # an XLSX is a zip

    def work() -> Response:
        with database.transaction(write=False) as session:
            price_book(session, code)  # 404 before the file is read
        try:
            rows = read_price_sheet(data, media_type)
        except Invalid as error:
            unreadable = [ProblemLine(p.field, p.record or "—", p.message) for p in error.problems]
            return _preview_page(request, code, None, unreadable, filename)
        with database.transaction(write=False) as session:
            _, plan = preview_prices(session, code, rows)
        return _preview_page(request, code, plan, problem_lines(plan.problems), filename)

    return await anyio.to_thread.run_sync(work)


@router.post("/price-books/{code}/apply")
async def apply_page(request: Request, person: PriceWriter, database: Db, code: str) -> Response:
    """The previewed changes as new draft versions, all or nothing."""
    form = await read_form(request)
    changes = decoded(form.one("changes"))

    def work() -> Response:
        if changes is None:
            error = "The previewed changes did not arrive: upload the sheet again."
            return _book_page(request, person, database, code, status=422, file_error=error)
        try:
            with database.transaction(write=True) as session:
                made = apply_price_changes(session, person.principal, code, changes)
        except Invalid as error:
            problems = [ProblemLine(p.field, p.record or "—", p.message) for p in error.problems]
            return _preview_page(request, code, None, problems, "", applied=True)
        query = drafts_query([(draft.code, draft.version) for draft in made])
        return RedirectResponse(f"/price-books/{code}?{query}", status_code=303)

    return await anyio.to_thread.run_sync(work)
