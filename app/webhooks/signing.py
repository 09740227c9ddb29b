"""Standard Webhooks signing: secrets, message ids, and the three headers of a delivery.

The receiver verifies with any Standard Webhooks library (``Webhook(secret).verify(body,
headers)``); during a rotation's grace period the header carries a signature by each
secret, and the receiver's old or new secret verifies it."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from datetime import datetime
from math import floor

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A signing secret as the library reads it: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def new_message_id() -> str:
    """A message id (``webhook-id``): the same for every attempt, so receivers can drop
    the duplicates an at-least-once delivery may make."""
    return "msg_" + secrets.token_urlsafe(18)


def hint(secret: str) -> str:
    """Enough of a secret to tell two apart, never enough to use: ``whsec_abcd…``."""
    return secret[: len(SECRET_PREFIX) + 4] + "…"


def signed_headers(
    message_id: str, at: datetime, body: bytes, secrets_in_use: Iterable[str]
) -> dict[str, str]:
    """The headers of one attempt at ``at``: its timestamp is the attempt's (receivers
    refuse one older than a few minutes), its signatures those of each secret in use."""
    signatures = [Webhook(secret).sign(message_id, at, body) for secret in secrets_in_use]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(floor(at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
