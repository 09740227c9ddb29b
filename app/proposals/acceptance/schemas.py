"""The contract of a customer's acceptance as sales and approvers read it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class ContractState(BaseModel):
    state: Literal["rendering", "ready"] = Field(
        description="the contract copy is rendered in the background after the acceptance"
    )
    sha256: str | None = Field(description="SHA-256 of the contract PDF, once rendered")
    url: str = Field(description="where to download it (202 while it is rendered)")


class AcceptanceRecord(BaseModel):
    """The customer's acceptance and its evidence, as recorded."""

    proposal_id: int
    number: str
    revision: int = Field(description="the revision accepted")
    link_id: int = Field(description="the share link it was accepted through")
    option: int = Field(description="the option chosen, 1-based")
    add_ons: list[int] = Field(description="the add-ons ticked, 1-based")
    choice: str = Field(description="the choice in words")
    full_name: str
    job_title: str
    email: str
    signature: str = Field(description="the signature as typed")
    at: datetime
    address: str = Field(description="the client's full IP address (evidence)")
    user_agent: str
    contract: ContractState


class ContractPending(BaseModel):
    """The contract copy is still being rendered: ask again after `Retry-After` seconds."""

    state: Literal["rendering"] = "rendering"
    retry_after: int = Field(description="seconds, as in the Retry-After header")
