"""The customer's page as HTML: the proposal document's own data (``app.proposals.pdf``,
as the PDF is built) and the document macros (``sections.html``), in page templates of
this package, with the forms and states only a page has. Autoescaped throughout."""

from __future__ import annotations

import functools
import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader
from markupsafe import Markup

from app.documents import ENVIRONMENT
from app.models import Proposal, ProposalRevision
from app.proposals.comparison import Comparison
from app.proposals.links.state import LinkState
from app.proposals.pdf import context, document_of
from app.proposals.revision import Customer

assert ENVIRONMENT.loader is not None
PAGES: Environment = ENVIRONMENT.overlay(
    loader=ChoiceLoader([PackageLoader("app.proposals", "templates"), ENVIRONMENT.loader])
)


# The page's own files (no CDN), each served under a URL versioned by its content: a
# browser may keep it for a year and never sees a stale one.
STATIC = {
    "customer.css": "text/css",
    "favicon.svg": "image/svg+xml",
    "htmx.min.js": "text/javascript",
}


@functools.cache
def static_file(name: str) -> bytes:
    return (resources.files("app.proposals") / "static" / name).read_bytes()


@functools.cache
def static_url(name: str) -> str:
    return f"/p/static/{name}?v={hashlib.sha256(static_file(name)).hexdigest()[:12]}"


def stylesheet_url() -> str:
    return static_url("customer.css")


@dataclass(frozen=True, slots=True)
class Drawn:
    """A revision as a page shows it: the PDF's context, and its document part drawn."""

    facts: dict[str, Any]
    html: Markup  # drawn by our own autoescaped template


_DRAWN: dict[tuple[int, str, str], Drawn] = {}
_KEEP = 64  # revisions drawn and kept per process
_DRAWING = threading.Lock()


def drawn(proposal: Proposal, revision: ProposalRevision, provider: str) -> Drawn:
    """A revision never changes, so its document part is drawn once per process: the page
    then costs a template of forms and states, not the Markdown of every schedule."""
    key = (revision.id, revision.content_hash, provider)
    found = _DRAWN.get(key)
    if found is None:
        facts = context(document_of(proposal, revision, provider))
        html = Markup(PAGES.get_template("customer/document.html").render(**facts))
        found = Drawn(facts, html)
        with _DRAWING:  # request threads share the cache: one changes it at a time
            if len(_DRAWN) >= _KEEP:
                _DRAWN.pop(next(iter(_DRAWN)), None)
            _DRAWN[key] = found
    return found


def when(moment: datetime) -> str:
    return f"{moment:%d %B %Y, %H:%M} UTC"


def page_html(
    *,
    proposal: Proposal,
    revision: ProposalRevision,
    provider: str,
    state: LinkState,
    base: str,
    **parts: Any,
) -> str:
    """The whole page: ``parts`` are the acceptance, the forms and their tokens."""
    shown = drawn(proposal, revision, provider)
    return PAGES.get_template("customer/page.html").render(
        doc=shown.facts,
        document=shown.html,
        customer=Customer.model_validate(proposal.customer),
        number=proposal.number,
        revision=revision.revision,
        valid_until=f"{revision.valid_until:%d %B %Y}",
        provider=provider,
        contact=proposal.author,
        state=state,
        base=base,
        stylesheet=stylesheet_url(),
        icon=static_url("favicon.svg"),
        script=static_url("htmx.min.js"),
        **parts,
    )


def choice_html(choices: Comparison) -> str:
    """What a choice comes to, as the fragment the page swaps in when the choice changes."""
    return PAGES.get_template("customer/choice_summary.html").render(choices=choices, form=None)


CLOSED_TITLES: dict[str, str] = {
    "revoked": "This link has been withdrawn",
    "superseded": "This proposal has been replaced by a newer version",
    "withdrawn": "This proposal has been withdrawn",
    "declined": "This proposal was declined",
    "expired": "This proposal has expired",
    "closed": "This proposal is not open for a decision",
    "accepted": "This proposal has been accepted",
    "unknown": "This link is not valid",
}


def closed_html(state: str, provider: str, contact: str | None, number: str | None) -> str:
    """The page of a link that leads nowhere now: why, and whom to ask. An unknown link
    names nothing (no proposal, no contact) but the provider."""
    return PAGES.get_template("customer/closed.html").render(
        state=state, title=CLOSED_TITLES[state], provider=provider, contact=contact,
        number=number, stylesheet=stylesheet_url(), icon=static_url("favicon.svg"),
    )  # fmt: skip


def refused_html(provider: str, base: str) -> str:
    """A form post we could not take as the customer's own (a forged or stale form)."""
    return PAGES.get_template("customer/refused.html").render(
        provider=provider,
        base=base,
        stylesheet=stylesheet_url(),
        icon=static_url("favicon.svg"),
    )


def unavailable_html(provider: str, base: str, *, preparing: str | None = None) -> str:
    """The PDF could not be rendered now (every renderer busy, a limit met), or is being
    prepared (``preparing``: seconds after which the page asks again by itself)."""
    return PAGES.get_template("customer/unavailable.html").render(
        provider=provider, base=base, stylesheet=stylesheet_url(),
        icon=static_url("favicon.svg"), preparing=preparing,
    )  # fmt: skip
