"""The insights pages: an overview of the three pillars with their headline figures, each
pillar's figures as tables and charts, and each pillar's CSV. Thin: the filters are
app.insights' ``Filters.parse`` (its problems shown next to their fields, 422), the figures
its ``go_to_market``, ``portfolio`` and ``delivery`` (the services the JSON routes answer
with), the CSV its ``as_csv``; views only format them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth import Principal, SignedIn
from app.insights import Filters, as_csv, delivery, go_to_market, portfolio
from app.kit.database import Database
from app.kit.errors import Invalid, NotFound
from app.kit.wiring import wired
from app.portfolio import ActiveCatalog
from app.web.auth import may
from app.web.errors import mark_page
from app.web.insights import views
from app.web.rendering import PAGE_HEADERS, render
from app.web.workspace.views import field_errors

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])
Db = Annotated[Database, Depends(wired(Database))]
Catalog = Annotated[ActiveCatalog, Depends(wired(ActiveCatalog))]
Reader = Annotated[SignedIn, Depends(may("insights.read"))]

Service = Callable[[Session, Principal, Filters], Any]
SERVICES: dict[str, Service] = {
    "go-to-market": go_to_market,
    "portfolio": portfolio,
    "delivery": delivery,
}
SHOWN: dict[str, Callable[[Any], views.PillarView]] = {
    "go-to-market": views.go_to_market_view,
    "portfolio": views.portfolio_view,
    "delivery": views.delivery_view,
}
HEADLINES: dict[str, Callable[[Any], list[views.Headline]]] = {
    "go-to-market": views.go_to_market_headlines,
    "portfolio": views.portfolio_headlines,
    "delivery": views.delivery_headlines,
}


def _sent(request: Request) -> dict[str, str]:
    return {name: request.query_params.get(name, "") for name in views.FIELDS}


def _figures(
    database: Database, catalog: ActiveCatalog, principal: Principal, sent: Mapping[str, str],
    slugs: tuple[str, ...],
) -> tuple[views.FilterForm, dict[str, Any]]:  # fmt: skip
    """The form's state and each pillar's answer (none when the filters are refused)."""
    with database.transaction(write=False) as session:
        choices = views.catalog_choices(catalog.snapshot(session))
        try:
            filters = Filters.parse(sent)
            answers = {slug: SERVICES[slug](session, principal, filters) for slug in slugs}
        except Invalid as error:
            return views.filter_form(choices, None, sent, field_errors(error.problems)), {}
    applied = next(iter(answers.values())).filters
    return views.filter_form(choices, applied, sent), answers


@router.get("/insights")
def overview(request: Request, person: Reader, database: Db, catalog: Catalog) -> Response:
    slugs = tuple(views.PILLARS)
    form, answers = _figures(database, catalog, person.principal, _sent(request), slugs)
    pillars = [
        {"pillar": views.PILLARS[slug], "headlines": HEADLINES[slug](answer)}
        for slug, answer in answers.items()
    ]
    return render(request, "insights/overview.html", {
        "form": form, "query": form.query(), "pillars": pillars,
    }, status=422 if form.errors else 200)  # fmt: skip


def _pillar(slug: str) -> str:
    if slug not in views.PILLARS:
        raise NotFound(f"there is no insight {slug!r}")
    return slug


@router.get("/insights/{slug}.csv")
def pillar_csv(
    request: Request, person: Reader, database: Db, catalog: Catalog, slug: str
) -> Response:
    """The pillar's figures as the service's CSV; refused filters: the pillar's page, its
    messages next to their fields (422)."""
    slug = _pillar(slug)
    try:
        filters = Filters.parse(_sent(request))
    except Invalid:
        return pillar_page(request, person, database, catalog, slug)
    with database.transaction(write=False) as session:
        text = as_csv(SERVICES[slug](session, person.principal, filters))
    name = f"insights-{slug}-{filters.since.isoformat()}-{filters.until.isoformat()}.csv"
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        **PAGE_HEADERS, "Content-Disposition": f'attachment; filename="{name}"',
    })  # fmt: skip


@router.get("/insights/{slug}")
def pillar_page(
    request: Request, person: Reader, database: Db, catalog: Catalog, slug: str
) -> Response:
    slug = _pillar(slug)
    form, answers = _figures(database, catalog, person.principal, _sent(request), (slug,))
    view = SHOWN[slug](answers[slug]) if answers else None
    return render(request, "insights/pillar.html", {
        "pillar": views.PILLARS[slug], "form": form, "query": form.query(), "view": view,
    }, status=422 if form.errors else 200)  # fmt: skip
