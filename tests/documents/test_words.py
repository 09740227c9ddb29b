"""Figures in words: units pluralised as English does (symbols never), prose lists,
countries and regions by name, every availability of a document in one format."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.documents.words import (
    availability,
    availability_places,
    country,
    lower_first,
    phrase,
    quantity,
    region,
)


@pytest.mark.parametrize(
    ("amount", "unit", "text"),
    [
        (1, "server", "1 server"),
        (20, "server", "20 servers"),
        (3, "node", "3 nodes"),
        (250, "user", "250 users"),
        (1250, "user", "1,250 users"),
        (30, "TB", "30 TB"),
        (1, "TB", "1 TB"),
        (100, "Mbps", "100 Mbps"),
        (20, "vm", "20 VMs"),
        (1, "vm", "1 VM"),
        (4, "mailbox", "4 mailboxes"),
        (5, "day", "5 days"),
        (2, "copy", "2 copies"),
        (2, "managed service", "2 managed services"),
        (Decimal("0.3"), "rack", "0.3 racks"),
        (Decimal("1.0"), "rack", "1 rack"),
        (Decimal("12.50"), "device", "12.5 devices"),
    ],
)
def test_a_quantity_is_written_with_its_unit_pluralised(
    amount: int | Decimal, unit: str, text: str
) -> None:
    assert quantity(amount, unit) == text


def test_lists_names_and_places() -> None:
    assert phrase([]) == ""
    assert phrase(["a"]) == "a"
    assert phrase(["a", "b"]) == "a and b"
    assert phrase(["a", "b", "c"], "or") == "a, b or c"
    assert lower_first("Block storage") == "block storage"
    assert lower_first("SAP Basis") == "SAP Basis"
    assert lower_first("ITSM platform") == "ITSM platform"
    assert lower_first("Linux operating-system management") == "Linux operating-system management"
    assert country("CZ") == "Czech Republic" and country("de") == "Germany"
    assert country("XX") == "XX"  # unknown: the code, never a guess
    assert region("EU") == "the European Union" and region("MARS") == "MARS"


def test_every_availability_has_the_same_decimals_and_a_composite_never_overstates() -> None:
    places = availability_places([Decimal("99.9"), Decimal("99.95"), Decimal("99.5")])
    assert places == 2
    assert availability(Decimal("99.9"), places) == "99.90\u00a0%"
    assert availability(Decimal("99.500"), places, computed=True) == "99.50\u00a0%"
    # A composite of 99.849 % is not 99.85 %: rounded down, it never promises more.
    assert availability(Decimal("99.849"), places, computed=True) == "99.84\u00a0%"
    assert availability_places([Decimal("99.995")]) == 3
    assert availability(Decimal("99.5"), 3) == "99.500\u00a0%"
