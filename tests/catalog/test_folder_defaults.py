"""``_defaults.yaml``: the fields a folder's components share, written once, inherited by
each component file (which may override any of them), located in problems where they are
written, and factored back out by the exporter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from catalog.exporter import export_catalog, export_files
from catalog.loader import load_catalog, load_default_catalog, validate_catalog

SHARED = """\
family: compute
layer: infrastructure
charges: [monthly, one_time]
unit: server
provides: {compute.linux: 1}
requires: {os.linux.managed: 1}
competency: unix-linux-ops
effort:
  monthly: {linux-admin: 1.5}
prices:
  EUR:
    one_time: 100.00
    tiers:
      style: tiered
      bands:
        - {up_to: 10, monthly: 120.00}
        - {monthly: 100.00}
service_levels:
  - {name: bronze, availability: 99.5, response_minutes: 240, restore_hours: 24,
     price_factor: 1, cost_factor: 1}
availability_chain: true
status: active
author: test@example.com
documents:
  statement_of_work:
    provider_responsibilities: [Operate it.]
    client_responsibilities: [Use it.]
    deliverables: [A server.]
    assumptions: [None.]
    exclusions: [Applications.]
  delivery_description:
    provisioning_steps: [Build it.]
    operating_procedures: [Run it.]
    tooling: [Ansible]
    skills: [Linux]
    handover: To operations.
    kpis:
      - {name: Availability, target: "99.5 %", measurement: Monthly.}
"""


def _own(code: str, name: str, extra: str = "") -> str:
    return (
        f"code: {code}\nversion: 1\nname: {name}\n"
        f"summary: {name} for the test catalog.\n"
        f'documents:\n  specification: "## {name}"\n{extra}'
    )


def _with_defaults(root: Path, shared: str = SHARED) -> Path:
    folder = root / "components" / "compute"
    (folder / "_defaults.yaml").write_text(shared)
    (folder / "CMP-VM.yaml").write_text(_own("CMP-VM", "Linux VM"))
    (folder / "CMP-PHY.yaml").write_text(_own("CMP-PHY", "Physical Linux server"))
    return root


def test_components_inherit_their_folder_defaults(make_catalog: Callable[..., Path]) -> None:
    root = make_catalog()
    written_out = load_catalog(root)
    shortened = load_catalog(_with_defaults(root))
    assert shortened.component("CMP-VM") == written_out.component("CMP-VM")
    assert shortened.component("CMP-PHY") == written_out.component("CMP-PHY")


def test_a_component_overrides_a_default_and_merges_into_a_mapping(
    make_catalog: Callable[..., Path],
) -> None:
    root = _with_defaults(make_catalog())
    own = _own("CMP-PHY", "Physical Linux server", "status: retired\n")
    own = own.replace("documents:\n", "documents:\n  delivery_description:\n"
                      "    provisioning_steps: [Rack it.]\n    operating_procedures: [Run it.]\n"
                      "    tooling: [Redfish]\n    skills: [Hardware]\n"
                      "    handover: To operations.\n    kpis: []\n")  # fmt: skip
    (root / "components" / "compute" / "CMP-PHY.yaml").write_text(own)
    component = load_catalog(root).component("CMP-PHY")
    assert component.status == "retired"
    assert component.documents.delivery_description.tooling == ("Redfish",)
    # the sibling document still comes from the folder's defaults
    assert component.documents.statement_of_work.deliverables == ("A server.",)


def test_the_innermost_folder_wins(make_catalog: Callable[..., Path]) -> None:
    root = _with_defaults(make_catalog())
    (root / "components" / "_defaults.yaml").write_text("author: outer@example.com\nlayer: x\n")
    snapshot = load_catalog(root)
    assert snapshot.component("CMP-VM").author == "test@example.com"  # compute/ overrides
    assert snapshot.component("CMP-VM").layer == "infrastructure"


def test_a_bad_default_is_reported_once_where_it_is_written(
    make_catalog: Callable[..., Path],
) -> None:
    root = _with_defaults(make_catalog(), SHARED.replace("competency: unix-linux-ops",
                                                         "competency: sap-basis"))  # fmt: skip
    problems = [str(problem) for problem in validate_catalog(root).errors]
    assert problems == [
        "components/compute/_defaults.yaml:7: competency: unknown competency 'sap-basis'"
    ]


def test_a_bad_value_a_component_writes_in_an_inherited_mapping_is_its_own(
    make_catalog: Callable[..., Path],
) -> None:
    root = _with_defaults(make_catalog(), SHARED + "quantity: {min: 1, step: 1}\n")
    own = _own("CMP-PHY", "Physical Linux server", "quantity: {max: many}\n")
    (root / "components" / "compute" / "CMP-PHY.yaml").write_text(own)
    (problem,) = validate_catalog(root).errors
    assert (problem.file, problem.line, problem.field) == (
        "components/compute/CMP-PHY.yaml",
        7,
        "quantity.max",
    )


def test_identity_and_unknown_fields_cannot_be_defaults(
    make_catalog: Callable[..., Path],
) -> None:
    root = _with_defaults(make_catalog(), "code: CMP-X\n" + SHARED + "colour: blue\n")
    problems = [str(problem) for problem in validate_catalog(root).errors]
    assert problems == [
        "components/compute/_defaults.yaml:1: code: a component's own field: it cannot be a "
        "folder default",
        f"components/compute/_defaults.yaml:{SHARED.count(chr(10)) + 2}: colour: unknown field",
    ]


def test_defaults_outside_components_or_not_a_mapping_are_refused(
    make_catalog: Callable[..., Path],
) -> None:
    root = _with_defaults(make_catalog(), "- family: compute\n")
    (root / "_defaults.yaml").write_text("layer: x\n")
    messages = {(problem.file, problem.message) for problem in validate_catalog(root).errors}
    assert ("components/compute/_defaults.yaml", "expected a mapping of component fields") in (
        messages
    )
    assert any(file == "_defaults.yaml" and "belongs in components/" in message
               for file, message in messages)  # fmt: skip


def test_the_export_factors_each_family_s_shared_fields_and_loads_back_equal(
    tmp_path: Path,
) -> None:
    original = load_default_catalog()
    files = export_files(original)
    assert "components/hosting/_defaults.yaml" in files
    rack = files["components/hosting/HST-RACK-STD.yaml"]
    assert "competency" not in rack and "service_levels" not in rack  # shared by the family
    assert rack.startswith("code: HST-RACK-STD\n")
    export_catalog(original, tmp_path / "out")
    assert load_catalog(tmp_path / "out") == original


def test_a_catalog_written_with_defaults_exports_with_defaults(
    make_catalog: Callable[..., Path], tmp_path: Path
) -> None:
    snapshot = load_catalog(_with_defaults(make_catalog()))
    files = export_files(snapshot)
    shared = files["components/compute/_defaults.yaml"]
    assert "competency: unix-linux-ops" in shared and "statement_of_work" in shared
    assert "specification" not in shared  # each component's own
    export_catalog(snapshot, tmp_path / "out")
    assert load_catalog(tmp_path / "out") == snapshot
