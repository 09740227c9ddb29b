"""CSRF protection for every state-changing request a browser can make with its session
cookie: asgi-csrf (double-submit cookie, signed with itsdangerous) checks each non-GET
request's ``csrftoken`` form field or ``X-CSRFToken`` header (htmx sends it) against the
``csrftoken`` cookie, with the session cookie itself ``SameSite=Lax`` besides. The JSON API
(Bearer keys, no cookie is ever read) and the customer's pages (their own signed form
tokens, bound to the link) are outside it; everything else is inside, by default.

The signing key is the database's own (made by its migration): every process serving it
agrees, across restarts, with nothing to configure. It is read on the first request, once
the database is migrated (``offerwright serve`` builds the app before that).

Files are posted only to upload pages (``app.web.uploads``): their token is read from the
front of the multipart body and checked here against the cookie, as asgi-csrf checks a
form's (its own multipart reader fails on python-multipart 0.0.3x)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import MutableMapping
from typing import Any

from asgi_csrf import asgi_csrf, cookies_from_scope
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kit.database import Database
from app.models import InstanceSecret
from app.web.rendering import PAGE_HEADERS, PAGES
from app.web.uploads import boundary_of, is_upload_page, token_first

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
        self._signer: URLSafeSerializer | None = None
        self._lock = threading.Lock()

    def _build(self) -> ASGIApp:
        with self._lock:
            if self._protected is None:
                secret = self.database.read(lambda connection: connection.scalar(_SECRET))
                if secret is None:
                    raise RuntimeError("the database is not migrated: run `offerwright db upgrade`")
                self._signer = URLSafeSerializer(secret)
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
            boundary = _upload_boundary(scope)
            if boundary is None:
                # Our pages post urlencoded forms (htmx included), and files only to
                # their upload pages: anything else (a multipart body elsewhere, no type
                # at all) is refused before its body is read.
                await _refused(scope, send, None)
                return
            token, receive = await token_first(boundary, receive)
            if token is None or not self._matches_cookie(scope, token):
                # Checked here: on a mismatch asgi-csrf would go on to its own
                # multipart reader, which fails on python-multipart 0.0.3x.
                await _refused(scope, send, None)
                return
            headers = [(name, value) for name, value in scope["headers"] if name != _HEADER]
            scope = {**scope, "headers": [*headers, (_HEADER, token.encode("ascii"))]}
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

    def _matches_cookie(self, scope: Scope, token: str) -> bool:
        """As asgi-csrf checks a form's token: the cookie is one we signed, and equal."""
        cookie = cookies_from_scope(scope).get(CSRF_COOKIE, "")
        assert self._signer is not None  # built before any post is looked at
        try:
            self._signer.loads(cookie, CSRF_COOKIE)  # asgi-csrf's signing namespace
        except BadSignature:
            return False
        return secrets.compare_digest(cookie, token)


SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_HEADER = b"x-csrftoken"  # asgi-csrf checks it against the cookie, as a form's field


def _upload_boundary(scope: Scope) -> bytes | None:
    """The multipart boundary of a post to an upload page (None: not one)."""
    if not is_upload_page(scope["path"]):
        return None
    headers = dict(scope.get("headers") or [])
    return boundary_of(headers.get(b"content-type", b""))


def _a_form_or_htmx(scope: Scope) -> bool:
    headers = dict(scope.get("headers") or [])
    kind = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
    if kind == b"multipart/form-data":
        # Whatever headers it carries: asgi-csrf would fall back to its own multipart
        # reader on a header that does not match, which fails.
        return False
    if b"x-csrftoken" in headers:
        return True
    return bool(kind == b"application/x-www-form-urlencoded")
