"""`offerwright catalog validate` on broken catalogs: every problem, with file, line and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from catalog.loader import load_catalog, validate_catalog
from catalog.problems import CatalogInvalid

# case -> every (file, line, field, words of the message) it must report, and nothing else.
EXPECTED: dict[str, list[tuple[str, int, str, str]]] = {
    "yaml-syntax": [("rules.yaml", 5, "(document)", "YAML syntax error")],
    "unknown-field": [("components/compute/OS-LNX.yaml", 9, "colour", "unknown field")],
    "wrong-type": [
        ("components/compute/OS-LNX.yaml", 24, "availability_chain", "valid boolean"),
        ("components/compute/OS-LNX.yaml", 26, "quantity.min", "valid integer"),
    ],
    "unknown-reference": [
        ("components/compute/OS-LNX.yaml", 9, "provides.os.linx.managed", "unknown capability"),
        ("components/compute/OS-LNX.yaml", 11, "competency", "unknown competency 'sap-basis'"),
        ("components/compute/OS-LNX.yaml", 15, "prices.GBP", "unknown price book 'GBP'"),
        ("offerings.yaml", 5, "[0].default_components[1]", "unknown component 'CMP-NOPE'"),
    ],
    "duplicate-code": [("components/compute/CMP-VM.yaml", 1, "code", "duplicate code 'CMP-VM'")],
    "unprovided-capability": [
        ("capabilities.yaml", 3, "[2].code", "no component provides capability 'storage.block'")
    ],
    "rule-missing-component": [
        ("rules.yaml", 4, "[0].then[1]", "names unknown component 'CMP-GHOST'")
    ],
    "bad-money": [
        ("components/compute/OS-LNX.yaml", 12, "non_labour_cost.monthly", "finite number"),
        ("components/compute/OS-LNX.yaml", 17, "prices.EUR.one_time", "greater than or equal to 0"),
    ],
    "tiers-not-increasing": [
        ("components/compute/OS-LNX.yaml", 19, "prices.EUR.tiers.bands", "tiers must increase")
    ],
    "pricing-policy": [
        ("components/compute/OS-LNX.yaml", 17, "prices.EUR.tiers", "style 'volume' only"),
        ("price-books.yaml", 4, "[0].fx_rates.EUX", "unknown currency 'EUX'"),
        ("price-books.yaml", 7, "[0].guardrails.margin_floor_percent", "less than or equal to 100"),
    ],
    "unit-mismatch": [
        ("rules.yaml", 13, "[2].left.OS-LNX", "unit mismatch"),
        ("rules.yaml", 15, "[2].right.CMP-VM", "unit mismatch"),
    ],
    "expression-syntax": [
        ("rules.yaml", 8, "[1].expression", "ends too early at column 23"),
    ],
    "contradiction": [
        ("components/compute/CMP-VM.yaml", 1, "code", "CMP-VM can never be chosen"),
    ],
    "several-errors": [
        (
            "components/compute/CMP-PHY.yaml",
            16,
            "prices.EUR.one_time",
            "greater than or equal to 0",
        ),
        ("components/compute/OS-LNX.yaml", 9, "colour", "unknown field"),
        ("offerings.yaml", 5, "[0].default_components[1]", "unknown component 'CMP-NOPE'"),
        ("rules.yaml", 8, "[1].expression", "syntax error"),
    ],
}


def test_base_catalog_is_valid(make_catalog: Callable[..., Path]) -> None:
    result = validate_catalog(make_catalog())
    assert result.problems == ()
    assert result.snapshot is not None


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_every_problem_is_reported_with_file_line_and_field(
    case: str, make_catalog: Callable[..., Path]
) -> None:
    root = make_catalog(case)
    result = validate_catalog(root)
    found = [(p.file, p.line, p.field, p.message) for p in result.errors]
    assert len(found) == len(EXPECTED[case]), found
    for (file, line, field, words), problem in zip(EXPECTED[case], found, strict=True):
        assert problem[:3] == (file, line, field)
        assert words in problem[3]
    assert result.snapshot is None  # never half-loaded


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_cli_prints_each_problem_and_fails(case: str, make_catalog: Callable[..., Path]) -> None:
    root = make_catalog(case)
    outcome = CliRunner().invoke(app, ["catalog", "validate", str(root)])
    assert outcome.exit_code == 1
    for file, line, field, words in EXPECTED[case]:
        assert any(
            text.startswith(f"{file}:{line}: {field}: ") and words in text
            for text in outcome.output.splitlines()
        ), outcome.output
    assert "nothing loaded" in outcome.output


def test_load_catalog_raises_with_all_problems(make_catalog: Callable[..., Path]) -> None:
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog(make_catalog("several-errors"))
    assert len(caught.value.problems) == 4
    assert "4 error(s)" in str(caught.value)


def test_a_floor_for_a_family_nobody_is_in_is_a_warning(
    make_catalog: Callable[..., Path],
) -> None:
    root = make_catalog()
    with (root / "price-books.yaml").open("a") as books:
        books.write("  guardrails:\n    family_margin_floors: {compute: 20, comptue: 30}\n")
    result = validate_catalog(root)
    assert result.errors == () and result.snapshot is not None
    assert [(p.file, p.line, p.field, p.message, p.severity) for p in result.problems] == [
        ("price-books.yaml", 7, "[0].guardrails.family_margin_floors.comptue",
         "no component is in family 'comptue'", "warning"),
    ]  # fmt: skip


def test_a_misspelt_file_is_not_silently_ignored(make_catalog: Callable[..., Path]) -> None:
    root = make_catalog()
    (root / "capabilites.yaml").write_text("[]\n")
    problems = validate_catalog(root).errors
    assert [(p.file, p.message.split(":")[0]) for p in problems] == [
        ("capabilites.yaml", "unexpected file")
    ]


def test_table_rows_from_csv_report_the_csv_line(make_catalog: Callable[..., Path]) -> None:
    root = make_catalog()
    (root / "tables").mkdir()
    (root / "tables" / "combos.csv").write_text("vm,os\nCMP-VM,OS-LNX\nCMP-VM\n-,*\n")
    with (root / "rules.yaml").open("a") as rules:
        rules.write(
            "- kind: table\n  id: T-1\n  message: Certified pairs.\n"
            "  columns:\n    - {name: vm, components: [CMP-VM, CMP-PHY]}\n"
            "    - {name: os, components: [OS-LNX]}\n  rows_file: tables/combos.csv\n"
        )
    problems = validate_catalog(root).errors
    assert [(p.file, p.line) for p in problems] == [("tables/combos.csv", 3)]
    assert "1 values" in problems[0].message


def test_table_cells_must_be_values_of_their_column(make_catalog: Callable[..., Path]) -> None:
    root = make_catalog()
    with (root / "rules.yaml").open("a") as rules:
        rules.write(
            "- kind: table\n  id: T-1\n  message: Certified pairs.\n"
            "  columns:\n    - {name: vm, components: [CMP-VM, CMP-PHY]}\n"
            "    - {name: os, components: [OS-LNX]}\n"
            "  rows:\n    - [CMP-VM, OS-LNX]\n    - [CMP-PHY, OS-WIN]\n"
        )
    problems = validate_catalog(root).errors
    assert len(problems) == 1
    assert problems[0].field == "[2].rows"
    assert "row 2: 'OS-WIN' is not a value of column 'os'" in problems[0].message


def test_an_attribute_a_table_column_reads_cannot_be_none_or_wildcard(
    make_catalog: Callable[..., Path],
) -> None:
    # A row's "-" means no component of the column chosen, and "*" any value: a component
    # whose attribute is one of them would be read two ways (the two encodings disagreed).
    root = make_catalog()
    vm = root / "components" / "compute" / "CMP-VM.yaml"
    vm.write_text(vm.read_text() + 'attributes: {os: "-"}\n')
    with (root / "rules.yaml").open("a") as rules:
        rules.write(
            "- kind: table\n  id: T-1\n  message: Certified platforms.\n"
            "  columns:\n    - {name: os, components: [CMP-VM], attribute: os}\n"
            "  rows:\n    - ['-']\n"
        )
    (problem,) = validate_catalog(root).errors
    assert problem.field.endswith("columns[0].attribute")
    assert "CMP-VM's os is '-', which a table row reads as nothing chosen" in problem.message
