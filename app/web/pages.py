"""The shell of the web app: sign-in, sign-out, the home page of each role, and the static
files. Thin: the accounts, sessions and throttling are app.auth's."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import (
    SESSION_COOKIE,
    SignInThrottle,
    check_sign_in,
    end_session,
    normal_email,
    signed_in_user,
    start_session,
)
from app.kit.database import Database
from app.kit.settings import Settings
from app.kit.wiring import wired
from app.web.auth import Person, lifetimes
from app.web.csrf import CSRF_COOKIE
from app.web.errors import mark_page, safe_next
from app.web.forms import read_form
from app.web.rendering import STATIC, render, static_file

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])
Db = Annotated[Database, Depends(wired(Database))]
AppSettings = Annotated[Settings, Depends(wired(Settings))]
Throttle = Annotated[SignInThrottle, Depends(wired(SignInThrottle))]


@router.get("/static/{name}")
def web_static(name: str) -> Response:
    """The app's stylesheet, script and icon; URLs carry a hash of the content, so a
    browser may keep them for good."""
    if name not in STATIC:
        return Response(status_code=404, headers={"Cache-Control": "no-store"})
    return Response(
        static_file(name),
        media_type=STATIC[name],
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


@router.get("/sign-in")
def sign_in_page(
    request: Request, next: str = "/", expired: str | None = None, signed_out: str | None = None
) -> Response:
    notice = None
    if expired:
        notice = "Your session has ended. Sign in again to carry on."
    elif signed_out:
        notice = "You have signed out."
    return render(request, "sign_in.html", {
        "next": safe_next(next), "notice": notice, "email": "", "error": None,
    })  # fmt: skip


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/sign-in")
async def sign_in(
    request: Request, database: Db, settings: AppSettings, throttle: Throttle
) -> Response:
    form = await read_form(request)
    email, password = normal_email(form.one("email")), form.raw("password")
    target = safe_next(form.one("next"))
    context = {"next": target, "notice": None, "email": email}
    wait = throttle.wait(email, _client(request))
    if wait:
        message = f"Too many failed sign-ins. Try again in {wait} seconds."
        return render(request, "sign_in.html", {**context, "error": message}, status=429,
                      headers={"Retry-After": str(wait)})  # fmt: skip
    if not email or not password:
        return render(request, "sign_in.html", {
            **context, "error": "Enter your e-mail address and your password.",
        }, status=422)  # fmt: skip

    previous = request.cookies.get(SESSION_COOKIE)

    def attempt() -> str | None:
        with database.transaction(write=False) as session:
            checked = check_sign_in(session, email, password)
        if checked is None:
            return None
        with database.transaction(write=True) as session:
            user = signed_in_user(session, checked)
            if user is None:
                return None
            if previous:  # a browser signing in again leaves no session of the last one
                end_session(session, previous)
            return start_session(
                session, user, lifetimes(settings), address=_client(request),
                user_agent=request.headers.get("user-agent"),
            )  # fmt: skip

    token = await anyio.to_thread.run_sync(attempt)
    if token is None:
        throttle.failed(email, _client(request))
        return render(request, "sign_in.html", {
            **context, "error": "That e-mail address and password do not match an account.",
        }, status=401)  # fmt: skip
    answer = RedirectResponse(target, status_code=303)
    answer.set_cookie(
        SESSION_COOKIE, token, max_age=settings.session_absolute_hours * 3600, path="/",
        httponly=True, samesite="lax", secure=_secure(request, settings),
    )  # fmt: skip
    _new_form_token(answer)
    return answer


def _secure(request: Request, settings: Settings) -> bool:
    """Cookies only over HTTPS when served over it, whether the request says so (a trusted
    proxy's headers) or the public URL does (a proxy that does not say)."""
    public = (settings.public_base_url or "").startswith("https://")
    return public or request.url.scheme == "https"


def _new_form_token(answer: Response) -> None:
    """Forget the CSRF token when who is signed in changes: the next page makes a new one,
    so a token planted or seen before the change is worth nothing after it."""
    answer.delete_cookie(CSRF_COOKIE, path="/")


@router.post("/sign-out")
def sign_out(request: Request, database: Db, settings: AppSettings) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with database.transaction(write=True) as session:
            end_session(session, token)
    answer = RedirectResponse("/sign-in?signed_out=1", status_code=303)
    answer.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                         secure=_secure(request, settings))  # fmt: skip
    _new_form_token(answer)
    return answer


@router.get("/")
def home(request: Request, person: Person) -> Response:
    return render(request, "home.html", {"person": person})
