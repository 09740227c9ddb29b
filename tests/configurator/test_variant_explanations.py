"""A need that names its variant is explained and repaired by the providers serving that
variant, not every provider of its capability."""

from __future__ import annotations

from app.configurator import ConfigurationRequest, Need
from catalog.snapshot import CatalogSnapshot
from tests.configurator.solved import why_infeasible

PHYSICAL = (("platform", "physical"),)


def test_the_bound_of_a_variant_need_counts_only_its_providers(
    default_snapshot: CatalogSnapshot,
) -> None:
    # 5,000 physical servers: every Linux server provider together reaches 5,600, the
    # physical ones 600 (CMP-PHY-HANA 100, CMP-PHY-LNX 500).
    request = ConfigurationRequest("EUR", 36, (Need("compute.linux", 5000, PHYSICAL),))
    raised = why_infeasible(default_snapshot, request)
    (item,) = raised.conflicts
    assert item.detail == (
        "need compute.linux with platform=physical (5,000 server): every provider at its "
        "quantity.max covers 600 server at most (CMP-PHY-HANA 100, CMP-PHY-LNX 500)"
    )
    lowered = next(r for r in raised.repairs if r.relax[0].kind == "need").relax[0]
    assert lowered.detail.startswith("lower the need compute.linux with platform=physical to ")


def test_a_need_no_serving_provider_can_cover_is_dropped_never_made_negative(
    default_snapshot: CatalogSnapshot,
) -> None:
    # The physical providers are excluded and an included database needs a server of its
    # own: the most the need could still "cover" is below nothing.
    request = ConfigurationRequest(
        "EUR", 36, (Need("compute.linux", 2, PHYSICAL),),
        include=("DB-POSTGRES",), exclude=("CMP-PHY-LNX", "CMP-PHY-HANA"),
    )  # fmt: skip
    raised = why_infeasible(default_snapshot, request)
    details = [item.detail for repair in raised.repairs for item in repair.relax]
    assert "drop the need compute.linux with platform=physical (2 server)" in details
    assert not any(" to -" in detail for detail in details)
