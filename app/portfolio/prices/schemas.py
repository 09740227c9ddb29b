"""The contract of bulk prices: the preview of an imported sheet and the drafts it made."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class PriceChange(BaseModel):
    """One value a sheet changes (amounts and band ends as exact text)."""

    code: str = Field(description="the component")
    version: int = Field(description="the version exported; the new draft is made from it")
    field: Literal["up_to", "monthly", "one_time"] = Field(
        description="`monthly`: the band's list amount; `up_to`: the band's end; `one_time`"
    )
    band: int | None = Field(description="1-based; none for the one-time amount")
    before: str | None
    after: str | None
    service_levels: list[str] = Field(description="the service levels whose rows said it")
    cells: list[str] = Field(description="the cells that said it, e.g. `Prices!K12`")


class CellProblem(BaseModel):
    cell: str = Field(description="`Prices!K12`, or `(file)` for the file as a whole")
    message: str
    code: str | None = Field(None, description="the component the row is about, if known")


class PricePreview(BaseModel):
    """What importing the sheet would do: every change and every problem, cell by cell.
    It can be imported only without problems (`applicable`)."""

    book: str
    currency: str
    rows: int = Field(description="the sheet's rows read (blank rows skipped)")
    changes: list[PriceChange]
    problems: list[CellProblem]
    drafts: list[str] = Field(description="the components that would get a new draft version")
    notes: list[str] = Field(
        description="worth knowing before importing, e.g. a changed component whose newer "
        "draft the new draft will not carry"
    )
    applicable: bool


class DraftMade(BaseModel):
    code: str
    from_version: int
    version: int = Field(description="the new draft version")
    href: str = Field(description="the draft in the API")


class PriceImport(BaseModel):
    """The new draft versions, one per changed component, for review as any draft."""

    book: str
    drafts: list[DraftMade]
