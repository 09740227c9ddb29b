"""The change set the apply form carries: it reads back as written, refuses anything else,
and stays below the form's size limit at the sheet's largest."""

from __future__ import annotations

from urllib.parse import urlencode

from app.portfolio import PriceChange
from app.web.prices.views import decoded, drafts_of, drafts_query, encoded

CHANGES = [
    PriceChange("CMP-VM-LNX", 3, "monthly", 2, "149.00", "151.25", ("silver",), ("Prices!K45",)),
    PriceChange("CMP-VM-LNX", 3, "one_time", None, "290.00", "300.00", (), ("Prices!L41",)),
    PriceChange("BKP-MANAGED", 1, "up_to", 1, "50", "40", ("gold",), ("Prices!J8",)),
]


def test_a_change_set_reads_back_as_written() -> None:
    back = decoded(encoded(CHANGES))
    assert back == [
        PriceChange(c.code, c.version, c.field, c.band, c.before, c.after, (), c.cells)
        for c in CHANGES
    ]


def test_anything_else_is_no_change_set() -> None:
    for text in ("", "x", "CMP 1 monthly 1 1.00 2.00", "CMP one monthly 1 1 2 K2",
                 "CMP 1 price 1 1 2 K2", "CMP 1 monthly x 1 2 K2"):  # fmt: skip
        assert decoded(text) is None, text


def test_the_largest_sheets_change_set_fits_a_form() -> None:
    many = [
        PriceChange(f"CMP-COMPONENT-{n:05d}", 12, "monthly", 3, "123456.78", "123456.79", (),
                    (f"Prices!K{n + 2}",))
        for n in range(10_000)
    ]  # fmt: skip
    assert len(urlencode({"changes": encoded(many)})) < 1_048_576


def test_the_drafts_named_in_the_address() -> None:
    query = drafts_query([("CMP-A", 2), ("CMP-B", 5)])
    assert query == "drafts=CMP-A%3A2%2CCMP-B%3A5&made=2"
    assert drafts_of("CMP-A:2,CMP-B:5,broken,:3,X:y") == [("CMP-A", 2), ("CMP-B", 5)]


def test_digits_are_ascii_digits_of_a_sane_size() -> None:
    """ "²" passes str.isdigit but not int(): no number, as a version or band too large."""
    assert drafts_of("A:²,B:99999999999999999999,C:3") == [("C", 3)]
    for text in ("CMP ² monthly 1 1 2 K2", "CMP 1 monthly ² 1 2 K2",
                 "CMP 99999999999999999999 monthly 1 1 2 K2"):  # fmt: skip
        assert decoded(text) is None, text
