"""Issue 19's SAP request on the default catalog: HANA sized per system as the sizing rules
say, and a generic need (``sap.basis``) filled with the variant asked for, the
general-purpose one (S/4HANA) when none is named, never the cheapest."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.configurator.errors import ConfigurationInvalid, Infeasible
from app.configurator.options import OptionsEngine, OptionsRequest
from app.configurator.request import ConfigurationRequest, Need
from app.configurator.solve import configure
from catalog.rules import QuantityRule
from catalog.snapshot import CatalogSnapshot
from tests.configurator.checker import violations
from tests.configurator.factories import catalog, component
from tests.configurator.solved import lines_of

BW = (("sap_release", "bw4hana"),)
SAP_NEEDS = (
    Need("db.hana", 4),
    Need("compute.linux", 12),
    Need("backup.protected-data", 20),
    Need("service-desk", 350),
)


BASIS = Need("sap.basis", 4)


def sap_request(basis: Need = BASIS) -> ConfigurationRequest:
    """4 x sap.basis, 4 x db.hana, 12 x compute.linux, 20 TB backup, 350 service-desk
    users, EU, 99.5 % (the request of issue 19)."""
    return ConfigurationRequest(
        "EUR", 36, (basis, *SAP_NEEDS), residency=("EU",), min_availability=Decimal("99.5")
    )


def quantities(snapshot: CatalogSnapshot, request: ConfigurationRequest) -> dict[str, int]:
    (bundle,) = configure(snapshot, request).bundles
    assert violations(snapshot, request, lines_of(bundle)) == []
    return {line.component.code: line.quantity for line in bundle.quote.lines}


def per_system(snapshot: CatalogSnapshot, rule_id: str) -> Decimal:
    """How much of its left side a sizing rule asks per HANA system."""
    (rule,) = [r for r in snapshot.rules if r.id == rule_id]
    assert isinstance(rule, QuantityRule) and rule.per == "system"
    return rule.right["DB-HANA"]


def test_the_sap_request_gets_a_server_storage_os_and_backup_per_hana_system(
    default_snapshot: CatalogSnapshot,
) -> None:
    got = quantities(default_snapshot, sap_request())
    hana = got["DB-HANA"]
    assert hana == 4
    # TDI: 3 TB of performance storage per system (was 1 TB for all four, plus 7 TB
    # standard), all of HANA's block storage on it.
    assert per_system(default_snapshot, "R-HANA-001") == 3
    assert got["STO-BLOCK-PERF"] == 3 * hana == 12
    assert "STO-BLOCK-STD" not in got
    # A certified server of its own per system (was a standard 16 GB VM slot).
    assert per_system(default_snapshot, "R-HANA-002") == 1
    assert got["CMP-PHY-HANA"] == hana
    # One SUSE-for-SAP OS per HANA system (was one for four).
    assert per_system(default_snapshot, "R-HANA-005") == 1
    assert got["OS-LNX-SAP"] == hana
    # Backint protects each system's 1.5 TB data volume on top of the 20 TB asked for.
    hana_backup = default_snapshot.component("DB-HANA").requires["backup.protected-data"]
    assert got["BKP-MANAGED"] == 20 + hana_backup * hana == 26
    # The generic need is S/4HANA, the general-purpose variant, not the cheaper BW/4HANA.
    assert got["SAP-BASIS-S4"] == 4
    assert "SAP-BASIS-BW" not in got


def test_a_need_that_names_its_variant_gets_it(default_snapshot: CatalogSnapshot) -> None:
    got = quantities(default_snapshot, sap_request(Need("sap.basis", 4, BW)))
    assert got["SAP-BASIS-BW"] == 4
    assert "SAP-BASIS-S4" not in got


def test_an_offering_settles_the_variant(default_snapshot: CatalogSnapshot) -> None:
    request = ConfigurationRequest(
        "EUR", 36, (Need("sap.basis", 2),), offering="OFF-SAP-ECC-CARE", residency=("EU",)
    )
    got = quantities(default_snapshot, request)
    assert "SAP-BASIS-S4" not in got  # not S/4HANA besides its ECC
    # Its FI/CO and logistics AMS support those two systems: no Basis for further ones
    # (R-SAP-004/005 bound AMS by Basis; a per-unit requirement added 2 more).
    assert got["SAP-AMS-FIN"] == got["SAP-AMS-LOG"] == 1
    assert got["SAP-BASIS-ECC"] == 2


def test_each_s4hana_system_has_its_own_hana_database(default_snapshot: CatalogSnapshot) -> None:
    request = ConfigurationRequest("EUR", 36, (Need("sap.basis", 3),), residency=("EU",))
    got = quantities(default_snapshot, request)
    assert got["SAP-BASIS-S4"] == got["DB-HANA"] == 3


@pytest.mark.parametrize(
    ("attributes", "field", "words"),
    [
        ((("colour", "red"),), "needs[0].attributes.colour", "no provider of 'sap.basis' has "
         "attribute 'colour' (they have sap_release, stack)"),
        ((("sap_release", "r3"),), "needs[0].attributes.sap_release",
         "has sap_release 'r3' (only bw4hana, ecc6, s4hana)"),
    ],
)  # fmt: skip
def test_an_attribute_or_value_no_provider_has_is_invalid(
    default_snapshot: CatalogSnapshot, attributes: tuple[tuple[str, str], ...], field: str,
    words: str,
) -> None:  # fmt: skip
    request = ConfigurationRequest("EUR", 36, (Need("sap.basis", 1, attributes),))
    with pytest.raises(ConfigurationInvalid) as caught:
        configure(default_snapshot, request)
    (problem,) = caught.value.problems
    assert problem.field == field
    assert words in problem.message


def test_values_no_single_provider_has_together_are_invalid() -> None:
    snapshot = catalog([
        component("CMP-A", price=1, attributes={"os": "linux", "tier": "gold"}),
        component("CMP-B", price=1, attributes={"os": "windows", "tier": "silver"}),
    ])  # fmt: skip
    need = Need("cap.a", 1, (("os", "linux"), ("tier", "silver")))
    with pytest.raises(ConfigurationInvalid) as caught:
        configure(snapshot, ConfigurationRequest("EUR", 1, (need,)))
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("needs[0].attributes", "no active component provides cap.a with os=linux, tier=silver")
    ]


def test_the_options_engine_forces_the_variant_asked_for(
    default_snapshot: CatalogSnapshot,
) -> None:
    # Any sap.basis provider would do for a need without its variant: none would be forced.
    engine = OptionsEngine(default_snapshot)
    for need, forced in ((Need("sap.basis", 1), "SAP-BASIS-S4"),
                         (Need("sap.basis", 1, BW), "SAP-BASIS-BW")):  # fmt: skip
        answer = engine.options(OptionsRequest(needs=(need,)))
        states = {option.code: option.state for option in answer.components}
        assert states[forced] == "forced", need


def test_only_the_variant_asked_for_counts_toward_the_quantity() -> None:
    # One Linux unit at most: two Linux units cannot be had, however many Windows ones.
    snapshot = catalog([
        component("CMP-A", price=1, attributes={"os": "linux"}, max_quantity=1),
        component("CMP-B", price=1, attributes={"os": "windows"}),
    ])  # fmt: skip
    linux = (("os", "linux"),)
    engine = OptionsEngine(snapshot)
    assert not engine.options(OptionsRequest(needs=(Need("cap.a", 2, linux),))).valid
    with pytest.raises(Infeasible):
        configure(snapshot, ConfigurationRequest("EUR", 1, (Need("cap.a", 2, linux),)))
    answer = engine.options(OptionsRequest(needs=(Need("cap.a", 1, linux),)))
    assert {o.code: o.state for o in answer.components}["CMP-A"] == "forced"


def test_only_the_variant_asked_for_is_said_to_cover_the_need(
    default_snapshot: CatalogSnapshot,
) -> None:
    request = ConfigurationRequest(
        "EUR", 36, (Need("sap.basis", 1, BW),), include=("SAP-BASIS-S4",), residency=("EU",)
    )
    (bundle,) = configure(default_snapshot, request).bundles
    why = {line.component.code: reasons for line, reasons in
           zip(bundle.quote.lines, bundle.reasons, strict=True)}  # fmt: skip
    assert "covers need sap.basis with sap_release=bw4hana (1 system)" in why["SAP-BASIS-BW"]
    assert not any(reason.startswith("covers need") for reason in why["SAP-BASIS-S4"])
