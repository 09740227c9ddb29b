"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) from assets shipped in the package
(app/kit/static/docs/, see its README.txt), so both work offline and load nothing from
another host.

The assets live under folders named with their version, so an asset's URL changes whenever
its bytes do: they are answered with a year-long, immutable Cache-Control (plus the ETag
StaticFiles gives every file). Swagger UI starts from one inline script; its page's
Content-Security-Policy allows that script by its hash, and nothing inline besides.
"""

from __future__ import annotations

import os
import re
from os import PathLike
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from app.kit.security_headers import swagger_ui_policy

STATIC = Path(__file__).parent / "static" / "docs"
SWAGGER_UI = "swagger-ui-5.36.0"
REDOC = "redoc-2.5.4"
ASSETS_PATH = "/docs/assets"
# The files the pages load, by the URL path under ASSETS_PATH (also what the packaging
# test checks the wheel for).
SWAGGER_JS = f"{SWAGGER_UI}/swagger-ui-bundle.js"
SWAGGER_CSS = f"{SWAGGER_UI}/swagger-ui.css"
FAVICON = f"{SWAGGER_UI}/favicon-32x32.png"
REDOC_JS = f"{REDOC}/redoc.standalone.js"
ASSETS = (SWAGGER_JS, SWAGGER_CSS, FAVICON, REDOC_JS)

IMMUTABLE = "public, max-age=31536000, immutable"
# Swagger UI: keep a pasted key across reloads (in the browser's localStorage), and never ask
# validator.swagger.io about our document (the validator badge would).
SWAGGER_UI_PARAMETERS = {"persistAuthorization": True, "validatorUrl": None}
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


class _VersionedAssets(StaticFiles):
    def file_response(
        self,
        full_path: str | PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = IMMUTABLE  # a 304 keeps it too
        return response


router = APIRouter(include_in_schema=False)
router.mount(ASSETS_PATH, _VersionedAssets(directory=STATIC), name="docs-assets")


def _urls(request: Request) -> tuple[str, str]:
    """The OpenAPI document's URL and the assets' URL prefix, behind any root path."""
    root = request.scope.get("root_path", "").rstrip("/")
    return f"{root}{request.app.openapi_url}", f"{root}{ASSETS_PATH}"


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    openapi_url, assets = _urls(request)
    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{request.app.title} — API",
        swagger_js_url=f"{assets}/{SWAGGER_JS}",
        swagger_css_url=f"{assets}/{SWAGGER_CSS}",
        swagger_favicon_url=f"{assets}/{FAVICON}",
        swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
    )
    inline = _INLINE_SCRIPT.findall(bytes(page.body).decode())
    page.headers["Content-Security-Policy"] = swagger_ui_policy(inline)
    return page


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    openapi_url, assets = _urls(request)
    return get_redoc_html(
        openapi_url=openapi_url,
        title=f"{request.app.title} — API",
        redoc_js_url=f"{assets}/{REDOC_JS}",
        redoc_favicon_url=f"{assets}/{FAVICON}",
        with_google_fonts=False,
    )
