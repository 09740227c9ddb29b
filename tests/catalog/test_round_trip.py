"""Load -> export -> load gives an equal snapshot, for the default and for generated catalogs."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.synthetic import generate
from catalog.assurance import AssuredCombination
from catalog.components import Component
from catalog.exporter import INLINE_TABLE_ROWS, export_catalog, export_files
from catalog.loader import load_catalog, load_default_catalog
from catalog.rules import TableRule
from catalog.snapshot import CatalogSnapshot


def _round_trip(snapshot: CatalogSnapshot, target: Path) -> CatalogSnapshot:
    export_catalog(snapshot, target)
    return load_catalog(target)


def test_default_catalog_round_trips(tmp_path: Path) -> None:
    original = load_default_catalog()
    assert _round_trip(original, tmp_path / "out") == original


# Every field of an assured combination away from its default, and text YAML likes to misread.
ASSURED = """\
id: sap.s4-small
name: "yes"
owner: "NO"
description: |-
  Small S/4HANA: #1 seller.
  - kept under 40,000 a month
request:
  price_book: EUR
  term_months: 36
  needs:
    - {capability: compute.linux, quantity: 2, attributes: {ha: true, cores: 16}}
  offering: OFF-LNX
  min_availability: 99.95
  residency: [EU]
  budget_monthly: 40000.10
  include: [CMP-VM]
  exclude: [CMP-PHY]
  objective: max_margin
  discount_percent: 2.5
expect:
  includes: [OS-LNX]
  excludes: [CMP-PHY]
  service_levels: {CMP-VM: bronze}
  monthly: {min: 0.10, max: 123456789.123456}
  min_availability: 99.5
  centres: [CZ-BRN]
"""
IMPOSSIBLE = """\
- id: never
  name: Never
  owner: Compute portfolio
  request: {price_book: EUR, term_months: 12, offering: OFF-LNX, budget_monthly: 1}
  expect: {outcome: invalid, conflict: [budget, need]}
"""


def test_assured_combinations_round_trip_one_file_each_defaults_left_out(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_catalog()
    vm = root / "components" / "compute" / "CMP-VM.yaml"
    vm.write_text(vm.read_text() + "attributes: {ha: true, cores: 16}\n")
    (root / "assurance").mkdir()
    (root / "assurance" / "sap.yaml").write_text(ASSURED)
    (root / "assurance" / "more.yaml").write_text(IMPOSSIBLE)
    original = load_catalog(root)
    assert [item.id for item in original.assurances] == ["never", "sap.s4-small"]
    files = export_files(original)
    assert {name for name in files if name.startswith("assurance")} == {
        "assurance/never.yaml",
        "assurance/sap.s4-small.yaml",
    }
    # Defaults are left out: no description, no needs, no objective, no discount.
    assert files["assurance/never.yaml"] == (
        "id: never\nname: Never\nowner: Compute portfolio\nrequest:\n  price_book: EUR\n"
        "  term_months: 12\n  offering: OFF-LNX\n  budget_monthly: 1\nexpect:\n"
        "  outcome: invalid\n  conflict:\n  - budget\n  - need\n"
    )
    loaded = _round_trip(original, tmp_path / "out")
    assert loaded == original
    (again,) = (item for item in loaded.assurances if item.id == "sap.s4-small")
    assert (again.name, again.owner) == ("yes", "NO")
    assert again.expect.monthly is not None
    assert again.expect.monthly.max == Decimal("123456789.123456")
    assert dict(again.request.needs[0].attributes) == {"ha": "true", "cores": "16"}


def test_export_uses_the_catalog_layout() -> None:
    files = export_files(load_default_catalog())
    assert {"capabilities.yaml", "delivery-centres.yaml", "price-books.yaml", "rules.yaml"} <= set(
        files
    )
    assert "components/compute/CMP-VM-LNX.yaml" in files


def test_synthetic_catalog_round_trips_with_csv_tables(tmp_path: Path) -> None:
    original = generate(200, seed=3, table_rows=200)
    assert any(
        isinstance(rule, TableRule) and len(rule.rows) > INLINE_TABLE_ROWS
        for rule in original.rules
    )
    assert _round_trip(original, tmp_path / "out") == original
    assert list((tmp_path / "out" / "tables").glob("*.csv"))


def test_export_replaces_an_existing_directory(tmp_path: Path) -> None:
    target = tmp_path / "out"
    (target / "components" / "stale").mkdir(parents=True)
    (target / "components" / "stale" / "OLD.yaml").write_text("code: OLD\n")
    snapshot = generate(20, seed=1)
    assert _round_trip(snapshot, target) == snapshot
    assert not (target / "components" / "stale").exists()


# Text a portfolio manager might type, including what YAML likes to misread.
_TEXT = st.one_of(
    st.sampled_from(["NO", "yes", "null", "~", "1e3", "0x10", "- item", "a: b", "#hash", "'", '"']),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
        min_size=1,
        max_size=40,
    ),
).filter(lambda text: text.strip() != "")
_MULTILINE = st.lists(_TEXT, min_size=1, max_size=4).map("\n".join)
_MONEY = st.decimals(min_value=0, max_value=10**8, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def _catalogs(draw: st.DrawFn) -> CatalogSnapshot:
    base = generate(draw(st.integers(10, 30)), seed=draw(st.integers(0, 10_000)))
    changed: list[Component] = []
    for component in base.components:
        data = component.model_dump(by_alias=True)
        data["name"] = draw(_TEXT)[:200]
        data["summary"] = draw(_TEXT)
        data["documents"]["specification"] = draw(_MULTILINE)
        data["documents"]["delivery_description"]["handover"] = draw(_MULTILINE)
        data["attributes"]["note"] = draw(_TEXT)
        data["prices"]["EUR"]["one_time"] = draw(_MONEY)
        data["non_labour_cost"]["monthly"] = draw(_MONEY)
        changed.append(Component.model_validate(data))
    component = changed[0]
    assurances = [
        AssuredCombination.model_validate(
            {
                "id": f"ac-{index}",
                "name": draw(_TEXT)[:200],
                "owner": draw(_TEXT)[:200],
                "description": draw(_MULTILINE),
                "request": {
                    "price_book": base.price_books[0].code,
                    "term_months": draw(st.integers(1, 120)),
                    "needs": [{"capability": next(iter(component.provides)), "quantity": 3}],
                    "budget_monthly": draw(_MONEY.filter(lambda amount: amount > 0)),
                    "discount_percent": draw(_MONEY.filter(lambda amount: amount <= 100)),
                },
                "expect": {"includes": [component.code], "monthly": {"max": draw(_MONEY)}},
            }
        )
        for index in range(draw(st.integers(0, 3)))
    ]
    return base.model_copy(update={"components": tuple(changed), "assurances": assurances})


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(catalog=_catalogs())
def test_generated_catalogs_round_trip(tmp_path_factory: object, catalog: CatalogSnapshot) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        loaded = _round_trip(catalog, Path(directory) / "out")
    for before, after in zip(catalog.components, loaded.components, strict=True):
        assert before.model_dump() == after.model_dump()
    assert loaded == catalog


def test_money_keeps_its_exact_decimal_value(tmp_path: Path) -> None:
    snapshot = generate(10, seed=2)
    first = snapshot.components[0].model_dump(by_alias=True)
    first["prices"]["EUR"]["one_time"] = Decimal("0.10")
    first["non_labour_cost"]["monthly"] = Decimal("123456789.123456")
    changed = snapshot.model_copy(
        update={"components": (Component.model_validate(first), *snapshot.components[1:])}
    )
    loaded = _round_trip(changed, tmp_path / "out").components[0]
    assert loaded.prices["EUR"].one_time == Decimal("0.1")
    assert loaded.non_labour_cost is not None
    assert loaded.non_labour_cost.monthly == Decimal("123456789.123456")
