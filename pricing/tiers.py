"""Rate schedules: what a quantity costs per month under a flat rate or a tier table, in
integer cents, as one piecewise-linear form that the engine and the solver both read.

Styles:

- ``flat``: one open-ended band;
- ``tiered``: each band's quantity is charged at its own rate (like tax brackets): the total
  never falls as the quantity grows;
- ``volume``: the whole quantity takes the rate of the band it falls in: the unit price never
  rises as the quantity grows, but the *total* can fall at a band edge (50 at 10.00 = 500.00,
  51 at 9.00 = 459.00). ``floor_at_previous_band`` guards against that: the total is never
  below the total at the top of any earlier band.

Within band ``k`` (quantities ``lower..upper``) the amount is ``max(offset + rate * q,
floor)``; a quantity of zero costs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from catalog.components import band_order_problem

ScheduleStyle = Literal["flat", "tiered", "volume"]


class TierTableError(ValueError):
    """A tier table the engine cannot use (not increasing, not open-ended, negative)."""

    def __init__(self, message: str, band: int | None = None) -> None:
        super().__init__(message)
        self.band = band


@dataclass(frozen=True, slots=True)
class Segment:
    """One band in the piecewise-linear form, all money in integer cents."""

    lower: int  # first quantity of the band
    upper: int | None  # last quantity of the band; None: open-ended
    rate: int  # cents per unit inside the band
    offset: int  # amount(q) = max(offset + rate * q, floor)
    floor: int

    def contains(self, quantity: int) -> bool:
        return self.lower <= quantity and (self.upper is None or quantity <= self.upper)

    def amount(self, quantity: int) -> int:
        return max(self.offset + self.rate * quantity, self.floor)


@dataclass(frozen=True, slots=True)
class BandCharge:
    """How much of a quantity one band charged, for the explanation of a line."""

    lower: int
    upper: int | None
    quantity: int  # units charged at this band's rate
    rate: int  # cents per unit
    amount: int  # cents


@dataclass(frozen=True, slots=True)
class Charge:
    """The monthly amount of a quantity under a schedule, with the bands that made it."""

    amount: int  # cents
    bands: tuple[BandCharge, ...]
    floor_applied: bool  # the volume guard raised the amount to an earlier band's top


@dataclass(frozen=True, slots=True)
class RateSchedule:
    style: ScheduleStyle
    segments: tuple[Segment, ...]

    def never_above(self, other: RateSchedule) -> bool:
        """Whether this schedule charges at most what ``other`` does at every quantity.

        Band by band (schedules with different bands are never compared): inside a band the
        amount is ``max(linear, floor)``, so a linear part no higher at both ends of the band
        (or at its start and in rate, for the open band) and a floor no higher suffice."""
        if [(s.lower, s.upper) for s in self.segments] != [
            (s.lower, s.upper) for s in other.segments
        ]:
            return False
        for mine, theirs in zip(self.segments, other.segments, strict=True):

            def linear(segment: Segment, quantity: int) -> int:
                return segment.offset + segment.rate * quantity

            ends_below = linear(mine, mine.lower) <= linear(theirs, mine.lower) and (
                mine.rate <= theirs.rate
                if mine.upper is None
                else linear(mine, mine.upper) <= linear(theirs, mine.upper)
            )
            if not ends_below or mine.floor > theirs.floor:
                return False
        return True

    @classmethod
    def flat(cls, rate: int) -> RateSchedule:
        return cls.build("flat", [(None, rate)])

    @classmethod
    def build(
        cls,
        style: ScheduleStyle,
        bands: Sequence[tuple[int | None, int]],
        *,
        floor_at_previous_band: bool = False,
    ) -> RateSchedule:
        """A schedule from ``(up_to, rate_cents)`` bands; the last band is open-ended."""
        check_bands([up_to for up_to, _ in bands], [rate for _, rate in bands])
        if floor_at_previous_band and style != "volume":
            raise TierTableError("floor_at_previous_band applies to style 'volume' only")
        segments: list[Segment] = []
        lower = 1
        charged_before = 0  # tiered: the total at the top of the previous band
        best_top = 0  # volume guard: the highest total at the top of an earlier band
        for up_to, rate in bands:
            if style == "tiered":
                offset, floor = charged_before - rate * (lower - 1), 0
            else:
                offset, floor = 0, best_top if floor_at_previous_band else 0
            segment = Segment(lower, up_to, rate, offset, floor)
            segments.append(segment)
            if up_to is not None:
                charged_before = segment.amount(up_to)
                best_top = max(best_top, segment.amount(up_to))
                lower = up_to + 1
        return cls(style, tuple(segments))

    def segment_of(self, quantity: int) -> Segment:
        for segment in self.segments:
            if segment.contains(quantity):
                return segment
        raise ValueError(f"quantity {quantity} is outside the schedule")  # pragma: no cover

    def amount(self, quantity: int) -> int:
        """The amount of ``quantity`` units in cents."""
        if quantity < 0:
            raise ValueError(f"quantity must not be negative, not {quantity}")
        return 0 if quantity == 0 else self.segment_of(quantity).amount(quantity)

    def charge(self, quantity: int) -> Charge:
        """The amount of ``quantity`` units with the bands that charged it."""
        if quantity <= 0:
            return Charge(self.amount(quantity), (), False)
        if self.style != "tiered":
            segment = self.segment_of(quantity)
            plain = segment.rate * quantity
            band = BandCharge(segment.lower, segment.upper, quantity, segment.rate, plain)
            amount = segment.amount(quantity)
            return Charge(amount, (band,), amount > plain)
        bands = []
        for segment in self.segments:
            if segment.lower > quantity:
                break
            top = quantity if segment.upper is None else min(quantity, segment.upper)
            units = top - segment.lower + 1
            bands.append(
                BandCharge(segment.lower, segment.upper, units, segment.rate, units * segment.rate)
            )
        return Charge(sum(band.amount for band in bands), tuple(bands), False)


def check_bands(up_tos: Sequence[int | None], rates: Sequence[int]) -> None:
    """Raise TierTableError unless the bands strictly increase, only the last is
    open-ended, and no rate is negative."""
    problem = band_order_problem(up_tos)
    if problem is not None:
        raise TierTableError(problem[1], problem[0])
    for index, rate in enumerate(rates):
        if rate < 0:
            raise TierTableError(f"band {index} has a negative rate", index)
