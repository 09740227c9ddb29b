"""The insights as data, for BI tools: JSON, or the same figures as CSV (``Accept:
text/csv``, or the ``.csv`` twin of each path, for a browser's download or a spreadsheet's
web import)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth import DbSession, Principal, requires
from app.insights import service
from app.insights.export import Measures, as_csv
from app.insights.filters import CODE_PATTERN, Filters
from app.insights.schemas import Delivery, GoToMarket, Portfolio
from app.kit.contract import problems

router = APIRouter(prefix="/v1/insights", tags=["insights"])

InsightsReader = Annotated[Principal, Depends(requires("insights.read"))]

CSV = "text/csv"
# Declared as the other documents are (a PDF's): a string of bytes; the CSV's columns are
# said in the operation's description.
_CSV_CONTENT = {CSV: {"schema": {"type": "string", "format": "binary"}}}


def _code(what: str) -> Any:
    return Query(description=f"only {what} (its code)", pattern=CODE_PATTERN)


def _day(description: str) -> Any:
    return Query(description=description, json_schema_extra={"format": "date"})


def query_filters(
    since: Annotated[
        str | None,
        Query(
            description="first day, YYYY-MM-DD (included); "
            "default: eleven months before until's month"
        ),
    ] = None,
    until: Annotated[
        str | None, Query(description="last day, YYYY-MM-DD (included); default: today (UTC)")
    ] = None,
    price_book: Annotated[str | None, _code("this price book")] = None,
    offering: Annotated[str | None, _code("this offering")] = None,
    family: Annotated[str | None, _code("lines of this component family")] = None,
    centre: Annotated[str | None, _code("lines delivered by this centre")] = None,
) -> Filters:
    """The filters of the query (``Invalid``, a 422 problem, for a bad one)."""
    return Filters.parse({"since": since, "until": until, "price_book": price_book,
                          "offering": offering, "family": family, "centre": centre})  # fmt: skip


QueryFilters = Annotated[Filters, Depends(query_filters)]


def _wants_csv(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return CSV in accept and "application/json" not in accept


def _answer(request: Request, measures: Measures, *, csv: bool = False) -> Response:
    if csv or _wants_csv(request):
        return Response(as_csv(measures), media_type=f"{CSV}; charset=utf-8")
    return Response(measures.model_dump_json(), media_type="application/json")


Compute = Callable[[Session, Principal, Filters], Measures]


def _routes(path: str, model: type[Measures], compute: Compute, summary: str) -> None:
    def as_json(
        request: Request, session: DbSession, principal: InsightsReader, filters: QueryFilters
    ) -> Response:
        return _answer(request, compute(session, principal, filters))

    def as_csv_file(
        request: Request, session: DbSession, principal: InsightsReader, filters: QueryFilters
    ) -> Response:
        return _answer(request, compute(session, principal, filters), csv=True)

    as_json.__doc__ = (
        f"{summary} JSON, or the same figures as CSV when `Accept` asks for `text/csv` (and "
        "not JSON). Filters: the period (`since`, `until`, both included) on the proposal's "
        "creation date unless a figure says otherwise; `price_book` and `offering` keep the "
        "proposals priced in them; `family` and `centre` keep lines of that family or centre "
        "(and proposals with at least one). For portfolio, approver and admin; others 403."
    )
    as_csv_file.__doc__ = (
        f"{summary} as CSV: one figure a row (measure, month, dimension, "
        "dimension_2, value, unit). Filters as the JSON twin's."
    )
    name = path.replace("-", "_")
    router.add_api_route(
        f"/{path}", as_json, methods=["GET"], response_model=model,
        responses={200: {"content": _CSV_CONTENT}, **problems(422)},
        name=f"insights_{name}", summary=summary,
    )  # fmt: skip
    router.add_api_route(
        f"/{path}.csv", as_csv_file, methods=["GET"], response_class=Response,
        responses={200: {"content": _CSV_CONTENT}, **problems(422)},
        name=f"insights_{name}_csv", summary=f"{summary} (CSV)",
    )  # fmt: skip


_routes("go-to-market", GoToMarket, service.go_to_market, "Go to market.")
_routes("portfolio", Portfolio, service.portfolio, "Portfolio.")
_routes("delivery", Delivery, service.delivery, "Delivery.")
