"""Figures in the words a customer reads: quantities with their units pluralised, lists
joined in prose, countries and regions by name, availabilities in one format."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

# Units spelled otherwise than the catalog writes them (singular, plural).
_SPELLED = {"vm": ("VM", "VMs")}
_SIBILANT = ("s", "x", "z", "ch", "sh")


def plural(unit: str) -> str:
    """``unit`` in the plural: a symbol (TB, GB, Mbps: anything with a capital) stays as
    it is; a word takes -s, -es or -ies as English does."""
    if unit in _SPELLED:
        return _SPELLED[unit][1]
    if " " in unit:  # "managed service" -> "managed services"
        head, last = unit.rsplit(" ", 1)
        return f"{head} {plural(last)}"
    if unit != unit.lower() or not unit.isalpha():
        return unit
    if unit.endswith(_SIBILANT):
        return unit + "es"
    if unit.endswith("y") and unit[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return unit[:-1] + "ies"
    return unit + "s"


def singular(unit: str) -> str:
    return _SPELLED.get(unit, (unit, unit))[0]


def number_text(amount: Decimal | int) -> str:
    """A count with thousands separators; a fraction without trailing zeros."""
    if isinstance(amount, int) or amount == amount.to_integral_value():
        return f"{int(amount):,}"
    text = f"{amount:,f}"
    return text.rstrip("0").rstrip(".")


def quantity(amount: Decimal | int, unit: str) -> str:
    """``amount`` of ``unit``: "1 server", "20 servers", "30 TB", "0.3 racks"."""
    return f"{number_text(amount)} {singular(unit) if amount == 1 else plural(unit)}"


def phrase(items: Sequence[str], conjunction: str = "and") -> str:
    """Items in prose: "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


# Names that keep their capital inside a sentence.
_PROPER = frozenset({"Linux", "Windows", "Microsoft", "Oracle", "PostgreSQL", "Teams", "SUSE",
                     "VMware", "OpenStack", "ServiceNow", "Red", "Ubuntu", "Cisco"})  # fmt: skip


def lower_first(text: str) -> str:
    """A name inside a sentence: "Block storage" -> "block storage"; "SAP Basis", "ITSM
    platform" and "Linux operating-system management" as they are."""
    if text.split(" ", 1)[0] in _PROPER:
        return text
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


COUNTRIES = {
    "AT": "Austria", "AU": "Australia", "BE": "Belgium", "BG": "Bulgaria", "BR": "Brazil",
    "CA": "Canada", "CH": "Switzerland", "CN": "China", "CY": "Cyprus", "CZ": "Czech Republic",
    "DE": "Germany", "DK": "Denmark", "EE": "Estonia", "ES": "Spain", "FI": "Finland",
    "FR": "France", "GB": "United Kingdom", "GR": "Greece", "HR": "Croatia", "HU": "Hungary",
    "IE": "Ireland", "IN": "India", "IS": "Iceland", "IT": "Italy", "JP": "Japan",
    "LI": "Liechtenstein", "LT": "Lithuania", "LU": "Luxembourg", "LV": "Latvia", "MT": "Malta",
    "MX": "Mexico", "NL": "Netherlands", "NO": "Norway", "NZ": "New Zealand", "PL": "Poland",
    "PT": "Portugal", "RO": "Romania", "SE": "Sweden", "SG": "Singapore", "SI": "Slovenia",
    "SK": "Slovakia", "TR": "Turkey", "UA": "Ukraine", "US": "United States",
    "ZA": "South Africa",
}  # fmt: skip
REGIONS = {"EU": "the European Union", "UK": "the United Kingdom", "APAC": "Asia-Pacific",
           "US": "the United States", "EEA": "the European Economic Area"}  # fmt: skip


def country(code: str) -> str:
    """A country's name by its ISO 3166-1 code (the code itself if unknown)."""
    return COUNTRIES.get(code.upper(), code)


def region(code: str) -> str:
    return REGIONS.get(code.upper(), code)


# -- availability -----------------------------------------------------------------------------


def availability_places(values: Iterable[Decimal]) -> int:
    """Decimals enough to write each of ``values`` exactly, and at least two: every
    availability of a document is written with this many, so they compare at a glance."""
    places = 2
    for value in values:
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int):
            places = max(places, -exponent)
    return places


def availability(value: Decimal, places: int, *, computed: bool = False) -> str:
    """``value`` % with ``places`` decimals; a ``computed`` figure (the composite) is
    rounded down, so it never states more than is reached."""
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_DOWN if computed else ROUND_HALF_UP)
    return f"{rounded:f}\u00a0%"


def money(amount: Decimal, currency: str) -> str:
    """An amount with its currency, never broken between the two."""
    return f"{amount:,.2f}\u00a0{currency}"


def figure(amount: Decimal) -> str:
    """An amount in a column whose heading names the currency."""
    return f"{amount:,.2f}"
