"""The contract of share links: a link's state and its views, never its token (but in
the one answer that creates it, as the link's URL)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.proposals.links.state import LinkState


class ViewOf(BaseModel):
    """One opening of the customer's page."""

    at: datetime
    address: str = Field(description="the client's network: IPv4 /24 or IPv6 /48")
    user_agent: str = Field(description="the browser, truncated to 200 characters")


class LinkViews(BaseModel):
    count: int = Field(description="every view of the link")
    last: datetime | None = Field(description="the latest view; null before the first")
    items: list[ViewOf] = Field(description="the latest 100 views, newest first")


class ShareLinkState(BaseModel):
    """A share link as sales see it: who made it and when, until when it is valid, whether
    it is revoked, and what the customer's page is now."""

    id: int
    proposal_id: int
    number: str = Field(description="the proposal's number")
    revision: int = Field(description="the revision the link shows")
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None
    state: LinkState = Field(
        description="open: the customer can read and decide; accepted: the page shows the "
        "acceptance; the others are closed links (the page says why)"
    )
    views: LinkViews


class ShareLinkCreated(ShareLinkState):
    """A new link, with its URL: shown this once (only its hash is stored)."""

    url: str = Field(description="the customer's page; send it to the customer")
