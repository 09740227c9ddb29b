"""Security headers on every answer, decided in one place from the path and the media type
(a pure ASGI middleware: nothing is buffered, streamed answers stay streamed).

- every answer: ``X-Content-Type-Options: nosniff`` (a browser never guesses HTML out of
  JSON or a PDF), ``Referrer-Policy: no-referrer``, ``X-Frame-Options: DENY``;
- HTML: a Content-Security-Policy. A component document needs nothing but its own inline
  stylesheet and its template's style attributes (catalog text is sanitised Markdown: no
  scripts, images or style attributes of its own).
  ``/docs`` and ``/redoc`` are FastAPI's pages, which today load Swagger UI and ReDoc from
  the jsDelivr CDN (ReDoc its fonts from Google) and bootstrap Swagger UI with an inline
  script: their policy allows exactly that, until the docs ship offline and it can shrink
  to ``'self'``;
- ``Cache-Control`` by route family. Proposals (JSON and PDF), work packages and delivery
  packs, quotes, configurations and the audit log name customers, prices, cost and margin:
  ``no-store``, so no cache anywhere (a proxy between a customer's network and us, a
  shared browser's disk) keeps a copy. The rest of ``/v1``, the catalog, is
  ``private, no-cache``: never stored by a shared cache (a curator's answers carry cost),
  and revalidated by the caller's own against its ETag before each use. ``/healthz`` is
  never stored either; the OpenAPI document and the docs pages are left to defaults.
"""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DOCUMENT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
_CDN = "https://cdn.jsdelivr.net"
DOCS_POLICY = (
    f"default-src 'none'; script-src 'self' 'unsafe-inline' {_CDN}; "
    f"style-src 'self' 'unsafe-inline' {_CDN} https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com; "
    "connect-src 'self'; worker-src blob:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


NO_STORE = "no-store"
REVALIDATE = "private, no-cache"
_CONFIDENTIAL = re.compile(
    r"^/v1/(proposals|work-packages|quotes|configurations|audit)(/|$)"
    r"|^/v1/delivery-centres/[^/]+/work-packages(/|$)"
)


def cache_control(path: str) -> str | None:
    if path == "/healthz" or _CONFIDENTIAL.match(path):
        return NO_STORE
    if path.startswith("/v1/"):
        return REVALIDATE
    return None


def _is_docs(path: str) -> bool:
    return path in ("/docs", "/redoc") or path.startswith("/docs/")


def security_headers(path: str, content_type: str | None) -> dict[str, str]:
    """The headers an answer to ``path`` of this media type carries."""
    headers = dict(ALWAYS)
    if (content_type or "").split(";")[0].strip().lower() == "text/html":
        headers["Content-Security-Policy"] = DOCS_POLICY if _is_docs(path) else DOCUMENT_POLICY
    caching = cache_control(path)
    if caching is not None:
        headers["Cache-Control"] = caching
    return headers


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(path, headers.get("content-type")).items():
                    headers.setdefault(name, value)  # a route's own choice stands
            await send(message)

        await self.app(scope, receive, send_secured)
