"""The loader refuses what the database or the solver cannot hold, each problem with its
file, line and field: NUL characters, expressions nested past the parser's depth, and
numbers past the solver's integers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from catalog.loader import validate_catalog
from catalog.problems import Problem

MakeCatalog = Callable[..., Path]
VM = "components/compute/CMP-VM.yaml"


def _edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is not once in {relative}"
    path.write_text(text.replace(old, new))


def _errors(root: Path) -> list[tuple[str, int | None, str, str]]:
    result = validate_catalog(root)
    assert result.snapshot is None  # never half-loaded
    return [(p.file, p.line, p.field, p.message) for p in result.errors]


def _only(root: Path) -> Problem:
    result = validate_catalog(root)
    assert result.snapshot is None
    (problem,) = result.errors
    return problem


# -- NUL characters -------------------------------------------------------------------------


def test_a_nul_written_by_an_escape_names_its_field(make_catalog: MakeCatalog) -> None:
    root = make_catalog()
    _edit(root, VM, "name: Linux VM", 'name: "Linux\\0VM"')
    problem = _only(root)
    assert (problem.file, problem.line, problem.field) == (VM, 3, "name")
    assert "NUL" in problem.message
    assert str(problem).startswith(f"{VM}:3: name: must not contain the NUL character")


def test_a_nul_in_a_key_is_found_too(make_catalog: MakeCatalog) -> None:
    root = make_catalog()
    _edit(root, VM, "effort:\n  monthly: {linux-admin: 1.5}",
          'effort:\n  monthly: {"linux-admin\\x00": 1.5}')  # fmt: skip
    assert any(
        field == "effort.monthly.linux-admin\x00" and "NUL" in message
        for _, _, field, message in _errors(root)
    )


def test_a_nul_in_the_file_is_reported_at_its_line(make_catalog: MakeCatalog) -> None:
    # The YAML parser would silently cut the text short at the NUL.
    root = make_catalog()
    _edit(root, VM, "summary: Linux VM for", "summary: Linux\x00VM for")
    problem = _only(root)
    assert (problem.file, problem.line, problem.field) == (VM, 4, "(document)")
    assert "NUL" in problem.message


def test_a_nul_in_a_table_file_is_reported_at_its_line(make_catalog: MakeCatalog) -> None:
    root = make_catalog()
    (root / "tables").mkdir()
    (root / "tables" / "combos.csv").write_text("vm,os\nCMP-VM,OS-LNX\n-\x00,*\n")
    with (root / "rules.yaml").open("a") as rules:
        rules.write(
            "- kind: table\n  id: T-1\n  message: Certified pairs.\n"
            "  columns:\n    - {name: vm, components: [CMP-VM, CMP-PHY]}\n"
            "    - {name: os, components: [OS-LNX]}\n  rows_file: tables/combos.csv\n"
        )
    assert ("tables/combos.csv", 3, "(document)") in [e[:3] for e in _errors(root)]


# -- expression depth -----------------------------------------------------------------------


def test_an_expression_nested_too_deep_is_a_syntax_error(make_catalog: MakeCatalog) -> None:
    root = make_catalog()
    with (root / "rules.yaml").open("a") as rules:
        rules.write(
            "- kind: expression\n  id: X-1\n  message: Deep.\n"
            f"  expression: {'not ' * 20_000}CMP-VM\n"
        )
    problem = _only(root)
    assert (problem.file, problem.line, problem.field) == ("rules.yaml", 13, "[2].expression")
    assert "nested deeper than 50 levels at column 201" in problem.message


def test_fifty_levels_are_fine(make_catalog: MakeCatalog) -> None:
    root = make_catalog()
    with (root / "rules.yaml").open("a") as rules:
        rules.write(
            "- kind: expression\n  id: X-1\n  message: Deep but allowed.\n"
            f"  expression: {'(' * 49}not CMP-VM or OS-LNX{')' * 49}\n"
        )
    assert validate_catalog(root).errors == ()


# -- YAML nesting ---------------------------------------------------------------------------
# The native parsers overflow the stack (killing the process) on deep enough documents.


def test_a_block_structure_nested_too_deep_is_a_syntax_error(make_catalog: MakeCatalog) -> None:
    root = make_catalog()
    (root / "offerings.yaml").write_text("- code: X\n" + "- " * 100_000 + "x\n")
    problem = _only(root)
    assert (problem.file, problem.line, problem.field) == ("offerings.yaml", 2, "(document)")
    assert "nested past 1000 columns" in problem.message


def test_flow_collections_nested_too_deep_are_a_syntax_error(make_catalog: MakeCatalog) -> None:
    root = make_catalog()
    deep = "[" * 100_000 + "]" * 100_000
    (root / "offerings.yaml").write_text(f"- code: X\n  name: {deep}\n")
    problem = _only(root)
    assert (problem.file, problem.line, problem.field) == ("offerings.yaml", 2, "(document)")
    assert "recursion limit exceeded" in problem.message


# -- numbers the solver must hold ------------------------------------------------------------
# Each edit of the base catalog (file, old text, new text; no old text: appended) and the
# problem it must give: (file, line, field, words of the message). Other problems may follow
# from it (a centre refused leaves its competencies unheld).

BIG_LINE = "quantity: {min: 1, max: 1000000000}\n"  # appended to CMP-VM: line 47
NUMBERS: dict[str, tuple[list[tuple[str, str, str]], tuple[str, int, str, str]]] = {
    "capacity 2**62": (
        [("delivery-centres.yaml", "monthly_capacity_hours: 1000",
          f"monthly_capacity_hours: {2**62}")],
        ("delivery-centres.yaml", 8, "[0].monthly_capacity_hours",
         "less than or equal to 10000000000"),
    ),
    "quantity step": (
        [(VM, "availability_chain: true",
          f"availability_chain: true\nquantity: {{step: {2**70}}}")],
        (VM, 25, "quantity.step", "less than or equal to 1000000000"),
    ),
    "tier band past the largest quantity": (
        [(VM, "{up_to: 10, monthly: 120.00}", "{up_to: 10000000000, monthly: 120.00}")],
        (VM, 20, "prices.EUR.tiers.bands[0].up_to", "less than or equal to 1000000000"),
    ),
    "response minutes": (
        [(VM, "response_minutes: 240", "response_minutes: 10000000")],
        (VM, 23, "service_levels[0].response_minutes", "less than or equal to 1000000"),
    ),
    "version past the database's integer": (
        [(VM, "version: 1", f"version: {2**31}")],
        (VM, 2, "version", "less than or equal to 2147483647"),
    ),
    "term discount past a century": (
        [("price-books.yaml", "{24: 3, 36: 6}", "{24: 3, 36: 6, 100000: 9}")],
        ("price-books.yaml", 5, "[0].term_discounts[100000]", "less than or equal to 1200"),
    ),
    "price x largest quantity": (
        [(VM, "- {monthly: 100.00}", "- {monthly: 9999.00}"), (VM, "", BIG_LINE)],
        (VM, 21, "prices.EUR.tiers.bands[1].monthly",
         "9999.0 a unit x price factor 1 x quantity.max 1,000,000,000 is 9,999,000,000,000"),
    ),
    "one-time price x largest quantity": (
        [(VM, "one_time: 100.00", "one_time: 1000.01"), (VM, "", BIG_LINE)],
        (VM, 16, "prices.EUR.one_time", "more than the 1,000,000,000,000 one line"),
    ),
    "capability x largest quantity": (
        [(VM, "provides: {compute.linux: 1}", "provides: {compute.linux: 11}"), (VM, "", BIG_LINE)],
        (VM, 9, "provides.compute.linux", "is 11,000,000,000, more than the 10,000,000,000"),
    ),
    "effort x largest quantity": (
        [(VM, "monthly: {linux-admin: 1.5}", "monthly: {linux-admin: 11}"), (VM, "", BIG_LINE)],
        (VM, 13, "effort.monthly", "11 hours a unit a month x quantity.max 1,000,000,000"),
    ),
    "cost x largest quantity (a centre's labour rate)": (
        [("delivery-centres.yaml", "{linux-admin: 1150}", "{linux-admin: 999999999}"),
         ("components/compute/OS-LNX.yaml", "competency: unix-linux-ops", "competency: x"),
         ("components/compute/CMP-PHY.yaml", "competency: unix-linux-ops", "competency: x"),
         ("competencies.yaml", "", "- {code: x, name: X, description: X.}\n")],
        (VM, 1, "quantity.max", "a unit costing 59,999,999.94 EUR a month from CZ-BRN"),
    ),
    "quantity rule coefficient x largest quantity": (
        [("rules.yaml", "", "- {kind: quantity, id: Q-1, message: M., unit: server, "
                            "left: {CMP-VM: 20000}, op: '>=', right: {OS-LNX: 1}}\n")],
        ("rules.yaml", 10, "[2].left.CMP-VM", "20000 a unit of CMP-VM x quantity.max 1,000,000"),
    ),
    "quantity rule coefficient with 7 decimals": (
        [("rules.yaml", "", "- {kind: quantity, id: Q-1, message: M., unit: server, "
                            "left: {CMP-VM: 0.0000001}, op: '>=', right: {OS-LNX: 1}}\n")],
        ("rules.yaml", 10, "[2].left.CMP-VM", "no more than 6 decimal places"),
    ),
    "choose maximum": (
        [("rules.yaml", "", "- {kind: choose, id: C-1, message: M., group: [CMP-VM, CMP-PHY], "
                            f"max: {2**70}}}\n")],
        ("rules.yaml", 10, "[2].max", "less than or equal to 1000000000"),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(NUMBERS))
def test_numbers_past_what_the_solver_holds_name_file_line_and_field(
    case: str, make_catalog: MakeCatalog
) -> None:
    edits, (file, line, field, words) = NUMBERS[case]
    root = make_catalog()
    for relative, old, new in edits:
        if old:
            _edit(root, relative, old, new)
        else:
            with (root / relative).open("a") as appended:
                appended.write(new)
    result = validate_catalog(root)
    assert result.snapshot is None
    found = [p for p in result.errors if (p.file, p.line, p.field) == (file, line, field)]
    assert found, result.errors
    assert words in found[0].message, found[0].message
    assert str(found[0]).startswith(f"{file}:{line}: {field}: ")


def test_the_largest_line_the_limits_allow_loads(make_catalog: MakeCatalog) -> None:
    root = make_catalog()
    _edit(root, VM, "- {monthly: 100.00}", "- {monthly: 1000.00}")  # 10**12 a month
    _edit(root, VM, "provides: {compute.linux: 1}", "provides: {compute.linux: 10}")
    with (root / VM).open("a") as appended:
        appended.write(BIG_LINE)
    assert validate_catalog(root).errors == ()


def test_codes_longer_than_their_columns_are_refused(make_catalog: MakeCatalog) -> None:
    root = make_catalog()
    _edit(root, VM, "family: compute", f"family: {'f' * 101}")
    _edit(root, "delivery-centres.yaml", "- code: CZ-BRN", f"- code: {'C' * 51}")
    found = {(p.file, p.line, p.field): p.message for p in validate_catalog(root).errors}
    assert "at most 100 characters" in found[(VM, 5, "family")]
    assert "at most 50 characters" in found[("delivery-centres.yaml", 1, "[0].code")]
