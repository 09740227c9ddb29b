"""``offerwright catalog assure``: its lines, summary and exit codes (0 held, 1 broken, 2 the
catalog has errors), and its JUnit XML read back; a rule tightened in a copy of the default
catalog breaks exactly the combinations it should, named in both."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from app.cli import app
from catalog import CatalogSnapshot, default_catalog_path

# Issue 19's sizing rule: one HANA-certified server per HANA system. Two per system is the
# tightening: every combination with HANA gets dearer than its band allows.
ONE_SERVER_PER_SYSTEM = 'left: {CMP-PHY-HANA: 1}\n  op: ">="\n  right: {DB-HANA: 1}'
TWO_SERVERS_PER_SYSTEM = ONE_SERVER_PER_SYSTEM.replace("{DB-HANA: 1}", "{DB-HANA: 2}")
WITH_HANA = {"AC-SAP-001", "AC-SAP-002", "AC-SAP-005", "AC-SAP-006"}


def assure(*args: str) -> Result:
    return CliRunner().invoke(app, ["catalog", "assure", *args])


@pytest.fixture
def copy_of_default(tmp_path: Path) -> Callable[[str, str, str], Path]:
    """The default catalog copied, with ``old`` replaced by ``new`` once in one file."""

    def copy(relative: str, old: str, new: str) -> Path:
        target = tmp_path / "catalog"
        shutil.copytree(default_catalog_path(), target)
        edited = target / relative
        text = edited.read_text(encoding="utf-8")
        assert text.count(old) == 1
        edited.write_text(text.replace(old, new), encoding="utf-8")
        return target

    return copy


def _cases(path: Path) -> tuple[ET.Element, dict[str, ET.Element]]:
    root = ET.parse(path).getroot()
    (suite,) = root.findall("testsuite")
    return suite, {case.attrib["name"].split(":")[0]: case for case in suite.findall("testcase")}


def test_the_default_catalog_holds(default_snapshot: CatalogSnapshot) -> None:
    result = assure("--workers", "1")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    lines = result.stdout.splitlines()
    count = len(default_snapshot.assurances)
    assert (
        lines[0] == f"Assuring {count} combination(s) of {default_catalog_path()}, in this process"
    )
    # One line per combination, held, its id and name, and what was found.
    body = lines[1:-1]
    assert len(body) == count
    for line, combination in zip(body, default_snapshot.assurances, strict=True):
        assert line.startswith(f"held   {combination.id} ")
        assert f"  {combination.name}: " in line
    assert any(line.endswith("45,076.21 EUR a month, 16 line(s), 99.511 % available")
               for line in body)  # fmt: skip
    assert any("no bundle meets the request: budget 1,000.00 EUR a month" in line for line in body)
    assert lines[-1].startswith(f"{count} held, 0 broken (") and lines[-1].endswith(" s)")


def test_junit_on_the_solver_pool(default_snapshot: CatalogSnapshot, tmp_path: Path) -> None:
    report = tmp_path / "reports" / "assurance.xml"
    result = assure("--workers", "2", "--junit", str(report))
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "on 2 solver processes" in result.stdout.splitlines()[0]
    assert result.stdout.splitlines()[-1] == f"wrote {report}"
    suite, cases = _cases(report)
    count = len(default_snapshot.assurances)
    assert (suite.attrib["tests"], suite.attrib["failures"], suite.attrib["errors"]) == (
        str(count), "0", "0",
    )  # fmt: skip
    assert suite.attrib["name"] == f"assured combinations: {default_catalog_path()}"
    assert list(cases) == [c.id for c in default_snapshot.assurances]
    for combination in default_snapshot.assurances:
        case = cases[combination.id]
        assert case.attrib["classname"] == combination.owner
        assert case.attrib["name"] == f"{combination.id}: {combination.name}"
        assert float(case.attrib["time"]) > 0
        assert case.find("failure") is None
        out = case.findtext("system-out")
        assert out is not None and out.startswith("found: ")
    sap = cases["AC-SAP-001"].findtext("system-out")
    assert sap is not None and "\n  4 x CMP-PHY-HANA gold at DE-FRA" in sap


def test_a_tightened_rule_breaks_exactly_the_combinations_it_touches(
    copy_of_default: Callable[[str, str, str], Path], tmp_path: Path
) -> None:
    catalog = copy_of_default("rules.yaml", ONE_SERVER_PER_SYSTEM, TWO_SERVERS_PER_SYSTEM)
    report = tmp_path / "assurance.xml"
    result = assure(str(catalog), "--junit", str(report))
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stdout.splitlines()
    broken = {line.split()[1] for line in lines if line.startswith("BROKEN ")}
    assert broken == WITH_HANA
    # Under each broken one, the expectation it fails: the price found against the band.
    at = next(i for i, line in enumerate(lines) if line.startswith("BROKEN AC-SAP-001 "))
    assert "51,288.80 EUR a month" in lines[at]
    assert lines[at + 1].strip() == (
        "- the monthly price 51,288.80 EUR a month is above the band's 47,331.00 EUR a month"
    )
    held = sum(line.startswith("held ") for line in lines)
    assert lines[-2].startswith(f"{held} held, 4 broken (")

    suite, cases = _cases(report)
    assert suite.attrib["failures"] == "4"
    failed = {id_ for id_, case in cases.items() if case.find("failure") is not None}
    assert failed == WITH_HANA
    failure = cases["AC-SAP-002"].find("failure")
    assert failure is not None and failure.attrib["type"] == "broken"
    assert failure.attrib["message"].startswith("the monthly price ")
    assert failure.attrib["message"].endswith(" is above the band's 18,138.00 EUR a month")
    assert failure.text == f"- {failure.attrib['message']}"


def test_a_catalog_with_errors_runs_nothing(
    copy_of_default: Callable[[str, str, str], Path], tmp_path: Path
) -> None:
    catalog = copy_of_default("assurance/AC-SD-001.yaml", "term_months: 36", "term_months: 0")
    report = tmp_path / "assurance.xml"
    result = assure(str(catalog), "--junit", str(report))
    assert result.exit_code == 2
    assert result.stdout == ""
    line = (catalog / "assurance/AC-SD-001.yaml").read_text().splitlines().index("  term_months: 0")
    problem = f"assurance/AC-SD-001.yaml:{line + 1}: request.term_months: "
    assert result.stderr.startswith(problem)
    assert result.stderr.splitlines()[-1] == f"{catalog}: 1 error(s); no combination ran"
    # The CI report says why there is nothing to show.
    suite, cases = _cases(report)
    assert (suite.attrib["tests"], suite.attrib["errors"]) == ("1", "1")
    error = cases["catalog loads"].find("error")
    assert error is not None and error.text is not None and error.text.startswith(problem)


def test_a_catalog_without_combinations_has_nothing_to_break(
    make_catalog: Callable[[], Path],
) -> None:
    result = assure(str(make_catalog()))
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "no assured combinations (add them under assurance/)" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("0 held, 0 broken (")


def test_a_solve_the_pool_stops_is_a_broken_combination_not_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A solve killed at its time limit (or no free solver) is reported as no answer for
    that combination; the others still run."""
    from app.kit.errors import SolverKilled
    from app.quoting.solver_pool import SolverPool

    solve = SolverPool.solve

    def stopping(self: SolverPool, key: str, snapshot: Any, request: Any, limits: Any) -> Any:
        if request.needs and request.needs[0].quantity == 20_000:  # AC-HOST-007
            raise SolverKilled("the solve ran past its time limit of 5 s and was stopped")
        return solve(self, key, snapshot, request, limits)

    monkeypatch.setattr(SolverPool, "solve", stopping)
    result = assure("--workers", "2")
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stdout.splitlines()
    (at,) = [i for i, line in enumerate(lines) if line.startswith("BROKEN ")]
    assert lines[at].startswith("BROKEN AC-HOST-007 ")
    assert lines[at + 1].strip() == (
        "- no answer: the solve ran past its time limit of 5 s and was stopped"
    )
    assert ", 1 broken (" in lines[-1]


def test_junit_stays_readable_whatever_a_name_holds(tmp_path: Path) -> None:
    """A name may hold a control character; XML 1.0 cannot, even escaped (found by an
    independent review: the file did not parse)."""
    from app.assurance import junit_report, write_junit
    from app.assurance.suite import Finding, Verdict

    verdict = Verdict("AC-X", "bell\a ok", "o\x1b[31m", False, ("a \x00 reason",),
                      Finding("error", "no answer"))  # fmt: skip
    path = tmp_path / "assurance.xml"
    write_junit(path, junit_report([verdict], catalog="c", seconds=0.1))
    case = ET.parse(path).getroot().find("testsuite/testcase")
    assert case is not None
    assert (case.get("name"), case.get("classname")) == ("AC-X: bell\ufffd ok", "o\ufffd[31m")
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == "a \ufffd reason"
