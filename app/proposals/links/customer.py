"""The customer's page as an answer: the page of an open or accepted link with its forms
(or the acceptance), the page of a closed link (410) or of an unknown one (404)."""

from __future__ import annotations

from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from app.kit.inputs import whole_number
from app.kit.settings import Settings
from app.proposals.acceptance import service as acceptance
from app.proposals.acceptance.forms import AcceptanceForm, form_token
from app.proposals.choices import Choice, NotAChoice
from app.proposals.comparison import Comparison, comparison
from app.proposals.links.rendering import closed_html, page_html
from app.proposals.links.service import Opened
from app.proposals.revision import FrozenRevision, read_revision

# Every customer page: never kept by a cache (it names the customer and prices), and a
# policy that lets it load its own stylesheet and post its own forms, and nothing else.
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# Referrer: same-origin, not no-referrer, so that a browser posting the page's forms names
# their origin (under no-referrer it sends "Origin: null"); the token in the address still
# never leaves for another site.
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": PAGE_POLICY,
    "Referrer-Policy": "same-origin",
}


def html(content: str, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(content, status_code=status, headers={**HEADERS, **(headers or {})})


def unknown(settings: Settings) -> HTMLResponse:
    return html(closed_html("unknown", settings.provider_name, None, None), 404)


def closed(opened: Opened, settings: Settings) -> HTMLResponse:
    return html(
        closed_html(opened.state, settings.provider_name, opened.proposal.author,
                    opened.proposal.number),
        410,
    )  # fmt: skip


def page(
    session: Session,
    opened: Opened,
    settings: Settings,
    token: str,
    *,
    form: AcceptanceForm | None = None,
    decline_error: str | None = None,
    reason: str | None = None,
    status: int = 200,
    choice: Choice | None = None,
) -> HTMLResponse:
    """The page of a link that is open (with the forms) or accepted (with the acceptance);
    a closed link's page otherwise."""
    if opened.state not in ("open", "accepted"):
        return closed(opened, settings)
    record = acceptance.acceptance_of(session, opened.proposal.id)
    shown = None if record is None else acceptance.shown(record, opened.revision)
    link_id = opened.link.id
    content = page_html(
        proposal=opened.proposal, revision=opened.revision, provider=settings.provider_name,
        state=opened.state, base=f"/p/{token}", acceptance=shown,
        choices=chosen(read_revision(opened.revision.content), choice, form),
        form=form or AcceptanceForm(),
        accept_token=form_token(settings.form_secret, token, link_id, "accept"),
        decline_token=form_token(settings.form_secret, token, link_id, "decline"),
        decline_error=decline_error, reason=reason,
    )  # fmt: skip
    return html(content, status)


def chosen(
    frozen: FrozenRevision, choice: Choice | None, form: AcceptanceForm | None
) -> Comparison:
    """The comparison with the choice the page shows: the one asked for in the address,
    or posted with a form that had errors; the first option when neither is offered."""
    wanted = choice
    if wanted is None and form is not None and not {"option", "add_on"} & set(form.errors):
        wanted = form.choice
    try:
        return comparison(frozen, wanted or Choice())
    except NotAChoice:
        return comparison(frozen)


def asked_choice(option: str | None, add_ons: list[str]) -> Choice | None:
    """The choice in a page's address (``?option=2&add_on=1``), None when there is none or
    it is not a choice at all (the page then shows the first option)."""
    numbers = [whole_number(text, most=999) for text in (option, *add_ons)]
    if option is None or any(number is None for number in numbers):
        return None
    chosen, *extras = (number for number in numbers if number is not None)
    return Choice(chosen, tuple(sorted(set(extras))))
