"""The loader refuses what the database or the solver cannot hold, each problem with its
file, line and field: NUL characters, expressions nested past the parser's depth, and
numbers past the solver's integers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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
