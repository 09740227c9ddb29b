"""Rate schedules: flat, tiered and volume, in integer cents."""

from __future__ import annotations

import pytest

from pricing.tiers import RateSchedule, TierTableError

BANDS = [(10, 1000), (20, 800), (None, 500)]  # 10.00 up to 10, 8.00 up to 20, then 5.00


class TestTiered:
    schedule = RateSchedule.build("tiered", BANDS)

    @pytest.mark.parametrize(
        ("quantity", "cents"),
        [
            (0, 0),
            (1, 1000),
            (10, 10_000),
            (11, 10_800),  # 10 x 10.00 + 1 x 8.00
            (20, 18_000),
            (25, 20_500),  # 10 x 10.00 + 10 x 8.00 + 5 x 5.00
        ],
    )
    def test_each_band_at_its_own_rate(self, quantity: int, cents: int) -> None:
        assert self.schedule.amount(quantity) == cents
        assert self.schedule.charge(quantity).amount == cents

    def test_charge_lists_every_band_used(self) -> None:
        charge = self.schedule.charge(25)
        assert [(b.lower, b.upper, b.quantity, b.rate, b.amount) for b in charge.bands] == [
            (1, 10, 10, 1000, 10_000),
            (11, 20, 10, 800, 8_000),
            (21, None, 5, 500, 2_500),
        ]
        assert not charge.floor_applied


class TestVolume:
    schedule = RateSchedule.build("volume", BANDS)
    guarded = RateSchedule.build("volume", BANDS, floor_at_previous_band=True)

    @pytest.mark.parametrize(
        ("quantity", "cents"), [(10, 10_000), (11, 8_800), (20, 16_000), (21, 10_500)]
    )
    def test_whole_quantity_at_the_band_rate_so_the_total_can_fall(
        self, quantity: int, cents: int
    ) -> None:
        assert self.schedule.amount(quantity) == cents

    @pytest.mark.parametrize(
        ("quantity", "cents", "floored"),
        [
            (10, 10_000, False),
            (11, 10_000, True),  # 11 x 8.00 = 88.00 < 100.00 at the top of band 1
            (13, 10_400, False),  # 13 x 8.00 = 104.00 is above the floor
            (21, 16_000, True),  # 21 x 5.00 = 105.00 < 160.00 at the top of band 2
            (40, 20_000, False),
        ],
    )
    def test_floor_at_previous_band_keeps_the_total_from_falling(
        self, quantity: int, cents: int, floored: bool
    ) -> None:
        charge = self.guarded.charge(quantity)
        assert (charge.amount, charge.floor_applied) == (cents, floored)
        assert self.guarded.amount(quantity) == cents

    def test_the_floor_is_the_highest_earlier_top(self) -> None:
        # Band 2 tops out lower (20 x 4.00 = 80.00) than band 1 (10 x 10.00 = 100.00).
        schedule = RateSchedule.build(
            "volume", [(10, 1000), (20, 400), (None, 300)], floor_at_previous_band=True
        )
        assert schedule.amount(20) == 10_000
        assert schedule.amount(21) == 10_000
        assert schedule.amount(40) == 12_000


def test_flat_is_one_open_band() -> None:
    schedule = RateSchedule.flat(12_345)
    assert schedule.amount(3) == 37_035
    assert schedule.style == "flat"


@pytest.mark.parametrize(
    ("bands", "message", "band"),
    [
        ([(10, 100), (10, 90), (None, 80)], "must increase", 1),
        ([(20, 100), (10, 90), (None, 80)], "must increase", 1),
        ([(None, 100), (10, 90)], "open-ended but is not the last", 0),
        ([(10, 100), (20, 90)], "last band must be open-ended", 1),
        ([(10, 100), (None, -1)], "negative rate", 1),
        ([], "at least one band", 0),
    ],
)
def test_bad_tier_tables_are_refused(
    bands: list[tuple[int | None, int]], message: str, band: int
) -> None:
    with pytest.raises(TierTableError, match=message) as raised:
        RateSchedule.build("tiered", bands)
    assert raised.value.band == band


def test_the_floor_is_for_volume_tables_only() -> None:
    with pytest.raises(TierTableError, match="volume"):
        RateSchedule.build("tiered", BANDS, floor_at_previous_band=True)


def test_negative_quantity_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        RateSchedule.flat(100).amount(-1)
