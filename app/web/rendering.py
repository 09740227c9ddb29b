"""Pages as HTML: one Jinja2 environment (autoescaped), the layout's context (who is signed
in, their navigation, the CSRF token for forms), and the package's own static files under
URLs versioned by their content (no CDN)."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from app.auth import Permission, Principal, SignedIn

STATIC = {
    "app.css": "text/css",
    # each area's own rules, linked from its templates' head block
    "selling.css": "text/css",
    "workspace.css": "text/css",
    "admin.css": "text/css",
    "catalog.css": "text/css",
    "curation.css": "text/css",
    "insights.css": "text/css",
    "lifecycle.css": "text/css",
    "delivery.css": "text/css",
    "htmx.min.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
}

# Pages name customers, prices and (for some roles) cost: never kept by any cache. The
# policy lets a page load its own files and post its own forms, and nothing else.
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": PAGE_POLICY,
    # same-origin: a browser posting our forms names their origin (checked with the token)
    "Referrer-Policy": "same-origin",
}


@functools.cache
def static_file(name: str) -> bytes:
    return (resources.files("app.web") / "static" / name).read_bytes()


@functools.cache
def static_url(name: str) -> str:
    return f"/static/{name}?v={hashlib.sha256(static_file(name)).hexdigest()[:12]}"


def _money(value: Any, currency: str | None = None) -> str:
    """An exact amount as people read it: 12,345.60 EUR (strings from the services kept
    exact: parsed as Decimal, never float)."""
    amount = Decimal(str(value))
    text = f"{amount:,.2f}"
    return f"{text} {currency}" if currency else text


PAGES = Environment(
    loader=PackageLoader("app.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,  # a misspelt name is an error in a test, not a blank
    trim_blocks=True,
    lstrip_blocks=True,
)
PAGES.globals["static"] = static_url
PAGES.filters["money"] = _money


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str
    permission: Permission | None  # None: every signed-in role
    roles: tuple[str, ...] = ()  # and, when given, only these roles (no permission says it)


# The navigation, in order; each role sees the entries its permissions open.
NAVIGATION = (
    NavItem("New configuration", "/configure", "proposal.create"),
    NavItem("Proposals", "/proposals", "proposal.create"),
    NavItem("Proposals", "/proposals", "proposal.read_all"),
    NavItem("Approvals", "/approvals", "proposal.approve"),
    NavItem("Users", "/admin/users", "users.manage"),
    NavItem("Catalog", "/catalog", "catalog.read"),
    NavItem("Assurance", "/assurance", "catalog.assure"),
    NavItem("Price books", "/price-books", "catalog.read_unreleased"),
    NavItem("Insights", "/insights", "insights.read"),
    NavItem("Delivery", "/delivery", None, roles=("delivery", "admin")),
)


def navigation(principal: Principal) -> list[NavItem]:
    shown: list[NavItem] = []
    for item in NAVIGATION:
        allowed = item.permission is None or principal.can(item.permission)
        allowed = allowed and (not item.roles or principal.role in item.roles)
        if allowed and all(seen.href != item.href for seen in shown):
            shown.append(item)
    return shown


def csrf_token(request: Request) -> str:
    """The token the CSRF middleware expects back in a form's ``csrftoken`` field (or the
    ``X-CSRFToken`` header htmx sends): reading it sets its cookie when missing."""
    return str(request.scope["csrftoken"]())


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A page (or a fragment, for htmx) in the layout's context."""
    signed_in: SignedIn | None = getattr(request.state, "signed_in", None)
    html = PAGES.get_template(template).render(
        request=request,
        path=request.url.path,
        signed_in=signed_in,
        nav=navigation(signed_in.principal) if signed_in else [],
        csrf=csrf_token(request),
        **(context or {}),
    )
    return HTMLResponse(html, status_code=status, headers={**PAGE_HEADERS, **(headers or {})})
