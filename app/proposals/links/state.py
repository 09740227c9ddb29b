"""What a share link leads to, as a pure rule: the revision offered, or why not any more."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from app.proposals.states import Status, effective_status

# open: the customer may read and decide; accepted: the page shows the acceptance (and the
# contract); every other state is a closed link (410).
LinkState = Literal[
    "open", "accepted", "revoked", "superseded", "withdrawn", "declined", "expired", "closed"
]
CLOSED: frozenset[LinkState] = frozenset(
    {"revoked", "superseded", "withdrawn", "declined", "expired", "closed"}
)


def link_state(
    *,
    revoked: bool,
    link_revision: int,
    expires_at: datetime,
    proposal_revision: int,
    status: Status,
    valid_until: date,
    now: datetime,
) -> LinkState:
    """Revoked and superseded come first (the offer is not this one any more); an accepted
    proposal's link stays readable past its expiry, for the acceptance and the contract."""
    if revoked:
        return "revoked"
    if link_revision != proposal_revision:
        return "superseded"
    current = effective_status(status, valid_until, now.date())
    if current == "accepted":
        return "accepted"
    if current == "withdrawn":
        return "withdrawn"
    if current == "rejected":
        return "declined"
    if current == "expired" or now >= expires_at:
        return "expired"
    return "open" if current == "sent" else "closed"
