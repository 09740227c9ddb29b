"""What a page answers when something stops it: the sign-in page for no session, a page
that says what the role may not do, and, for a domain error a page did not turn into a
message next to its field (an unknown proposal, a busy solver), a page with the problem's
own words. JSON routes keep their RFC 9457 problems: only requests a page router marked
(``request.state.page``) get HTML."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from app.kit.errors import OfferwrightError
from app.web.auth import PageForbidden, SignInRequired
from app.web.rendering import render

Handler = Callable[[Request, Exception], Awaitable[Response] | Response]


async def mark_page(request: Request) -> None:
    """Every page router's first dependency: errors on this request answer as pages."""
    request.state.page = True


def _sign_in(request: Request, error: Exception) -> Response:
    assert isinstance(error, SignInRequired)
    url = error.next_url + ("&expired=1" if error.expired else "")
    if request.headers.get("hx-request"):  # htmx follows this with a full page load
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _forbidden(request: Request, error: Exception) -> Response:
    assert isinstance(error, PageForbidden)
    return render(request, "error.html", {
        "title": "Not for your role",
        "message": f"The {error.role} role cannot open this page.", "retry": None,
    }, status=403)  # fmt: skip


def install(app: FastAPI) -> None:
    """After ``app.kit.problems.install``: wraps its handler of domain errors."""
    problems = cast(Handler, app.exception_handlers[OfferwrightError])

    async def domain(request: Request, error: Exception) -> Response:
        if not getattr(request.state, "page", False):
            answer = problems(request, error)
            return await answer if isinstance(answer, Awaitable) else answer
        assert isinstance(error, OfferwrightError)
        headers = {k: v for k, v in error.headers.items() if k.lower() == "retry-after"}
        return render(request, "error.html", {
            "title": error.title, "message": error.detail,
            "retry": headers.get("Retry-After"),
        }, status=error.status, headers=headers)  # fmt: skip

    app.add_exception_handler(OfferwrightError, domain)
    _as_pages(
        app,
        RequestValidationError,
        "Not a valid address",
        "Part of this page's address is not valid: check the link you followed.",
    )
    _as_pages(app, HTTPException, None, None)
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(PageForbidden, _forbidden)


_API = ("/v1/", "/p/", "/docs", "/redoc", "/openapi.json", "/healthz")


def _wants_page(request: Request) -> bool:
    """A page's request (its router marked it), or a browser's for an address outside the
    API (an unknown page): answered as a page."""
    if getattr(request.state, "page", False):
        return True
    return not request.url.path.startswith(_API) and "text/html" in request.headers.get(
        "accept", ""
    )


def _as_pages(app: FastAPI, kind: type[Exception], title: str | None, message: str | None) -> None:
    """Wrap the API's handler of ``kind``: pages get a page with the same status."""
    problems = cast(Handler, app.exception_handlers[kind])

    async def handle(request: Request, error: Exception) -> Response:
        answer = problems(request, error)
        answer = await answer if isinstance(answer, Awaitable) else answer
        if not _wants_page(request):
            return answer
        status = answer.status_code
        shown = title or ("Page not found" if status == 404 else "This request cannot be served")
        words = message or ("There is no page at this address." if status == 404
                            else "The request was not one this page answers.")  # fmt: skip
        headers = {k: v for k, v in answer.headers.items() if k.lower() in ("allow", "retry-after")}
        return render(request, "error.html", {"title": shown, "message": words, "retry": None},
                      status=status, headers=headers)  # fmt: skip

    app.add_exception_handler(kind, handle)


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: a path of ours only (never //host or a scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return quote(target, safe="/?=&%-_.~:+,;@")
