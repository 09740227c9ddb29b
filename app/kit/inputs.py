"""Field types shared by request bodies (quotes, configurations, proposals)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

Code = Annotated[str, StringConstraints(min_length=1, max_length=100)]
MAX_WHOLE = 2**31 - 1  # what a database integer column holds


def whole_number(text: str | None, *, most: int = MAX_WHOLE) -> int | None:
    """A page's or form's whole number (ASCII digits, up to ``most``), or None. Not
    ``str.isdigit`` alone: it accepts "²", which ``int`` then refuses."""
    if not text or not (text.isascii() and text.isdigit()) or len(text) > len(str(most)):
        return None
    number = int(text)
    return number if number <= most else None


class Strict(BaseModel):
    """Request bodies: unknown fields are errors, values are read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _plain_decimal(value: object) -> object:
    # Decimal() would read "5_0" as 50 and keep "-0"; a percentage is plain digits.
    if isinstance(value, str) and not re.fullmatch(r"\d+(\.\d+)?", value.strip()):
        raise ValueError("must be a plain decimal number such as 7.5")
    return value


# At most two decimals: a discount is a commercial term, not a probe (and a figure with a
# million decimals would be written out on every line).
Percent = Annotated[
    Decimal,
    BeforeValidator(_plain_decimal),
    Field(ge=0, le=100, max_digits=5, decimal_places=2, allow_inf_nan=False),
    AfterValidator(lambda value: value + 0),  # -0 -> 0
]
