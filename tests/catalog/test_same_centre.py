"""Co-location rules (``same_centre``) in the catalog: the model, family expansion, the
catalog checks (file:line: field), and the exporter's round trip."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from catalog.exporter import export_catalog
from catalog.loader import load_catalog, load_default_catalog, validate_catalog
from catalog.rules import Rule, SameCentreRule

RULE: TypeAdapter[Rule] = TypeAdapter(Rule)


def test_a_rule_names_two_components_or_a_family() -> None:
    rule = RULE.validate_python(
        {"kind": "same_centre", "id": "R-1", "message": "m", "families": ["hosting"]}
    )
    assert isinstance(rule, SameCentreRule) and rule.components() == ()
    with pytest.raises(ValidationError, match="two components or a family"):
        RULE.validate_python(
            {"kind": "same_centre", "id": "R-1", "message": "m", "components": ["A"]}
        )
    with pytest.raises(ValidationError, match="listed twice"):
        RULE.validate_python(
            {"kind": "same_centre", "id": "R-1", "message": "m", "components": ["A", "A"]}
        )


def test_families_expand_to_their_components_in_the_snapshot() -> None:
    snapshot = load_default_catalog()
    rule = SameCentreRule.model_validate(
        {
            "kind": "same_centre",
            "id": "R-X",
            "message": "m",
            "components": ["CMP-PHY-LNX"],
            "families": ["hosting"],
        }
    )
    members = rule.members(snapshot.components)
    assert members == ("CMP-PHY-LNX", "HST-COLO-CAGE", "HST-RACK-HD", "HST-RACK-STD")
    colocated = [r for r in snapshot.rules if isinstance(r, SameCentreRule) and r.families]
    assert colocated, "the default catalog co-locates whole families"
    family = colocated[0].families[0]
    for code in (c.code for c in snapshot.components if c.family == family):
        assert colocated[0] in snapshot.rules_for(code)
        assert code in snapshot.members(colocated[0])


def _with_rule(root: Path, rule: str) -> None:
    with (root / "rules.yaml").open("a") as rules:
        rules.write(rule)


def _hosting_centre(root: Path) -> None:
    """A second competency held only by a second centre: CMP-VM moves to it."""
    with (root / "competencies.yaml").open("a") as competencies:
        competencies.write("- {code: dc-hosting, name: Hosting, description: Racks.}\n")
    with (root / "delivery-centres.yaml").open("a") as centres:
        centres.write(
            "- code: DE-FRA\n  name: Frankfurt\n  country: DE\n  region: EU\n"
            "  cost_currency: EUR\n  competencies: [dc-hosting]\n"
            "  labour_rates: {linux-admin: 60}\n  monthly_capacity_hours: 1000\n"
        )
    vm = root / "components" / "compute" / "CMP-VM.yaml"
    vm.write_text(vm.read_text().replace("competency: unix-linux-ops", "competency: dc-hosting"))


def test_members_no_centre_can_hold_together_are_an_error(
    make_catalog: Callable[..., Path],
) -> None:
    root = make_catalog()
    _hosting_centre(root)
    assert validate_catalog(root).errors == ()
    _with_rule(root, "- kind: same_centre\n  id: R-3\n  components: [CMP-PHY, CMP-VM]\n"
                     "  message: The VM runs on the physical host.\n")  # fmt: skip
    (problem,) = validate_catalog(root).errors
    assert str(problem) == (
        "rules.yaml:12: [2].components[0]: CMP-PHY and CMP-VM can never share a centre: no "
        "delivery centre holds both 'unix-linux-ops' and 'dc-hosting'"
    )


def test_a_warning_rule_that_cannot_hold_is_a_warning(make_catalog: Callable[..., Path]) -> None:
    root = make_catalog()
    _hosting_centre(root)
    _with_rule(root, "- kind: same_centre\n  id: R-3\n  severity: warning\n"
                     "  families: [compute]\n  message: Keep compute together.\n")  # fmt: skip
    result = validate_catalog(root)
    assert result.errors == () and result.snapshot is not None
    assert [(p.line, p.field, p.severity) for p in result.problems] == [
        (13, "[2].families[0]", "warning"),
        (13, "[2].families[0]", "warning"),
    ]  # CMP-PHY and OS-LNX each with CMP-VM


def test_unknown_members_and_empty_families_are_named(make_catalog: Callable[..., Path]) -> None:
    root = make_catalog()
    _with_rule(root, "- kind: same_centre\n  id: R-3\n  components: [CMP-VM, CMP-GHOST]\n"
                     "  message: Together.\n"
                     "- kind: same_centre\n  id: R-4\n  components: [CMP-VM]\n"
                     "  families: [storage]\n  message: Together.\n")  # fmt: skip
    found = [(p.line, p.field, p.message) for p in validate_catalog(root).errors]
    assert found == [
        (12, "[2].components[1]", "rule R-3 names unknown component 'CMP-GHOST'"),
        (16, "[3].components", "co-location needs two components at least, rule R-4 has 1"),
        (17, "[3].families[0]", "no component has family 'storage'"),
    ]


def test_a_catalog_with_co_location_round_trips(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_catalog()
    _with_rule(root, "- kind: same_centre\n  id: R-3\n  components: [CMP-PHY]\n"
                     "  families: [compute]\n  message: Together.\n")  # fmt: skip
    original = load_catalog(root)
    export_catalog(original, tmp_path / "out")
    assert load_catalog(tmp_path / "out") == original
