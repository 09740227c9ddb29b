"""Sizing rules (a quantity rule whose right side counts in another unit, ``per``) and
capability defaults (the general-purpose variant a need without attributes asks for)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from catalog.loader import validate_catalog
from catalog.rules import QuantityRule


def _with_rule(root: Path, unit: str, per: str) -> Path:
    with (root / "rules.yaml").open("a") as rules:
        rules.write(
            f"- kind: quantity\n  id: R-SIZE\n  unit: {unit}\n  per: {per}\n"
            "  left: {OS-LNX: 1}\n  op: '>='\n  right: {CMP-VM: 2}\n"
            "  message: Two OS units per VM.\n"
        )
    return root


def test_the_right_side_of_a_sizing_rule_counts_in_its_per_unit(
    make_catalog: Callable[..., Path],
) -> None:
    result = validate_catalog(_with_rule(make_catalog(), "server", "server"))
    assert result.errors == ()
    assert result.snapshot is not None
    (rule,) = [r for r in result.snapshot.rules if r.id == "R-SIZE"]
    assert isinstance(rule, QuantityRule) and rule.per == "server"


def test_the_left_side_counts_in_the_rules_unit(make_catalog: Callable[..., Path]) -> None:
    problems = validate_catalog(_with_rule(make_catalog(), "TB", "server")).errors
    assert [(p.field, p.message) for p in problems] == [
        ("[2].left.OS-LNX", "unit mismatch: OS-LNX counts in 'server', the left side in 'TB'")
    ]


def test_the_right_side_counts_in_the_per_unit(make_catalog: Callable[..., Path]) -> None:
    problems = validate_catalog(_with_rule(make_catalog(), "server", "TB")).errors
    assert [(p.field, p.message) for p in problems] == [
        ("[2].right.CMP-VM", "unit mismatch: CMP-VM counts in 'server', the right side in 'TB'")
    ]


def test_a_capability_default_no_component_provides_is_an_error(
    make_catalog: Callable[..., Path],
) -> None:
    root = make_catalog()
    capabilities = root / "capabilities.yaml"
    capabilities.write_text(
        capabilities.read_text().replace(
            "description: A Linux server.}", "description: A Linux server., default: {os: aix}}"
        )
    )
    problems = validate_catalog(root).errors
    assert [(p.file, p.line, p.field, p.message) for p in problems] == [
        ("capabilities.yaml", 1, "[0].default", "no component provides 'compute.linux' with os=aix")
    ]
