"""What a PDF route answers while its document is still being rendered."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class RenderPending(BaseModel):
    """202: the PDF is being rendered by a background job; ask again at `location` after
    `retry_after` seconds (the same values as the `Location` and `Retry-After` headers)."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["rendering"]
    detail: str
    location: str = Field(description="where the PDF will be: GET it again")
    retry_after: int = Field(description="seconds to wait before asking again")
