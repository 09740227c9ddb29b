"""CSRF protection for every state-changing request a browser can make with its session
cookie: asgi-csrf (double-submit cookie, signed with itsdangerous) checks each non-GET
request's ``csrftoken`` form field or ``X-CSRFToken`` header (htmx sends it) against the
``csrftoken`` cookie, with the session cookie itself ``SameSite=Lax`` besides. The JSON API
(Bearer keys, no cookie is ever read) and the customer's pages (their own signed form
tokens, bound to the link) are outside it; everything else is inside, by default.

The signing key is the database's own (made by its migration): every process serving it
agrees, across restarts, with nothing to configure. It is read on the first request, once
the database is migrated (``offerwright serve`` builds the app before that)."""

from __future__ import annotations

import threading
from collections.abc import MutableMapping
from typing import Any

from asgi_csrf import asgi_csrf
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kit.database import Database
from app.models import InstanceSecret
from app.web.rendering import PAGE_HEADERS, PAGES

_SECRET = select(InstanceSecret.value).where(InstanceSecret.name == "forms")
CSRF_COOKIE = "csrftoken"  # asgi-csrf's cookie (and form field) name
OUTSIDE = ("/v1/", "/p/", "/healthz", "/openapi.json", "/docs", "/redoc")


def _outside(scope: MutableMapping[str, Any]) -> bool:
    path: str = scope["path"]
    return path.startswith(OUTSIDE)


async def _refused(scope: Scope, send: Send, message_id: Any) -> None:
    html = PAGES.get_template("csrf_refused.html").render(
        request=None, path=scope["path"], signed_in=None, nav=[], csrf=""
    )
    headers = [(b"content-type", b"text/html; charset=utf-8")]
    headers += [(name.lower().encode(), value.encode()) for name, value in PAGE_HEADERS.items()]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": html.encode()})


class Csrf:
    def __init__(self, app: ASGIApp, database: Database, *, secure: bool = False) -> None:
        self.app = app
        self.database = database
        self.secure = secure
        self._protected: ASGIApp | None = None
        self._lock = threading.Lock()

    def _build(self) -> ASGIApp:
        with self._lock:
            if self._protected is None:
                secret = self.database.read(lambda connection: connection.scalar(_SECRET))
                if secret is None:
                    raise RuntimeError("the database is not migrated: run `offerwright db upgrade`")
                self._protected = asgi_csrf(
                    self.app, signing_secret=secret, skip_if_scope=_outside,
                    # a sign-in form posted from another site would sign the victim in as
                    # the attacker: protected although such a post carries no cookie
                    always_protect={"/sign-in"}, cookie_secure=self.secure,
                    send_csrf_failed=_refused,
                )  # fmt: skip
            return self._protected

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _outside(scope):
            await self.app(scope, receive, send)
            return
        try:
            protected = self._protected or self._build()
        except DBAPIError:
            if scope["method"] not in SAFE:
                raise
            # A database not migrated yet (or not answering): nothing can be posted, but
            # what needs no form (the API's answers, a 404) is still answered.
            await self.app(scope, receive, send)
            return
        if scope["method"] not in SAFE and not _a_form_or_htmx(scope):
            # Our pages post only urlencoded forms (htmx included): anything else (a
            # multipart body, which asgi-csrf's parser fails on, or no type at all) is
            # refused before its body is read.
            await _refused(scope, send, None)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await protected(scope, receive, watched)
        except UnicodeDecodeError:  # asgi-csrf reads the form strictly as UTF-8
            if started:
                raise
            await _refused(scope, send, None)


SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _a_form_or_htmx(scope: Scope) -> bool:
    headers = dict(scope.get("headers") or [])
    if b"x-csrftoken" in headers:
        return True
    kind = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
    return bool(kind == b"application/x-www-form-urlencoded")
