"""Load -> export -> load gives an equal snapshot, for the default and for generated catalogs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.synthetic import generate
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
    return base.model_copy(update={"components": tuple(changed)})


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
