"""Security headers on every answer, decided in one place from the path and the media type
(a pure ASGI middleware: nothing is buffered, streamed answers stay streamed).

- every answer: ``X-Content-Type-Options: nosniff`` (a browser never guesses HTML out of
  JSON or a PDF), ``Referrer-Policy: no-referrer``, ``X-Frame-Options: DENY``;
- HTML: a Content-Security-Policy. A component document needs nothing but its own inline
  stylesheet and its template's style attributes (catalog text is sanitised Markdown: no
  scripts, images or style attributes of its own).
  ``/docs`` and ``/redoc`` load Swagger UI and ReDoc from our own assets (app/kit/api_docs.py):
  their policies allow ``'self'`` and nothing from another host. Swagger UI starts from one
  inline script, allowed by its hash (its page sets its own policy: ``swagger_ui_policy``);
  ReDoc writes its stylesheet into ``<style>`` elements at run time (so inline styles) and
  runs its search in a worker made from a ``blob:`` URL;
- ``Cache-Control`` by route family. Proposals (JSON and PDF), work packages and delivery
  packs, quotes, configurations and the audit log name customers, prices, cost and margin,
  and webhooks carry signing secrets and the payloads sent, and the insights contract
  values and margins: ``no-store``, so no cache
  anywhere (a proxy between a customer's network and us, a shared browser's disk) keeps a
  copy. The rest of ``/v1``, the catalog, is ``private, no-cache``: never stored by a
  shared cache (a curator's answers carry cost), and revalidated by the caller's own
  against its ETag before each use. ``/healthz`` is never stored either; the OpenAPI
  document and the docs pages are left to defaults.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DOCUMENT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


_DOCS = (
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


def swagger_ui_policy(inline_scripts: Iterable[str] = ()) -> str:
    """Swagger UI's page: scripts and stylesheet of its own origin, and these inline scripts
    by their SHA-256 hash, so that no other inline script runs."""
    hashes = "".join(
        f" 'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in inline_scripts
    )
    return f"default-src 'none'; script-src 'self'{hashes}; style-src 'self'; {_DOCS}"


REDOC_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    f"worker-src blob:; {_DOCS}"
)
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


NO_STORE = "no-store"
REVALIDATE = "private, no-cache"
_CONFIDENTIAL = re.compile(
    r"^/v1/(proposals|work-packages|quotes|configurations|audit|webhooks|insights)(/|$)"
    r"|^/v1/delivery-centres/[^/]+/work-packages(/|$)"
)


def cache_control(path: str) -> str | None:
    if path == "/healthz" or _CONFIDENTIAL.match(path):
        return NO_STORE
    if path.startswith("/v1/"):
        return REVALIDATE
    return None


def _html_policy(path: str) -> str:
    if path == "/redoc":
        return REDOC_POLICY
    if path == "/docs" or path.startswith("/docs/"):
        return swagger_ui_policy()  # /docs itself sends one with its inline script's hash
    return DOCUMENT_POLICY


def security_headers(path: str, content_type: str | None) -> dict[str, str]:
    """The headers an answer to ``path`` of this media type carries."""
    headers = dict(ALWAYS)
    if (content_type or "").split(";")[0].strip().lower() == "text/html":
        headers["Content-Security-Policy"] = _html_policy(path)
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
