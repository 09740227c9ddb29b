"""The rules and offerings that mention a component, asked of a catalog snapshot."""

from __future__ import annotations

from app.portfolio import mentions
from catalog import CatalogSnapshot


def test_rules_and_offerings_naming_a_component(default_snapshot: CatalogSnapshot) -> None:
    found = mentions(default_snapshot, "SD-VIP")
    assert [(m.offering.code, m.role) for m in found.offerings] == [
        ("OFF-MODERN-WORKPLACE", "optional"), ("OFF-SERVICE-DESK", "optional"),
    ]  # fmt: skip
    backup = mentions(default_snapshot, "BKP-MANAGED")
    assert {"R-BKP-001", "R-BKP-002", "R-BKP-003"} <= {rule.id for rule in backup.rules}
    assert [rule.id for rule in backup.rules] == sorted(rule.id for rule in backup.rules)
    assert ("OFF-DC-EXIT", "default") in [(m.offering.code, m.role) for m in backup.offerings]
    assert not backup.empty


def test_a_co_location_rule_counts_its_families_members(default_snapshot: CatalogSnapshot) -> None:
    rack = default_snapshot.component("HST-RACK-STD")
    assert rack.family == "hosting"
    assert "R-COLO-001" in [rule.id for rule in mentions(default_snapshot, rack.code).rules]
    # a draft of that family, not in the snapshot: named by its family
    draft = mentions(default_snapshot, "HST-NEW-DRAFT", family="hosting")
    assert [rule.id for rule in draft.rules] == ["R-COLO-001"] and draft.offerings == ()
    assert mentions(default_snapshot, "HST-NEW-DRAFT").empty
