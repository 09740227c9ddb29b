"""Guided selling pages (Seller): the needs form, the configuration screen with the options
engine's live states, good/better/best side by side, and creating the proposal. Thin: the
request is checked by the configurator's own validation, states come from the same
function as ``POST /v1/configurations/options``, good/better/best is the proposals
service's own ladder (what a proposal offers), the proposal from ``POST /v1/proposals``'s
service. Every state lives in the query string, so each screen can be bookmarked and the
back button never dead-ends."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from app.configurator import Limits as SolveLimits
from app.kit.database import Database
from app.kit.errors import FieldProblem, Invalid, NoValidBundle, OptionsBusy, SolverKilled
from app.kit.inputs import whole_number
from app.kit.wiring import wired
from app.portfolio import ActiveCatalog
from app.proposals import ProposalServices, create_proposal, ladder, option_names
from app.quoting import (
    ConfigurationRequest,
    OptionsEngines,
    OptionsRequest,
    options,
    request_problems,
)
from app.web.auth import Seller
from app.web.errors import mark_page
from app.web.forms import read_form
from app.web.rendering import render
from app.web.selling import views
from app.web.selling.views import Clicks, Needs

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])
Db = Annotated[Database, Depends(wired(Database))]
Catalog = Annotated[ActiveCatalog, Depends(wired(ActiveCatalog))]
Limits = Annotated[SolveLimits, Depends(wired(SolveLimits))]
Engines = Annotated[OptionsEngines, Depends(wired(OptionsEngines))]
Proposals = Annotated[ProposalServices, Depends(wired(ProposalServices))]

OPTIONS, COMPARE, PROPOSAL = "/configure/options", "/configure/compare", "/configure/proposal"
BUSY = (OptionsBusy, SolverKilled)
LADDER = 3  # good, better, best


def _needs_of_query(request: Request) -> Needs:
    params = request.query_params
    return views.read_needs(params.get, params.getlist)


def _clicks_of_query(request: Request) -> Clicks:
    return views.read_clicks(request.query_params.getlist, request.query_params.multi_items())


def _checked(
    database: Database, catalog: ActiveCatalog, limits: SolveLimits, needs: Needs
) -> tuple[ConfigurationRequest | None, dict[str, str]]:
    """The request, checked by its schema and then by the configurator's own validation;
    or each problem by the input it concerns."""
    rows = views.used_rows(needs)
    try:
        parsed = ConfigurationRequest.model_validate(needs.body())
    except ValidationError as error:
        return None, views.field_errors(views.pydantic_problems(error.errors()), rows)
    with database.transaction(write=False) as session:
        _, snapshot = catalog.current(session)
    problems = request_problems(snapshot, parsed.as_request(), limits)
    return (None if problems else parsed), views.field_errors(problems, rows)


def _form_page(
    request: Request,
    database: Database,
    catalog: ActiveCatalog,
    needs: Needs,
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    with database.transaction(write=False) as session:
        _, snapshot = catalog.current(session)
    return render(request, "selling/configure.html", {
        "needs": needs, "errors": errors, "choices": views.catalog_choices(snapshot),
        "query": views.query(needs),
    }, status=status)  # fmt: skip


@router.get("/configure")
def needs_form(request: Request, person: Seller, database: Db, catalog: Catalog) -> Response:
    """The needs form, blank or as the query string left it (coming back to change it)."""
    return _form_page(request, database, catalog, _needs_of_query(request), {})


@router.post("/configure")
async def needs_posted(
    request: Request, person: Seller, database: Db, catalog: Catalog, limits: Limits
) -> Response:
    form = await read_form(request)
    needs = views.read_needs(form.one, form.all, extra_row=bool(form.one("add_need")))
    if form.one("add_need"):  # one more row, without JavaScript: the same form again
        return _form_page(request, database, catalog, needs, {})
    parsed, errors = await anyio.to_thread.run_sync(_checked, database, catalog, limits, needs)
    if parsed is None:
        return _form_page(request, database, catalog, needs, errors, status=422)
    return RedirectResponse(f"{OPTIONS}?{views.query(needs)}", status_code=303)


@router.get(OPTIONS)
def configuration_screen(
    request: Request,
    person: Seller,
    database: Db,
    catalog: Catalog,
    limits: Limits,
    engines: Engines,
) -> Response:
    """Every component in scope with its live state after the clicks; htmx asks for the
    components region alone."""
    needs, clicks = _needs_of_query(request), _clicks_of_query(request)
    context: dict[str, Any] = {"needs": needs, "clicks": clicks, "rows": [], "repairs": [],
                               "valid": True, "message": None, "field_errors": {},
                               "back": f"/configure?{views.query(needs)}",
                               "compare": f"{COMPARE}?{views.query(needs, clicks)}"}  # fmt: skip
    body = needs.body() | {
        "chosen": list(clicks.chosen),
        "rejected": list(clicks.rejected),
        "service_levels": dict(clicks.levels),
    }
    status = 200
    try:
        parsed = OptionsRequest.model_validate(body)
        with database.transaction(write=False) as session:
            _, snapshot = catalog.current(session)
            answer = options(session, catalog, engines, limits, parsed)
    except ValidationError as error:
        context["field_errors"] = views.field_errors(views.pydantic_problems(error.errors()))
        status = 422
    except Invalid as error:
        context["field_errors"] = views.field_errors(error.problems)
        status = 422
    except BUSY as error:
        context["message"] = f"{error.detail}. Try again in a moment."
        status = 503
    else:
        context["valid"] = answer["valid"]
        context["conflict"] = answer["conflict"]
        context["rows"] = views.options_rows(answer, snapshot, needs, clicks, OPTIONS)
        context["repairs"] = views.repair_links(answer["repairs"], needs, clicks, OPTIONS)
    context.setdefault("conflict", [])
    context["level_links"] = {
        row["code"]: [(level, f"{OPTIONS}?{views.query(needs, clicks.level(row['code'], level))}")
                      for level in row["levels"]]
        for row in context["rows"]
    }  # fmt: skip
    fragment = request.headers.get("hx-target") == "components"
    template = "selling/_components.html" if fragment else "selling/options.html"
    return render(request, template, context, status=200 if fragment else status)


@router.get(COMPARE)
def good_better_best(request: Request, person: Seller, services: Proposals) -> Response:
    """Good, better and best for the request with the clicks, side by side: the same ladder
    a proposal offers (each the cheapest bundle more available than the one before); or
    the conflict and its repairs."""
    needs, clicks = _needs_of_query(request), _clicks_of_query(request)
    asked = views.with_clicks(needs, clicks)
    context: dict[str, Any] = {
        "needs": needs, "clicks": clicks, "options": [], "conflicts": [], "repairs": [],
        "message": None, "field_errors": {}, "note": None,
        "back": f"{OPTIONS}?{views.query(needs, clicks)}", "term": needs.values.get("term_months"),
    }  # fmt: skip
    status = 200
    try:
        parsed = ConfigurationRequest.model_validate(asked.body() | {"alternatives": LADDER})
        with services.database.transaction(write=False) as session:
            found = ladder(services, session, person.principal, parsed.as_request())
    except ValidationError as error:
        context["field_errors"] = views.field_errors(views.pydantic_problems(error.errors()))
        status = 422
    except Invalid as error:
        context["field_errors"] = views.field_errors(error.problems)
        status = 422
    except NoValidBundle as error:
        context["message"] = error.detail
        context["conflicts"] = error.extra.get("conflicts", [])
        context["repairs"] = views.repair_links(error.extra.get("repairs", []), needs, clicks,
                                                COMPARE)  # fmt: skip
        status = 422
    except BUSY as error:
        context["message"] = f"{error.detail}. Try again in a moment."
        status = 503
    else:
        bundles = views.rung_views(found, parsed.price_book, person.principal)
        shown = views.compared(bundles, option_names(len(bundles)))
        base = needs.values.get("min_availability", "")
        for option, rung in zip(shown, found.rungs, strict=True):
            minimum = rung.request.min_availability
            at = views.at_availability(needs, base if minimum is None else str(minimum))
            option["href"] = f"{PROPOSAL}?" + views.query(
                at, clicks, option=str(option["index"]), rungs=str(len(shown)), base=base
            )
        context["options"] = shown
        if found.timed_out:
            context["note"] = "stopped at the time limit: the best bundle found, not proven optimal"
    return render(request, "selling/compare.html", context, status=status)


def _whole(text: str | None, default: int) -> int:
    number = whole_number(text, most=99)
    return default if number is None else number


def _proposal_context(
    needs: Needs, clicks: Clicks, option: int, rungs: int, base: str
) -> dict[str, Any]:
    names = option_names(rungs)
    more = {"option": str(option), "rungs": str(rungs), "base": base}
    return {
        "needs": needs, "clicks": clicks, "option": option,
        "label": views.label(names, option), "names": names, "offer": "only",
        "pairs": needs.pairs() + clicks.pairs() + [(k, v) for k, v in more.items() if v],
        "back": f"{COMPARE}?{views.query(views.at_availability(needs, base), clicks)}",
        "values": {}, "errors": {}, "message": None,
        "custom": [{"description": "", "monthly": "", "one_time": ""} for _ in range(2)],
    }  # fmt: skip


def _form_state(one: Any) -> tuple[int, int, str]:
    """The rung chosen, how many the ladder had, and the base request's availability."""
    rungs = _whole(one("rungs"), 1)
    return min(_whole(one("option"), 0), max(rungs - 1, 0)), rungs, one("base") or ""


@router.get(PROPOSAL)
def proposal_form(request: Request, person: Seller) -> Response:
    """Customer, discount and custom lines for the chosen rung (its request in the query
    string), and whether to offer it alone or the whole ladder."""
    needs, clicks = _needs_of_query(request), _clicks_of_query(request)
    state = _form_state(request.query_params.get)
    return render(request, "selling/proposal.html", _proposal_context(needs, clicks, *state))


def _custom_lines(form: Any) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    lines: list[dict[str, Any]] = []
    typed = []
    for index in range(5):
        row = {key: form.one(f"custom-{index}-{key}") or ""
               for key in ("description", "monthly", "one_time")}  # fmt: skip
        typed.append(row)
        for charge in ("monthly", "one_time"):
            if row[charge]:
                lines.append({"description": row["description"], "quantity": 1,
                              "unit_price": row[charge], "charge": charge,
                              "_row": index})  # fmt: skip
        if row["description"] and not (row["monthly"] or row["one_time"]):
            lines.append({"description": row["description"], "quantity": 1,
                          "unit_price": "", "charge": "monthly", "_row": index})  # fmt: skip
    while len(typed) > 2 and not any(typed[-1].values()):
        typed.pop()
    return lines, typed


def _create(
    services: ProposalServices, person: Any, request_body: dict[str, Any], body: dict[str, Any]
) -> int:
    """The proposal through the proposals service (it solves the request again, as
    ``POST /v1/proposals`` does: one bundle for a rung's request, the ladder for the base)."""
    with services.database.transaction(write=False) as session:
        answer = create_proposal(services, session, person.principal,
                                 body | {"request": request_body}, None)  # fmt: skip
    return int(answer.body["id"])


@router.post(PROPOSAL)
async def proposal_posted(request: Request, person: Seller, services: Proposals) -> Response:
    form = await read_form(request)
    needs, clicks = views.read_needs(form.one, form.all), views.read_clicks(form.all, form.pairs)
    option, rungs, base = _form_state(form.one)
    context = _proposal_context(needs, clicks, option, rungs, base)
    # The chosen rung's own request solves to exactly that bundle; the base request with
    # as many alternatives as the ladder had offers the same ladder to the customer.
    every = form.one("offer") == "all" and rungs > 1
    context["offer"] = "all" if every else "only"
    asked = views.with_clicks(views.at_availability(needs, base) if every else needs, clicks)
    request_body = asked.body() | {"alternatives": rungs if every else 1}
    values = {name: form.one(name) or "" for name in
              ("customer-name", "customer-country", "customer-contact", "customer-reference",
               "discount_percent")}  # fmt: skip
    lines, typed = _custom_lines(form)
    context["values"], context["custom"] = values, typed
    customer = {"name": values["customer-name"], "country": values["customer-country"].upper()}
    for key in ("contact", "reference"):
        if values[f"customer-{key}"]:
            customer[key] = values[f"customer-{key}"]
    body: dict[str, Any] = {"customer": customer}
    if values["discount_percent"]:
        body["discount_percent"] = values["discount_percent"]
    if lines:
        body["custom_lines"] = [{k: v for k, v in line.items() if k != "_row"} for line in lines]
    problems: list[FieldProblem] = []
    try:
        proposal_id = await anyio.to_thread.run_sync(_create, services, person, request_body, body)
    except ValidationError as error:
        problems = views.pydantic_problems(error.errors())
    except Invalid as error:
        problems = list(error.problems)
    except NoValidBundle as error:
        context["message"] = f"{error.detail}: go back to the options to repair the request."
    except BUSY as error:
        context["message"] = f"{error.detail}. Try again in a moment."
        return render(request, "selling/proposal.html", context, status=503)
    else:
        return RedirectResponse(f"/proposals/{proposal_id}", status_code=303)
    context["errors"] = views.proposal_errors(problems, lines)
    errors = context["errors"]
    if errors and not context["message"]:
        context["message"] = "The proposal was not created: see the fields marked below."
    return render(request, "selling/proposal.html", context, status=422)
