"""The customer page's forms: their signed hidden tokens (itsdangerous: bound to the link
and the form, timed), the Origin check, and the acceptance form's fields read and checked
with a message per field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.proposals.choices import Choice
from app.proposals.comparison import Comparison

_SALT = "offerwright.customer-form"
NAME_LENGTH = 200
EMAIL_LENGTH = 254
REASON_LENGTH = 2000
# A practical check, not RFC 5322: one @, a dot in the domain, no spaces.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _serializer(secret: str, token: str) -> URLSafeTimedSerializer:
    # The link's own token is part of the key: only who holds the link can make a form
    # token for it, whatever the configured secret (empty by default).
    return URLSafeTimedSerializer(secret + "\x00" + token, salt=_SALT)


def form_token(secret: str, token: str, link_id: int, form: str) -> str:
    return _serializer(secret, token).dumps({"link": link_id, "form": form})


def form_token_valid(
    secret: str, token: str, link_id: int, form: str, value: str, max_age: int
) -> bool:
    try:
        data = _serializer(secret, token).loads(value, max_age=max_age)
    except BadSignature:  # tampered, of another link or form, or too old (SignatureExpired)
        return False
    return isinstance(data, dict) and data == {"link": link_id, "form": form}


def same_origin(origin: str | None, fetch_site: str | None, allowed: set[str]) -> bool:
    """A post from our own pages: a browser that says where the post comes from
    (``Sec-Fetch-Site``) must say from here; an Origin header, when sent, must be one of
    ours. "null" (a browser hiding the origin under a no-referrer policy, or a sandboxed
    frame) passes only when Sec-Fetch-Site says same-origin. Without either (older
    browsers, non-browser clients) the signed form token alone decides."""
    site = None if fetch_site is None else fetch_site.strip().lower()
    if site is not None and site not in ("same-origin", "none"):
        return False
    if origin is None:
        return True
    origin = origin.strip().lower().rstrip("/")
    return origin in allowed or (origin == "null" and site == "same-origin")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def parsed(body: bytes) -> list[tuple[str, str]]:
    """An application/x-www-form-urlencoded body as its pairs, in order."""
    return parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)


def _one(pairs: list[tuple[str, str]], name: str) -> str:
    values = [value for key, value in pairs if key == name]
    return " ".join(values[0].split()) if values else ""


@dataclass
class AcceptanceForm:
    """The acceptance form as sent, and what is wrong with it, per field."""

    full_name: str = ""
    job_title: str = ""
    email: str = ""
    signature: str = ""
    consent: bool = False
    option: str = "1"
    add_ons: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def choice(self) -> Choice:
        return Choice(int(self.option), tuple(sorted(int(number) for number in self.add_ons)))


def read_acceptance(pairs: list[tuple[str, str]], choices: Comparison) -> AcceptanceForm:
    form = AcceptanceForm(
        full_name=_one(pairs, "full_name"),
        job_title=_one(pairs, "job_title"),
        email=_one(pairs, "email"),
        signature=_one(pairs, "signature"),
        consent=_one(pairs, "consent") != "",
        option=_one(pairs, "option"),
        add_ons=[value for key, value in pairs if key == "add_on"],
    )
    errors = form.errors
    for name, label in (("full_name", "your full name"), ("job_title", "your job title")):
        value = getattr(form, name)
        if not value:
            errors[name] = f"Enter {label}."
        elif len(value) > NAME_LENGTH:
            errors[name] = f"Use at most {NAME_LENGTH} characters."
    if not form.email:
        errors["email"] = "Enter your e-mail address."
    elif len(form.email) > EMAIL_LENGTH or not _EMAIL.match(form.email):
        errors["email"] = "Enter an e-mail address like name@example.com."
    if not form.signature:
        errors["signature"] = "Type your full name to sign."
    elif form.full_name and form.signature.casefold() != form.full_name.casefold():
        errors["signature"] = "Type your full name exactly as you entered it above."
    if not form.consent:
        errors["consent"] = "Tick the box to confirm that you accept the proposal."
    numbers = {str(option.number) for option in choices.options}
    if form.option not in numbers:
        errors["option"] = "Choose one of the options."
    codes = {str(add_on.number) for add_on in choices.add_ons}
    if any(code not in codes for code in form.add_ons) or len(set(form.add_ons)) != len(
        form.add_ons
    ):
        errors["add_on"] = "Choose add-ons from the list, each once."
    return form


def read_reason(pairs: list[tuple[str, str]]) -> tuple[str | None, str | None]:
    """The decline's reason (None when left empty), and what is wrong with it."""
    values = [value for key, value in pairs if key == "reason"]
    reason = values[0].strip() if values else ""
    if len(reason) > REASON_LENGTH:
        return reason, f"Use at most {REASON_LENGTH} characters."
    return (reason or None), None
