"""The assurance API's contract: runs, verdicts, the override and the impact preview."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.portfolio import BrokenCombination


class FoundLine(BaseModel):
    component: str
    quantity: int
    service_level: str
    centre: str


class Found(BaseModel):
    """What the configurator answered, reduced to what an expectation can speak of."""

    outcome: Literal["valid", "invalid", "error"]
    detail: str = Field(description="the answer in words: the price, the conflict or the error")
    currency: str | None
    monthly: str | None = Field(description="the monthly price, a decimal as text")
    availability: str | None = Field(description="composite availability in %, as text")
    lines: list[FoundLine]
    conflict: list[str] = Field(description="the kinds of the minimal conflict, in its order")


class Verdict(BaseModel):
    """One combination's verdict in one run."""

    combination: str
    name: str
    owner: str
    held: bool
    blocking: bool = Field(description="held before the change and broken after: refused it")
    reasons: list[str] = Field(description="every expectation that failed, in words")
    found: Found


class LatestVerdict(Verdict):
    """A combination's latest verdict, with the run it comes from."""

    run: int
    revision: int = Field(description="the catalog revision that run's verdicts are of")
    ran_at: datetime


class LatestVerdicts(BaseModel):
    """The latest verdict of every assured combination of the active catalog, from runs of
    the catalog as it became (imports, applied changes, overrides, manual runs: never a
    refused attempt)."""

    revision: int = Field(description="the active catalog's revision now")
    combinations: list[LatestVerdict]
    not_run: list[str] = Field(description="combinations no run has judged yet")


class ChangeData(BaseModel):
    """A catalog change as data: applied again, exactly, by an override."""

    action: Literal["component.transition", "record.create", "record.update", "record.delete"]
    arguments: dict[str, Any]


class Run(BaseModel):
    """One run of the assured combinations, with every verdict."""

    id: int
    ran_at: datetime
    revision: int = Field(
        description="the catalog revision its verdicts are of; for a refused change, the "
        "revision it was asked at"
    )
    trigger: Literal["import", "change", "override", "manual"]
    subject: str | None = Field(description="the change in words")
    change: ChangeData | None
    requested_by: str
    status: Literal["held", "broken", "refused", "overridden"]
    overridden_by: str | None
    comment: str | None
    held: int
    broken: int
    seconds: float
    verdicts: list[Verdict]


class Override(BaseModel):
    """Apply a refused change anyway: why, in words (kept in the audit log)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # Blank is no reason: refused, and the schema says so (stripped, a tab is empty).
    comment: str = Field(min_length=1, max_length=2000, json_schema_extra={"pattern": r"\S"})


class ImpactPreview(BaseModel):
    """What activating a version would do to the assured combinations (nothing stored)."""

    code: str
    version: int
    revision: int = Field(description="the active catalog revision it was previewed on")
    would_break: list[BrokenCombination] = Field(
        description="hold today, would break: activation would be refused"
    )
    stay_broken: list[BrokenCombination] = Field(description="broken today, and then")
    held: int = Field(description="affected combinations that would hold")
    unaffected: int = Field(description="combinations the version cannot affect")
    combinations: int
