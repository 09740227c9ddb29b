"""The users admin page: the accounts, and creating, disabling, enabling one and resetting
its password, each through app.accounts (audited) as the command line does. Every change is
a form post (CSRF-checked by the middleware) answered 303 back to the list with a notice;
a refused one renders the page again with the messages next to their fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, get_args
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import (
    accounts,
    create_account,
    delivery_centres,
    disable_account,
    enable_account,
    reset_account_password,
)
from app.auth import MIN_PASSWORD, Role, SignedIn, find_user
from app.kit.database import Database
from app.kit.errors import Conflict, Invalid
from app.kit.wiring import wired
from app.web.auth import UserAdmin
from app.web.errors import mark_page
from app.web.forms import read_form
from app.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])
Db = Annotated[Database, Depends(wired(Database))]

LIST = "/admin/users"
ROLES: tuple[str, ...] = get_args(Role)
# What the list says after a change (the query string names which, never free text).
NOTICES = {
    "created": "Created the account of {email}.",
    "disabled": "Disabled {email}: its sessions have ended and it cannot sign in.",
    "already-disabled": "{email} was already disabled.",
    "enabled": "Enabled {email}: it can sign in again.",
    "already-enabled": "{email} was already enabled.",
    "reset": "Set a new password for {email}: its sessions have ended.",
}
ROLE_HINTS = {
    "sales": "configures and proposes",
    "portfolio": "curates the catalog",
    "approver": "approves proposals",
    "delivery": "one delivery centre's work",
    "admin": "everything, and accounts",
}
EMPTY_FORM = {"email": "", "name": "", "role": "sales", "centre": ""}


def _back(done: str, email: str) -> Response:
    return RedirectResponse(f"{LIST}?{_query(done=done, email=email)}", status_code=303)


def _query(**pairs: str) -> str:
    return urlencode(pairs)


def _listing(
    request: Request, database: Database, person: SignedIn, *, status: int = 200,
    form: Mapping[str, str] = EMPTY_FORM, errors: Mapping[str, str] | None = None,
    row_error: tuple[str, str] | None = None, notice: str | None = None,
) -> Response:  # fmt: skip
    with database.transaction(write=False) as session:
        people, centres = accounts(session), delivery_centres(session)
    return render(request, "users/list.html", {
        "title": "Users", "accounts": people, "centres": centres, "roles": ROLES,
        "role_hints": ROLE_HINTS, "form": form, "errors": dict(errors or {}),
        "row_error": row_error, "notice": notice, "me": person.principal.name,
        "min_password": MIN_PASSWORD,
    }, status=status)  # fmt: skip


@router.get(LIST)
def users_page(
    request: Request, person: UserAdmin, database: Db, done: str = "", email: str = ""
) -> Response:
    notice = NOTICES[done].format(email=email) if done in NOTICES and email else None
    return _listing(request, database, person, notice=notice)


def _problems(error: Invalid) -> dict[str, str]:
    found: dict[str, str] = {}
    for problem in error.problems:
        found.setdefault(problem.field, problem.message)
    return found or {"email": error.detail}


@router.post(LIST)
async def create_user_page(request: Request, person: UserAdmin, database: Db) -> Response:
    form = await read_form(request)
    values = {name: form.one(name) for name in ("email", "name", "role", "centre")}
    password = form.raw("password")

    def create() -> Response:
        try:
            with database.transaction(write=True) as session:
                account = create_account(
                    session, person.principal, email=values["email"], name=values["name"],
                    role=values["role"], password=password,
                    centre=values["centre"] if values["role"] == "delivery" else None,
                )  # fmt: skip
        except Invalid as error:
            return _listing(request, database, person, status=422, form=values,
                            errors=_problems(error))  # fmt: skip
        except Conflict as error:
            return _listing(request, database, person, status=409, form=values,
                            errors={"email": _sentence(error.detail)})  # fmt: skip
        return _back("created", account.email)

    return await anyio.to_thread.run_sync(create)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


@router.post(LIST + "/disable")
async def disable_user_page(request: Request, person: UserAdmin, database: Db) -> Response:
    email = (await read_form(request)).one("email")

    def disable() -> Response:
        try:
            with database.transaction(write=True) as session:
                changed = disable_account(session, person.principal, email)
        except Invalid as error:
            return _listing(request, database, person, status=422,
                            row_error=(email.lower(), _problems(error)["email"]))  # fmt: skip
        return _back("disabled" if changed else "already-disabled", email.lower())

    return await anyio.to_thread.run_sync(disable)


@router.post(LIST + "/enable")
async def enable_user_page(request: Request, person: UserAdmin, database: Db) -> Response:
    email = (await read_form(request)).one("email")

    def enable() -> Response:
        with database.transaction(write=True) as session:
            changed = enable_account(session, person.principal, email)
        return _back("enabled" if changed else "already-enabled", email.lower())

    return await anyio.to_thread.run_sync(enable)


def _password_page(
    request: Request, email: str, *, error: str | None = None, status: int = 200
) -> Response:
    return render(request, "users/password.html", {
        "title": f"New password for {email}", "email": email, "error": error,
        "min_password": MIN_PASSWORD,
    }, status=status)  # fmt: skip


@router.get(LIST + "/password")
def password_page(request: Request, person: UserAdmin, database: Db, email: str) -> Response:
    with database.transaction(write=False) as session:  # an unknown account: its 404 page
        account = find_user(session, email).email
    return _password_page(request, account)


@router.post(LIST + "/password")
async def reset_password_page(request: Request, person: UserAdmin, database: Db) -> Response:
    form = await read_form(request)
    email, password = form.one("email").lower(), form.raw("password")

    def reset() -> Response:
        try:
            with database.transaction(write=True) as session:
                reset_account_password(session, person.principal, email, password)
        except Invalid as error:
            message = _problems(error).get("password", error.detail)
            return _password_page(request, email, error=message, status=422)
        return _back("reset", email)

    return await anyio.to_thread.run_sync(reset)
