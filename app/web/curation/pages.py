"""Curating the catalog in the browser. Thin: every change goes through the API's own use
cases (app.portfolio's ``new_draft``, ``create_component`` and ``patch_component`` with the
form's ETag as If-Match; lifecycle moves through the catalog gate, as the transition route
does; imports through ``import_upload``), in one short write transaction each, so a page
can never do what the API would refuse and a refused save writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from app import audit
from app.assurance import Assurance
from app.auth import Principal
from app.documents import markdown_html
from app.kit.database import Database
from app.kit.errors import (
    Conflict,
    FieldProblem,
    Forbidden,
    Invalid,
    NotFound,
    OfferwrightError,
    PreconditionFailed,
)
from app.kit.inputs import whole_number
from app.kit.params import Id
from app.kit.settings import Settings
from app.kit.wiring import wired
from app.portfolio import (
    CatalogChange,
    CatalogGate,
    Upload,
    create_component,
    get_component,
    import_upload,
    in_review,
    list_components,
    new_draft,
    patch_component,
    validate_model,
)
from app.web.auth import AssuranceApprover, CatalogEditor
from app.web.curation.views import (
    CHARGES,
    DOCUMENTS,
    GROUPS,
    LAYERS,
    PARTNER_STATUSES,
    ROW_LABELS,
    TIER_STYLES,
    EditForm,
    blank_form,
    body_of,
    changed_components,
    changed_since,
    editable,
    form_of,
    import_summary,
    merge_patch,
    place,
    problem_line,
    queue_item,
    read_edit_form,
    summary_of,
    with_row,
)
from app.web.errors import mark_page
from app.web.forms import read_form
from app.web.rendering import render
from catalog import Component

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])
Db = Annotated[Database, Depends(wired(Database))]
Gate = Annotated[CatalogGate, Depends(wired(CatalogGate))]
AppSettings = Annotated[Settings, Depends(wired(Settings))]
PREVIEWABLE = {f"doc_{name}" for name, _ in DOCUMENTS}


def _edit_url(code: str, version: int) -> str:
    return f"/catalog/components/{code}/versions/{version}/edit"


def _last_seen(session: Any, principal: Principal, code: str) -> list[dict[str, Any]]:
    """The component's audit entries, newest first (who changed it, from what to what)."""
    page = audit.entries(session, principal, limit=50, cursor=None, entity_kind="component",
                         entity_key=code)  # fmt: skip
    return list(page.items)


@dataclass
class Editing:
    """What the edit page shows besides the form."""

    code: str
    version: int | None  # None: a new component
    status: str = "draft"
    author: str = ""
    etag: str = ""
    seen: int = 0
    notice: str | None = None
    conflict: str | None = None
    general: list[str] | None = None
    errors: dict[str, str] | None = None
    previews: dict[str, Any] | None = None
    active_version: int | None = None


def _show(request: Request, form: EditForm, editing: Editing, status: int = 200) -> Response:
    errors = editing.errors or {}
    return render(request, "curation/edit.html", {
        "form": form, "editing": editing, "errors": errors, "general": editing.general or [],
        "previews": editing.previews or {}, "groups": GROUPS, "row_labels": ROW_LABELS,
        "summary": summary_of(errors), "layers": LAYERS,
        "charges": CHARGES, "tier_styles": TIER_STYLES, "partner_statuses": PARTNER_STATUSES,
        "documents": DOCUMENTS, "layer_options": [(layer, layer) for layer in LAYERS],
        "partner_options": [(status, status) for status in PARTNER_STATUSES],
        "action": _edit_url(editing.code, editing.version) if editing.version else "/catalog/new",
    }, status=status)  # fmt: skip


def _read_version(
    database: Database, principal: Principal, code: str, version: int
) -> tuple[dict[str, Any], str, int]:
    with database.transaction(write=False) as session:
        view = get_component(session, principal, code, version)
        entries = _last_seen(session, principal, code)
    return dict(view.body), view.etag, max([0, *(int(entry["id"]) for entry in entries)])


@router.get("/catalog/components/{code}/versions/{version}/edit")
async def edit_page(
    request: Request, person: CatalogEditor, database: Db, code: str, version: Id,
    saved: str | None = None, drafted: str | None = None,
) -> Response:  # fmt: skip
    body, etag, seen = await anyio.to_thread.run_sync(
        _read_version, database, person.principal, code, version
    )
    notice = None
    if saved:
        notice = "Saved."
    elif drafted == "new":
        notice = f"Version {version} is a new draft: edit it, then submit it for review."
    elif drafted == "existing":
        notice = f"Version {version} is the component's draft already: edit it here."
    editing = Editing(code, version, body["status"], body["author"], etag, seen, notice)
    editing.active_version = body.get("active_version")
    return _show(request, form_of(body), editing)


@router.post("/catalog/components/{code}/versions/{version}/edit")
async def edit(
    request: Request, person: CatalogEditor, database: Db, code: str, version: Id
) -> Response:
    posted = await read_form(request)
    form = read_edit_form(posted)
    editing = Editing(code, version, posted.one("status") or "draft", posted.one("author"),
                      posted.one("etag"), _int(posted.one("seen")))  # fmt: skip
    action = posted.one("action")
    if action != "save":
        return _not_saving(request, form, editing, action)
    built = body_of(form)
    if built.errors:
        return _invalid(request, form, editing, built.errors, built.body, code, version)
    principal = person.principal

    def save() -> int:
        with database.transaction(write=True) as session:
            current = get_component(session, principal, code, version)
            patch = merge_patch(editable(current.body), built.body)
            view = patch_component(session, principal, code, patch, editing.etag or None)
        return int(view.body["version"])

    try:
        saved = await anyio.to_thread.run_sync(save)
    except Invalid as error:
        placed = place(error.problems, form, code)
        editing.errors, editing.general = placed.errors, [error.detail, *placed.general]
        return _show(request, form, editing, 422)
    except PreconditionFailed:
        return await anyio.to_thread.run_sync(_conflict, request, database, principal, form,
                                              editing)  # fmt: skip
    return RedirectResponse(f"{_edit_url(code, saved)}?saved=1", status_code=303)


def _int(text: str) -> int:
    return whole_number(text) or 0


def _not_saving(request: Request, form: EditForm, editing: Editing, action: str) -> Response:
    """Another row, or the documents previewed: the page again, nothing saved."""
    if action.startswith("add:"):
        with_row(form, action.removeprefix("add:"))
    elif action == "preview":
        editing.previews = {name: markdown_html(form.value(name)) for name in PREVIEWABLE}
    return _show(request, form, editing)


def _invalid(
    request: Request, form: EditForm, editing: Editing, errors: dict[str, str],
    body: dict[str, Any], code: str, version: int | None,
) -> Response:  # fmt: skip
    """The form's own problems, and the model's besides (all at once): nothing is saved."""
    complete = {**body, "code": code, "version": version or 1, "status": "draft",
                "author": editing.author or "-"}  # fmt: skip
    try:
        validate_model(Component.model_validate, complete, "component")
    except Invalid as error:
        placed = place(error.problems, form, code)
        errors = {**placed.errors, **errors}
        editing.general = placed.general
    editing.errors = errors
    return _show(request, form, editing, 422)


def _conflict(
    request: Request, database: Database, principal: Principal, form: EditForm,
    editing: Editing,
) -> Response:  # fmt: skip
    """Someone saved (or moved) the version since this form was opened: who and what, the
    form as this person typed it, and the version's tag now, so saving again is deliberate."""
    with database.transaction(write=False) as session:
        entries = _last_seen(session, principal, editing.code)
        latest = int(get_component(session, principal, editing.code, editing.version)
                     .body["latest_version"])  # fmt: skip
        now = get_component(session, principal, editing.code, latest)
    since = changed_since(entries, editing.seen)
    assert editing.version is not None
    editing.conflict = since.message(editing.code, editing.version)
    editing.etag, editing.seen = now.etag, since.last_seen
    editing.status = str(now.body["status"])
    return _show(request, form, editing, 412)


@router.post("/catalog/components/{code}/drafts")
async def draft(request: Request, person: CatalogEditor, database: Db, code: str) -> Response:
    """A new draft version from the version the form names (the active one by default)."""
    posted = await read_form(request)
    principal = person.principal
    source = _int(posted.one("from")) or None

    def make() -> tuple[int, str]:
        with database.transaction(write=False) as session:
            start = int(get_component(session, principal, code, source).body["version"])
        try:
            with database.transaction(write=True) as session:
                return int(new_draft(session, principal, code, start).body["version"]), "new"
        except Conflict:  # a draft exists: that one is edited
            with database.transaction(write=False) as session:
                return int(get_component(session, principal, code, start)
                           .body["latest_version"]), "existing"  # fmt: skip

    version, how = await anyio.to_thread.run_sync(make)
    return RedirectResponse(f"{_edit_url(code, version)}?drafted={how}", status_code=303)


@router.get("/catalog/new")
def new_component_page(request: Request, person: CatalogEditor) -> Response:
    return _show(request, blank_form(), Editing("", None))


@router.post("/catalog/new")
async def new_component(request: Request, person: CatalogEditor, database: Db) -> Response:
    posted = await read_form(request)
    form = read_edit_form(posted)
    editing = Editing(form.value("code"), None)
    action = posted.one("action")
    if action != "save":
        return _not_saving(request, form, editing, action)
    built = body_of(form, with_code=True)
    if built.errors:
        return _invalid(request, form, editing, built.errors, built.body, form.value("code"), None)

    def create() -> str:
        with database.transaction(write=True) as session:
            return str(create_component(session, person.principal, built.body).body["code"])

    try:
        code = await anyio.to_thread.run_sync(create)
    except Invalid as error:
        placed = place(error.problems, form, editing.code)
        editing.errors, editing.general = placed.errors, [error.detail, *placed.general]
        return _show(request, form, editing, 422)
    except Conflict as error:
        editing.errors = {"code": error.detail}
        return _show(request, form, editing, 409)
    return RedirectResponse(f"{_edit_url(code, 1)}?drafted=new", status_code=303)


@router.post("/catalog/preview")
async def preview(request: Request, person: CatalogEditor, document: str = "") -> Response:
    """One document's Markdown as the component's page will show it (htmx, as it is typed):
    rendered and sanitised by app.documents, never the text's own HTML."""
    posted = await read_form(request)
    if document not in PREVIEWABLE:
        raise NotFound("no such document")
    html = markdown_html(posted.raw(document).replace("\r\n", "\n"))
    return render(request, "curation/_preview.html", {"html": html})


# -- the assurance queue ----------------------------------------------------------------------

DONE = {"assured": "assured", "draft": "returned to draft"}
RETURN_NEEDS_COMMENT = "say what the author should fix"


def _queue(
    request: Request, database: Database, principal: Principal, status: int = 200,
    **extra: Any,
) -> Response:  # fmt: skip
    with database.transaction(write=False) as session:
        items = [queue_item(waiting) for waiting in in_review(session, principal)]
    context: dict[str, Any] = {"items": items, "notice": None, "failed": None, "error": None,
                               "errors": {}, "comment": ""}  # fmt: skip
    context.update(extra)
    context["elsewhere"] = context["failed"] not in [f"{i.code}-{i.version}" for i in items]
    return render(request, "curation/queue.html", context, status=status)


@router.get("/assurance")
def queue_page(
    request: Request, person: AssuranceApprover, database: Db, done: str | None = None,
    code: str | None = None, version: str | None = None,
) -> Response:  # fmt: skip
    notice = None
    if done in DONE and code and version:
        notice = f"{code} version {version}: {DONE[done]}."
    return _queue(request, database, person.principal, notice=notice)


@router.post("/assurance/{code}/{version}")
async def decide(
    request: Request, person: AssuranceApprover, database: Db, gate: Gate, code: str,
    version: Id,
) -> Response:  # fmt: skip
    posted = await read_form(request)
    decision, comment = posted.one("decision"), posted.one("comment")
    to = decision if decision in DONE else "assured"
    change = CatalogChange.transition(code, version, to, comment or None,
                                      posted.one("etag") or None)  # fmt: skip

    def work() -> None:
        if to == "draft" and not comment:  # the queue's rule: the author learns what to fix
            raise Invalid("say what to fix", [FieldProblem("comment", RETURN_NEEDS_COMMENT)])
        gate.apply(person.principal, change)

    try:
        await anyio.to_thread.run_sync(work)
    except (Invalid, Forbidden, Conflict, PreconditionFailed, NotFound) as error:
        problems = error.problems if isinstance(error, Invalid) else ()
        errors = {"comment": "; ".join(problem.message for problem in problems)} if problems else {}
        status = error.status
        message = (
            "It changed since this queue was shown: look at it again before deciding."
            if isinstance(error, PreconditionFailed) else error.detail
        )  # fmt: skip

        def again() -> Response:
            return _queue(request, database, person.principal, status=status,
                          failed=f"{code}-{version}", error=message, errors=errors,
                          comment=comment)  # fmt: skip

        return await anyio.to_thread.run_sync(again)
    query = urlencode({"done": to, "code": code, "version": version})
    return RedirectResponse(f"/assurance?{query}", status_code=303)


@router.get("/assurance/{code}/{version}/impact")
def impact(
    request: Request, person: AssuranceApprover, database: Db,
    assurance: Annotated[Assurance, Depends(wired(Assurance))], code: str, version: Id,
) -> Response:  # fmt: skip
    """What activating the version would do to the assured combinations (the API's impact
    preview; nothing stored): a fragment the queue loads for each item once it is shown."""
    with database.transaction(write=False) as session:
        preview = assurance.preview(session, code, version)
    return render(request, "curation/_impact.html", {"impact": preview})


# -- the catalog import -----------------------------------------------------------------------

_ZIP = ("application/zip", "application/x-zip-compressed")


@router.get("/catalog/import")
def import_page(request: Request, person: CatalogEditor) -> Response:
    return _import_page(request, None, [], 200)  # nothing sent yet: the empty form


@router.post("/catalog/import")
async def import_zip(
    request: Request, person: CatalogEditor, database: Db, gate: Gate, settings: AppSettings
) -> Response:
    """The zip the file input sent (multipart, its size bounded like the API's import), then
    the API's import: validated whole outside any transaction, imported all or nothing."""
    async with request.form(max_files=1, max_fields=5) as posted:
        upload = posted.get("catalog")
        data = b""
        if isinstance(upload, UploadFile):
            data = await upload.read(settings.max_import_bytes + 1)
    if not data:
        return _import_page(request, "Choose a zip file of the catalog to import.", [], 422)
    if len(data) > settings.max_import_bytes:
        limit = settings.max_import_bytes // 1_048_576
        return _import_page(request, f"The file is larger than {limit} MB.", [], 413)
    principal = person.principal

    def work() -> tuple[dict[str, Any], dict[str, int], dict[str, int]]:
        with database.transaction(write=False) as session:
            before = _latest(session, principal)
            report = import_upload(database, session, principal, Upload(_ZIP[0], data), gate)
        with database.transaction(write=False) as session:
            after = _latest(session, principal)
        return {**report, "assurance": gate.after_import(principal)}, before, after

    try:
        report, before, after = await anyio.to_thread.run_sync(work)
    except Invalid as error:
        lines = [problem_line(problem) for problem in error.problems]
        return _import_page(request, error.detail, lines, error.status)
    except OfferwrightError as error:
        return _import_page(request, error.detail, [], error.status)
    return render(request, "curation/import.html", {
        "problems": [], "error": None, "report": import_summary(report),
        "assurance": report.get("assurance"), "changed": changed_components(before, after),
    })  # fmt: skip


def _latest(session: Any, principal: Principal) -> dict[str, int]:
    """Each component's latest version, to say which ones an import created or versioned."""
    listed = list_components(session, principal, limit=100_000)
    return {item["code"]: int(item["latest_version"]) for item in listed.items}


def _import_page(request: Request, error: str | None, problems: list[str], status: int) -> Response:
    return render(request, "curation/import.html", {"problems": problems, "error": error,
                  "report": None, "assurance": None, "changed": []}, status=status)  # fmt: skip
