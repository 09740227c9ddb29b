"""The filters every insight takes: a period (inclusive, on whole days) and optional price
book, offering, component family and delivery centre. Pure: parsed from the query's text,
every problem named by its parameter (an ``Invalid``: RFC 9457 in the API, messages next to
the fields on the pages)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app.kit.errors import FieldProblem, Invalid

# The longest period asked at once: month buckets stay a few dozen rows.
MAX_DAYS = 3 * 366 + 365
# Codes as the catalog writes them (price books, offerings, families, centres).
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
_CODE = re.compile(CODE_PATTERN)
NAMES = ("since", "until", "price_book", "offering", "family", "centre")
# Dates an insight can be asked for: the period's end (the next day) must exist too.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9998, 12, 31)


@dataclass(frozen=True, slots=True)
class Filters:
    """What an insight is computed over. ``since`` and ``until`` are both included; each of
    the others, when given, keeps only what it names."""

    since: date
    until: date
    price_book: str | None = None
    offering: str | None = None
    family: str | None = None
    centre: str | None = None

    @classmethod
    def default(cls, today: date | None = None) -> Filters:
        """The last twelve whole months to today: from the first of the month eleven
        months back."""
        until = today or datetime.now(UTC).date()
        month = until.year * 12 + until.month - 1 - 11
        return cls(date(month // 12, month % 12 + 1, 1), until)

    @classmethod
    def parse(cls, query: Mapping[str, str | None], today: date | None = None) -> Filters:
        """The filters of a query (blank values are absent), or ``Invalid`` listing every
        bad parameter. Absent dates: the default period (``default``), or, when only one is
        given, twelve months before ``until`` / to today."""
        problems: list[FieldProblem] = []
        values = {name: _blank_is_none(query.get(name)) for name in NAMES}
        since = _date(values["since"], "since", problems)
        until = _date(values["until"], "until", problems)
        codes: dict[str, str | None] = {}
        for name in NAMES[2:]:
            value = values[name]
            if value is not None and not _CODE.match(value):
                problems.append(
                    FieldProblem(name, "must be a catalog code: letters, digits, '.', '_' or "
                                 "'-', at most 100 characters")
                )  # fmt: skip
            codes[name] = value
        if problems:
            raise Invalid("the insight's filters are not valid", problems)
        default = cls.default(today)
        if until is None:
            until = default.until if since is None else max(since, default.until)
        if since is None:
            since = default.since if values["until"] is None else _months_before(until)
        if since > until:
            raise Invalid(
                "the period is empty",
                [FieldProblem("since", f"must be on or before until ({until.isoformat()})")],
            )  # fmt: skip
        if (until - since).days >= MAX_DAYS:
            raise Invalid(
                "the period is too long",
                [FieldProblem("since", f"the period spans at most {MAX_DAYS} days")],
            )  # fmt: skip
        return cls(since, until, **codes)

    def query(self) -> dict[str, str]:
        """The filters as query parameters (what ``parse`` reads back)."""
        found = {"since": self.since.isoformat(), "until": self.until.isoformat()}
        for name in NAMES[2:]:
            value = getattr(self, name)
            if value is not None:
                found[name] = value
        return found

    @property
    def start(self) -> datetime:
        """The period's first instant (UTC)."""
        return datetime.combine(self.since, datetime.min.time(), UTC)

    @property
    def end(self) -> datetime:
        """The instant after the period (UTC): the next day's start."""
        return datetime.combine(self.until + timedelta(days=1), datetime.min.time(), UTC)

    def months(self) -> tuple[date, ...]:
        """The first day of every calendar month the period touches, in order."""
        first = self.since.year * 12 + self.since.month - 1
        last = self.until.year * 12 + self.until.month - 1
        return tuple(date(m // 12, m % 12 + 1, 1) for m in range(first, last + 1))


def _blank_is_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _date(value: str | None, name: str, problems: list[FieldProblem]) -> date | None:
    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        found = date.fromisoformat(value)
    except ValueError:
        problems.append(
            FieldProblem(name, f"must be a date as YYYY-MM-DD, not {value[:40]!r}")
        )  # fmt: skip
        return None
    if not FIRST_DAY <= found <= LAST_DAY:
        problems.append(
            FieldProblem(name, f"must be from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}")
        )
        return None
    return found


def _months_before(until: date) -> date:
    month = until.year * 12 + until.month - 1 - 11
    return date(month // 12, month % 12 + 1, 1)
