"""POST /v1/catalog/import: a zipped catalog directory or one JSON object, validated whole,
imported in one transaction (all or nothing), admins keeping the files' statuses and
everyone else landing drafts."""

from __future__ import annotations

import io
import shutil
import tempfile
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from catalog.loader import default_catalog_path
from tests.support.factories import default_catalog_json
from tests.support.problems import assert_problem

IMPORT = "/v1/catalog/import"
NOTHING_CHANGED = {
    "components_created": 0,
    "components_versioned": 0,
    "components_unchanged": 83,
    "records_created": 0,
    "records_updated": 0,
    "records_deleted": 0,
}
VM = "components/compute/CMP-VM-LNX.yaml"


def _counts(response: Any) -> dict[str, Any]:
    """An import's counts, once its run of the assured combinations is checked: every import
    runs them, and on the default catalog (or one summary changed) every one holds."""
    report = dict(response.json())
    assured = report.pop("assurance")
    assert assured["broken"] == 0 and assured["held"] >= 20, assured
    return report


VM_SUMMARY = (
    "summary: A standard Linux virtual machine on the provider's VMware platform, "
    "built to the hardened image and run 24x7."
)


def _zip(root: Path, top: str | None = None) -> bytes:
    """The catalog directory ``root`` as a zip, its files at the root or under ``top``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                name = path.relative_to(root).as_posix()
                archive.write(path, f"{top}/{name}" if top else name)
    return buffer.getvalue()


def _zip_entries(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A copy of the default catalog directory to edit."""
    target = tmp_path / "catalog"
    shutil.copytree(default_catalog_path(), target)
    return target


def _edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    content = path.read_text()
    assert content.count(old) == 1, f"{old!r} is not once in {relative}"
    path.write_text(content.replace(old, new))


def _post_zip(client: TestClient, headers: dict[str, str], data: bytes) -> Response:
    return client.post(IMPORT, content=data, headers={**headers, "Content-Type": "application/zip"})


def _component(client: TestClient, auth: Any, code: str, version: int | None = None) -> Any:
    query = "" if version is None else f"?version={version}"
    response = client.get(f"/v1/components/{code}{query}", headers=auth("admin"))
    assert response.status_code == 200, response.text
    return response.json()


# -- zip ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("top", [None, "catalog-main"], ids=["files-at-root", "one-top-folder"])
def test_the_default_catalog_as_a_zip_changes_nothing(
    client: TestClient, auth: Any, top: str | None
) -> None:
    response = _post_zip(client, auth("admin"), _zip(default_catalog_path(), top))
    assert response.status_code == 200, response.text
    assert _counts(response) == NOTHING_CHANGED
    assert _component(client, auth, "CMP-VM-LNX")["latest_version"] == 1


def test_a_zip_made_by_finder_imports(client: TestClient, auth: Any) -> None:
    """Directory entries, a __MACOSX folder of resource forks and .DS_Store files."""
    root = default_catalog_path()
    entries = {"data/": "", "data/.DS_Store": "\x00\x00\x00\x01Bud1"}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_dir():
            entries[f"data/{name}/"] = ""
        else:
            entries[f"data/{name}"] = path.read_text()
            entries[f"__MACOSX/data/._{path.name}"] = "\x00\x05\x16\x07"
    response = _post_zip(client, auth("admin"), _zip_entries(entries))
    assert response.status_code == 200, response.text
    assert _counts(response) == NOTHING_CHANGED


@pytest.mark.parametrize("top", [None, "data"], ids=["files-at-root", "one-top-folder"])
def test_an_admin_import_keeps_the_files_status(
    client: TestClient, auth: Any, catalog_copy: Path, top: str | None
) -> None:
    _edit(catalog_copy, VM, VM_SUMMARY, "summary: A new summary for version two.")
    response = _post_zip(client, auth("admin"), _zip(catalog_copy, top))
    assert response.status_code == 200, response.text
    assert _counts(response) == {
        **NOTHING_CHANGED,
        "components_versioned": 1,
        "components_unchanged": 82,
    }
    current = _component(client, auth, "CMP-VM-LNX")
    assert (current["version"], current["status"]) == (2, "active")
    assert current["summary"] == "A new summary for version two."
    assert (current["active_version"], current["latest_version"]) == (2, 2)
    assert _component(client, auth, "CMP-VM-LNX", 1)["status"] == "retired"
    # The others are untouched.
    assert _component(client, auth, "SAP-BASIS-S4")["latest_version"] == 1


def test_an_admin_import_of_a_version_in_review_leaves_the_active_one(
    client: TestClient, auth: Any, catalog_copy: Path
) -> None:
    _edit(catalog_copy, VM, VM_SUMMARY, "summary: Under review.")
    _edit(catalog_copy, VM, "\nstatus: active\n", "\nstatus: in_review\n")
    response = _post_zip(client, auth("admin"), _zip(catalog_copy))
    assert response.status_code == 200, response.text
    assert response.json()["components_versioned"] == 1
    latest = _component(client, auth, "CMP-VM-LNX", 2)
    assert (latest["status"], latest["summary"]) == ("in_review", "Under review.")
    active = _component(client, auth, "CMP-VM-LNX")
    assert (active["version"], active["status"], active["latest_version"]) == (1, "active", 2)


def test_a_portfolio_import_lands_drafts_authored_by_the_caller(
    client: TestClient, auth: Any, catalog_copy: Path
) -> None:
    _edit(catalog_copy, VM, VM_SUMMARY, "summary: Proposed by portfolio.")
    response = _post_zip(client, auth("portfolio"), _zip(catalog_copy))
    assert response.status_code == 200, response.text
    assert _counts(response) == {
        **NOTHING_CHANGED,
        "components_versioned": 1,
        "components_unchanged": 82,
    }
    draft = _component(client, auth, "CMP-VM-LNX", 2)
    assert (draft["status"], draft["author"]) == ("draft", "portfolio")
    assert draft["summary"] == "Proposed by portfolio."
    active = _component(client, auth, "CMP-VM-LNX")
    assert (active["version"], active["status"]) == (1, "active")
    assert active["author"] == "maria.keller@offerwright.example"
    assert active["summary"] != "Proposed by portfolio."
    assert (active["active_version"], active["latest_version"]) == (1, 2)
    # What sales see is still the active version.
    seen = client.get("/v1/components/CMP-VM-LNX", headers=auth("sales")).json()
    assert (seen["version"], seen["summary"]) == (1, active["summary"])


def test_a_portfolio_import_cannot_activate_or_claim_another_author(
    client: TestClient, auth: Any
) -> None:
    catalog = default_catalog_json()
    component = next(c for c in catalog["components"] if c["code"] == "CMP-VM-LNX")
    component.update(summary="Sneaked in.", status="active", author="someone-else", version=9)
    response = client.post(IMPORT, json=catalog, headers=auth("portfolio"))
    assert response.status_code == 200, response.text
    active = _component(client, auth, "CMP-VM-LNX")
    assert active["version"] == 1 and active["summary"] != "Sneaked in."
    latest = _component(client, auth, "CMP-VM-LNX", active["latest_version"])
    assert (latest["status"], latest["author"], latest["summary"]) == (
        "draft",
        "portfolio",
        "Sneaked in.",
    )


# -- JSON ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "portfolio"])
def test_the_default_catalog_as_json_changes_nothing(
    client: TestClient, auth: Any, role: str
) -> None:
    assert set(default_catalog_json()) == {
        "capabilities",
        "competencies",
        "delivery_centres",
        "price_books",
        "components",
        "rules",
        "offerings",
        "assurances",
    }
    response = client.post(IMPORT, json=default_catalog_json(), headers=auth(role))
    assert response.status_code == 200, response.text
    assert _counts(response) == NOTHING_CHANGED


def test_a_json_import_with_a_changed_component(client: TestClient, auth: Any) -> None:
    catalog = default_catalog_json()
    component = next(c for c in catalog["components"] if c["code"] == "CMP-VM-LNX")
    component["summary"] = "Changed through JSON."
    response = client.post(IMPORT, json=catalog, headers=auth("admin"))
    assert response.status_code == 200, response.text
    assert response.json()["components_versioned"] == 1
    current = _component(client, auth, "CMP-VM-LNX")
    assert (current["version"], current["status"], current["summary"]) == (
        2,
        "active",
        "Changed through JSON.",
    )


# -- all or nothing -----------------------------------------------------------------------------


def _audit_count(client: TestClient, auth: Any) -> int:
    count, cursor = 0, None
    while True:
        query = "/v1/audit?limit=200" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(query, headers=auth("admin")).json()
        count += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return count


def _state(client: TestClient, auth: Any) -> dict[str, Any]:
    """What an import could change: components, registries and the audit log."""
    admin = auth("admin")
    state: dict[str, Any] = {
        "summary": client.get("/v1/catalog/summary", headers=admin).json(),
        "audit": _audit_count(client, auth),
        "vm": client.get("/v1/components/CMP-VM-LNX", headers=admin).json(),
        "hana": client.get("/v1/components/DB-HANA", headers=admin).json(),
    }
    for path in ("capabilities", "competencies", "delivery-centres", "price-books", "rules"):
        state[path] = client.get(f"/v1/{path}?limit=200", headers=admin).json()
    state["offerings"] = client.get("/v1/offerings?limit=200", headers=admin).json()
    return state


def test_a_zip_with_errors_in_two_files_imports_nothing(
    client: TestClient, auth: Any, catalog_copy: Path
) -> None:
    before = _state(client, auth)
    # Two errors in two files...
    _edit(
        catalog_copy,
        VM,
        "requires: {virtualisation.capacity: 1,",
        "requires: {no.such.capability: 1, virtualisation.capacity: 1,",
    )
    _edit(
        catalog_copy,
        "rules.yaml",
        "  if: SAP-BASIS-S4\n  then: [DB-HANA]",
        "  if: SAP-BASIS-S4\n  then: [DB-NOWHERE]",
    )
    # ... next to valid changes that must not be applied either.
    _edit(catalog_copy, VM, VM_SUMMARY, "summary: Must not be imported.")
    _edit(
        catalog_copy,
        "offerings.yaml",
        "name: Managed SAP S/4HANA on Linux",
        "name: Must not be imported",
    )
    response = _post_zip(client, auth("admin"), _zip(catalog_copy))
    problem = assert_problem(response, 422, "validation-error")
    errors = problem["errors"]
    assert len(errors) == 2, errors
    capability = next(error for error in errors if error["record"] == VM)
    assert capability["field"] == "requires.no.such.capability"
    assert "no.such.capability" in capability["message"]
    assert isinstance(capability["line"], int) and capability["line"] > 1
    rule = next(error for error in errors if error["record"] == "rules.yaml")
    assert rule["field"] == "[0].then[0]"
    assert "DB-NOWHERE" in rule["message"]
    assert isinstance(rule["line"], int) and rule["line"] > 1
    assert _state(client, auth) == before


def test_a_json_catalog_with_errors_in_two_records_imports_nothing(
    client: TestClient, auth: Any
) -> None:
    before = _state(client, auth)
    catalog = default_catalog_json()
    codes = [component["code"] for component in catalog["components"]]
    vm = catalog["components"][codes.index("CMP-VM-LNX")]
    vm["requires"]["no.such.capability"] = 1
    vm["summary"] = "Must not be imported."
    rules = [rule["id"] for rule in catalog["rules"]]
    catalog["rules"][rules.index("R-SAP-001")]["then"] = ["DB-NOWHERE"]
    catalog["offerings"][0]["name"] = "Must not be imported"
    del catalog["competencies"][0]  # a deletion that must not happen (and is an error)

    response = client.post(IMPORT, json=catalog, headers=auth("portfolio"))
    problem = assert_problem(response, 422, "validation-error")
    by_record = {error["record"]: error for error in problem["errors"]}
    component = by_record[f"components[{codes.index('CMP-VM-LNX')}]"]
    assert component["field"] == "requires.no.such.capability"
    rule = by_record[f"rules[{rules.index('R-SAP-001')}]"]
    assert rule["field"] == "then[0]" and "DB-NOWHERE" in rule["message"]
    assert _state(client, auth) == before


def test_an_import_that_breaks_kept_components_imports_nothing(
    client: TestClient, auth: Any
) -> None:
    """A catalog valid alone is refused when a component it leaves out (and the database
    keeps) would break: here PS-PM, the only one providing ps.project-management."""
    before = _state(client, auth)
    catalog = default_catalog_json()
    catalog["components"] = [c for c in catalog["components"] if c["code"] != "PS-PM"]
    catalog["capabilities"] = [
        c for c in catalog["capabilities"] if c["code"] != "ps.project-management"
    ]
    catalog["rules"] = [r for r in catalog["rules"] if "PS-PM" not in str(r)]
    for offering in catalog["offerings"]:
        for field in ("default_components", "optional_components"):
            offering[field] = [code for code in offering.get(field, []) if code != "PS-PM"]
    response = client.post(IMPORT, json=catalog, headers=auth("admin"))
    problem = assert_problem(response, 422, "validation-error")
    assert [error["field"] for error in problem["errors"]] == ["provides.ps.project-management"]
    assert _state(client, auth) == before


# -- refused uploads ----------------------------------------------------------------------------


@pytest.mark.parametrize("unsafe", ["../{name}", "/tmp/{name}", "a/../../{name}", "a\\..\\{name}"])
def test_unsafe_zip_entries_are_refused(client: TestClient, auth: Any, unsafe: str) -> None:
    before = _audit_count(client, auth)
    name = f"ow-evil-{uuid.uuid4().hex}.yaml"
    data = _zip_entries({"capabilities.yaml": "[]\n", unsafe.format(name=name): "- {code: evil}\n"})
    response = _post_zip(client, auth("admin"), data)
    assert_problem(response, 422, "validation-error")
    assert not (Path(tempfile.gettempdir()) / name).exists()
    assert not (Path(tempfile.gettempdir()).parent / name).exists()
    assert _audit_count(client, auth) == before


@pytest.mark.parametrize(
    "data", [b"this is not a zip", b"PK\x03\x04truncated", b""], ids=["text", "truncated", "empty"]
)
def test_a_body_that_is_not_a_zip_is_422(client: TestClient, auth: Any, data: bytes) -> None:
    assert_problem(_post_zip(client, auth("admin"), data), 422, "validation-error")


def test_an_empty_zip_is_422_and_deletes_nothing(client: TestClient, auth: Any) -> None:
    before = _state(client, auth)
    response = _post_zip(client, auth("admin"), _zip_entries({}))
    assert_problem(response, 422, "validation-error")
    assert _state(client, auth) == before


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-yaml", "multipart/form-data"]
)
def test_an_unsupported_content_type_is_415(
    client: TestClient, auth: Any, content_type: str | None
) -> None:
    headers = auth("admin")
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = client.post(IMPORT, content=_zip(default_catalog_path()), headers=headers)
    assert_problem(response, 415, "unsupported-media-type")


@pytest.mark.parametrize("body", [b"[]", b'"catalog"', b"42", b"null", b"[{}]"])
def test_a_json_catalog_that_is_not_an_object_is_422(
    client: TestClient, auth: Any, body: bytes
) -> None:
    response = client.post(
        IMPORT, content=body, headers={**auth("admin"), "Content-Type": "application/json"}
    )
    assert_problem(response, 422, "validation-error")


def test_malformed_json_is_400(client: TestClient, auth: Any) -> None:
    response = client.post(
        IMPORT,
        content=b'{"components": [',
        headers={**auth("admin"), "Content-Type": "application/json"},
    )
    assert_problem(response, 400, "malformed-json")


def test_unknown_collections_are_422(client: TestClient, auth: Any) -> None:
    response = client.post(
        IMPORT, json={**default_catalog_json(), "widgets": []}, headers=auth("admin")
    )
    problem = assert_problem(response, 422, "validation-error")
    assert [error["field"] for error in problem["errors"]] == ["widgets"]
