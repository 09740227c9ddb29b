"""Hostile or out-of-range input (issue 16, defect 7), one row per case: every request gets
a 4xx RFC 9457 problem with a stable type, never a 500, and leaves nothing written, on
SQLite and PostgreSQL (the ``client`` fixture). The two rows at the calendar's edge are
valid filters and get their list (200), where they used to overflow."""

from __future__ import annotations

import base64
import functools
import io
import json
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from app.models import Base
from catalog.loader import default_catalog_path
from tests.support.api import Auth
from tests.support.database import RolledBackDatabase
from tests.support.factories import copied_component, default_catalog_json
from tests.support.problems import assert_problem

BIG = 2**63  # one past the largest 64-bit integer
IMPORT = "/v1/catalog/import"
# Filled by a row's setup: values its path or body names ("{proposal}").
Made = dict[str, Any]


def _cursor(after: Any) -> str:
    raw = json.dumps({"after": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@functools.cache
def _catalog_files() -> tuple[tuple[str, str], ...]:
    root = default_catalog_path()
    return tuple(
        (path.relative_to(root).as_posix(), path.read_text())
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.suffix in (".yaml", ".csv")
    )


def _catalog_zip(
    edit: tuple[str, str, str] | None = None, extra: tuple[tuple[str, str], ...] = ()
) -> bytes:
    """The default catalog as a zip, one file's text edited (file, old, new), more entries
    after it (a name may repeat)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in _catalog_files():
            if edit is not None and name == edit[0]:
                assert text.count(edit[1]) == 1, edit
                text = text.replace(edit[1], edit[2])
            archive.writestr(name, text)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a name written twice, on purpose
            for name, text in extra:
                archive.writestr(name, text)
    return buffer.getvalue()


def _name_not_utf8() -> bytes:
    """The default catalog and one more entry whose name is flagged UTF-8 but is not."""
    data = _catalog_zip(extra=(("ab.yaml", "[]\n"),)).replace(b"ab.yaml", b"\xff\xfe.yaml")
    data = bytearray(data)
    at = data.find(b"PK\x01\x02")
    while at >= 0:  # each central directory record: set the UTF-8 flag (bit 11)
        data[at + 9] |= 0x08
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def _catalog_with(collection: str, record: dict[str, Any]) -> dict[str, Any]:
    """The default catalog as one JSON object, with ``record`` added to ``collection``."""
    catalog = default_catalog_json()
    catalog[collection].append(record)
    return catalog


def _catalog_changed(collection: str, key: str, changes: dict[str, Any]) -> dict[str, Any]:
    """The default catalog as one JSON object, with one record's fields changed."""
    catalog = default_catalog_json()
    for record in catalog[collection]:
        if record.get("code", record.get("id")) == key:
            record.update(changes)
            return catalog
    raise KeyError(key)


def _centre(code: str) -> dict[str, Any]:
    return next(c for c in default_catalog_json()["delivery_centres"] if c["code"] == code)


CONFIGURATION = {
    "price_book": "EUR",
    "term_months": 12,
    "needs": [{"capability": "storage.block", "quantity": 5}],
}
PROPOSAL = {"customer": {"name": "Bad Input AG", "country": "CH"}, "request": CONFIGURATION}


def _proposal(client: TestClient, auth: Auth) -> Made:
    response = client.post("/v1/proposals", json=PROPOSAL, headers=auth("admin"))
    assert response.status_code == 201, response.text
    return {"proposal": response.json()["id"]}


@dataclass(frozen=True)
class Row:
    """One bad request: what is sent, and the problem it must get."""

    name: str
    method: str
    path: str
    status: int
    slug: str
    params: dict[str, Any] | None = None
    json: Any = None
    zip: Callable[[], bytes] | None = None  # a body sent as application/zip
    role: str = "admin"
    headers: dict[str, str] = field(default_factory=dict)
    fields: tuple[str, ...] = ()  # field paths the problem must name
    setup: Callable[[TestClient, Auth], Made] | None = None

    def send(self, client: TestClient, auth: Auth, made: Made) -> Response:
        headers = {**auth(self.role), **self.headers}
        path = self.path.format(**made)
        if self.zip is not None:
            headers["Content-Type"] = "application/zip"
            return client.request(self.method, path, content=self.zip(), headers=headers)
        return client.request(self.method, path, params=self.params, json=self.json,
                              headers=headers)  # fmt: skip


WRITE = {"If-Match": "*"}

# Integers past what the database holds: one bounded type for every path and query id.
ID_ROWS = [
    Row("proposal id", "GET", f"/v1/proposals/{BIG}", 422, "validation-error",
        fields=("proposal_id",)),
    Row("proposal id, 2**31", "GET", f"/v1/proposals/{2**31}", 422, "validation-error",
        fields=("proposal_id",)),
    Row("proposal pdf id", "GET", f"/v1/proposals/{BIG}/pdf", 422, "validation-error",
        fields=("proposal_id",)),
    Row("proposal transition id", "POST", f"/v1/proposals/{BIG}/transition", 422,
        "validation-error", json={"to": "submitted"}, fields=("proposal_id",)),
    Row("proposal revision id", "POST", f"/v1/proposals/{BIG}/revisions", 422,
        "validation-error", json={}, fields=("proposal_id",)),
    Row("?revision=", "GET", "/v1/proposals/{proposal}", 422, "validation-error",
        params={"revision": BIG}, fields=("revision",), setup=_proposal),
    Row("pdf ?revision=", "GET", "/v1/proposals/{proposal}/pdf", 422, "validation-error",
        params={"revision": BIG}, fields=("revision",), setup=_proposal),
    Row("work package id", "GET", f"/v1/work-packages/{BIG}", 422, "validation-error",
        fields=("package_id",)),
    Row("work package pdf id", "GET", f"/v1/work-packages/{BIG}/pdf", 422, "validation-error",
        fields=("package_id",)),
    Row("component ?version=", "GET", "/v1/components/CMP-VM-LNX", 422, "validation-error",
        params={"version": BIG}, fields=("version",)),
    Row("specification ?version=", "GET", "/v1/components/CMP-VM-LNX/specification", 422,
        "validation-error", params={"version": BIG}, fields=("version",)),
    Row("transition version", "POST", f"/v1/components/CMP-VM-LNX/versions/{BIG}/transition",
        422, "validation-error", json={"to": "in_review"}, fields=("version",)),
    Row("proposals cursor", "GET", "/v1/proposals", 400, "bad-request",
        params={"cursor": _cursor(BIG)}),
    Row("audit cursor", "GET", "/v1/audit", 400, "bad-request", params={"cursor": _cursor(BIG)}),
    Row("work packages cursor", "GET", "/v1/delivery-centres/CZ-BRN/work-packages", 400,
        "bad-request", params={"cursor": _cursor(BIG)}),
]  # fmt: skip

# Dates at the edge of the calendar: the last day is a day like any other (200), a moment
# whose UTC time falls past the calendar names nothing stored (422).
DATE_ROWS = [
    Row("?created_to=9999-12-31", "GET", "/v1/proposals", 200, "",
        params={"created_to": "9999-12-31"}),
    Row("?created_from=0001-01-01", "GET", "/v1/proposals", 200, "",
        params={"created_from": "0001-01-01"}),
    Row("audit ?since= past the calendar in UTC", "GET", "/v1/audit", 422, "validation-error",
        params={"since": "9999-12-31T23:00:00-05:00"}, fields=("since",)),
    Row("audit ?since= before the calendar in UTC", "GET", "/v1/audit", 422,
        "validation-error", params={"since": "0001-01-01T00:30:00+01:00"}, fields=("since",)),
]  # fmt: skip

# NUL characters: refused wherever text comes in, naming the field (PostgreSQL cannot hold
# them); key-ordered cursors are checked like id-ordered ones.
NUL_ROWS = [
    Row("components cursor of another list", "GET", "/v1/components", 400, "bad-request",
        params={"cursor": _cursor(BIG)}),
    Row("NUL in a components cursor", "GET", "/v1/components", 400, "bad-request",
        params={"cursor": _cursor("CMP\x00")}),
    Row("NUL in a registry cursor", "GET", "/v1/rules", 400, "bad-request",
        params={"cursor": _cursor("R\x00")}),
    Row("NUL in q", "GET", "/v1/components", 422, "validation-error",
        params={"q": "vm\x00"}, fields=("q",)),
    Row("NUL in family", "GET", "/v1/components", 422, "validation-error",
        params={"family": "compute\x00"}, fields=("family",)),
    Row("NUL in customer", "GET", "/v1/proposals", 422, "validation-error",
        params={"customer": "a\x00"}, fields=("customer",)),
    Row("NUL in audit actor", "GET", "/v1/audit", 422, "validation-error",
        params={"actor": "a\x00"}, fields=("actor",)),
    Row("NUL in a query parameter's name", "GET", "/v1/components", 422, "validation-error",
        params={"q\x00": "vm"}),
    Row("NUL in a component code", "GET", "/v1/components/CMP%00VM", 422, "validation-error",
        fields=("code",)),
    Row("NUL in a component code (PATCH)", "PATCH", "/v1/components/CMP%00VM", 422,
        "validation-error", json={"summary": "x"}, headers=WRITE, fields=("code",)),
    Row("NUL in a registry key", "GET", "/v1/delivery-centres/CZ%00BRN", 422,
        "validation-error", fields=("key",)),
    Row("NUL in a registry key (DELETE)", "DELETE", "/v1/rules/R%00", 422,
        "validation-error", headers=WRITE, fields=("key",)),
    Row("NUL in a centre's work packages", "GET", "/v1/delivery-centres/CZ%00/work-packages",
        422, "validation-error", fields=("code",)),
    Row("NUL in a customer name", "POST", "/v1/proposals", 422, "validation-error",
        json={**PROPOSAL, "customer": {"name": "Bad\x00Input", "country": "CH"}},
        fields=("customer.name",)),
    Row("NUL in a customer contact", "POST", "/v1/proposals", 422, "validation-error",
        json={**PROPOSAL, "customer": {"name": "X", "country": "CH", "contact": "a\x00"}},
        fields=("customer.contact",)),
    Row("NUL in a component's name", "POST", "/v1/components", 422, "validation-error",
        json=copied_component(name="Linux\x00VM"), fields=("name",)),
    Row("NUL in a JSON key", "POST", "/v1/rules", 422, "validation-error",
        json={"id": "R-NUL-001", "kind": "requires", "if": "CMP-VM-LNX",
              "then": ["STO-BLOCK-STD"], "message": "m", "x\x00": 1}),
    Row("NUL in an imported catalog (JSON)", "POST", IMPORT, 422, "validation-error",
        json=_catalog_changed("delivery_centres", "CZ-BRN", {"name": "Brno\x00"}),
        fields=("name",)),
    Row("NUL escaped in an imported catalog (zip)", "POST", IMPORT, 422, "validation-error",
        zip=lambda: _catalog_zip(("capabilities.yaml", "name: Data-centre rack space",
                                  'name: "Data-centre\\0rack space"')),
        fields=("[0].name",)),
    Row("NUL written in an imported catalog (zip)", "POST", IMPORT, 422, "validation-error",
        zip=lambda: _catalog_zip(("capabilities.yaml", "name: Data-centre rack space",
                                  "name: Data-centre\x00rack space"))),
    Row("NUL in an imported table (zip)", "POST", IMPORT, 422, "validation-error",
        zip=lambda: _catalog_zip(("tables/sap-platform-matrix.csv", "-,ecc6,-,-,-,*",
                                  "-,ecc6\x00,-,-,-,*"))),
]  # fmt: skip

# Rule expressions nested past the parser's depth: a syntax error at the column, not a
# RecursionError.
DEEP_RULE = {"id": "R-DEEP-001", "kind": "expression", "message": "Deeply nested.",
             "expression": "not " * 20_000 + "CMP-VM-LNX"}  # fmt: skip
DEPTH_ROWS = [
    Row("20,000 nested not (POST /v1/rules)", "POST", "/v1/rules", 422, "validation-error",
        json=DEEP_RULE, fields=("expression",)),
    Row("20,000 nested not (PATCH /v1/rules)", "PATCH", "/v1/rules/R-SAP-001", 422,
        "validation-error", headers=WRITE,
        json={"kind": "expression", "expression": DEEP_RULE["expression"], "if": None,
              "then": None}, fields=("expression",)),
    Row("20,000 nested not (import)", "POST", IMPORT, 422, "validation-error",
        json=_catalog_with("rules", DEEP_RULE), fields=("expression",)),
    Row("20,000 nested not (zip import)", "POST", IMPORT, 422, "validation-error",
        zip=lambda: _catalog_zip(extra=(("rules/deep.yaml", json.dumps(DEEP_RULE)),)),
        fields=("expression",)),
    Row("20,000 nested implies", "POST", "/v1/rules", 422, "validation-error",
        json={**DEEP_RULE, "expression": "CMP-VM-LNX -> " * 20_000 + "CMP-VM-LNX"},
        fields=("expression",)),
    Row("20,000 nested iff", "POST", "/v1/rules", 422, "validation-error",
        json={**DEEP_RULE, "expression": "CMP-VM-LNX iff " * 20_000 + "CMP-VM-LNX"},
        fields=("expression",)),
    Row("20,000 nested parentheses", "POST", "/v1/rules", 422, "validation-error",
        json={**DEEP_RULE, "expression": "(" * 20_000 + "CMP-VM-LNX" + ")" * 20_000},
        fields=("expression",)),
]  # fmt: skip

# Zip entries that cannot be unpacked as named: every name is checked before anything is
# written.
ZIP_ROWS = [
    Row("zip: a file and a folder of one name", "POST", IMPORT, 422, "validation-error",
        zip=lambda: _catalog_zip(extra=(("a", "x"), ("a/b.yaml", "[]\n")))),
    Row("zip: a folder and a file of one name", "POST", IMPORT, 422, "validation-error",
        zip=lambda: _catalog_zip(extra=(("a/b.yaml", "[]\n"), ("a", "x")))),
    Row("zip: a file twice", "POST", IMPORT, 422, "validation-error",
        zip=lambda: _catalog_zip(extra=(("rules.yaml", "[]\n"),))),
    Row("zip: a 300-character name", "POST", IMPORT, 422, "validation-error",
        zip=lambda: _catalog_zip(extra=(("components/" + "A" * 300 + ".yaml", "[]\n"),))),
    Row("zip: 2,000 nested folders", "POST", IMPORT, 422, "validation-error",
        zip=lambda: _catalog_zip(extra=(("d/" * 2_000 + "x.yaml", "[]\n"),))),
    Row("zip: a name flagged UTF-8 that is not", "POST", IMPORT, 422, "validation-error",
        zip=_name_not_utf8),
    # The YAML parsers overflowed the stack on these, killing the process (not a row that can
    # fail on the old code: it takes the test run down with it).
    Row("zip: YAML nested 100,000 blocks deep", "POST", IMPORT, 422, "validation-error",
        zip=lambda: _catalog_zip(extra=(("offerings/deep.yaml", "- " * 100_000 + "x\n"),))),
    Row("zip: YAML nested 100,000 brackets deep", "POST", IMPORT, 422, "validation-error",
        zip=lambda: _catalog_zip(
            extra=(("offerings/deep.yaml", "[" * 100_000 + "]" * 100_000 + "\n"),))),
]  # fmt: skip

# Catalog numbers the solver cannot hold: refused when written, naming the field, instead of
# every configuration that reaches them failing (catalog.limits).
HUGE_LINE = {"quantity": {"min": 1, "max": 10**9, "step": 1}, "provides": {"compute.linux": 11}}
NUMBER_ROWS = [
    Row("capacity 2**62 (PATCH)", "PATCH", "/v1/delivery-centres/CZ-BRN", 422,
        "validation-error", json={"monthly_capacity_hours": 2**62}, headers=WRITE,
        fields=("monthly_capacity_hours",)),
    Row("capacity 2**62 (import)", "POST", IMPORT, 422, "validation-error",
        json=_catalog_changed("delivery_centres", "CZ-BRN", {"monthly_capacity_hours": 2**62}),
        fields=("monthly_capacity_hours",)),
    Row("capacity 2**62 (zip import)", "POST", IMPORT, 422, "validation-error",
        zip=lambda: _catalog_zip(("delivery-centres.yaml", "monthly_capacity_hours: 36000",
                                  f"monthly_capacity_hours: {2**62}")),
        fields=("[1].monthly_capacity_hours",)),
    Row("a labour rate making a line's cost past the solver (PATCH)", "PATCH",
        "/v1/delivery-centres/CZ-BRN", 422, "validation-error", headers=WRITE,
        json={"labour_rates": dict.fromkeys(_centre("CZ-BRN")["labour_rates"], "999999999")},
        fields=("quantity.max",)),
    Row("capability x largest quantity (POST component)", "POST", "/v1/components", 422,
        "validation-error", json=copied_component(**HUGE_LINE), fields=("provides.compute.linux",)),
    Row("quantity step 2**70 (PATCH component)", "PATCH", "/v1/components/CMP-VM-LNX", 422,
        "validation-error", headers=WRITE, json={"quantity": {"step": 2**70}},
        fields=("quantity.step",)),
    Row("choose max 2**70 (POST rule)", "POST", "/v1/rules", 422, "validation-error",
        json={"id": "R-BIG-001", "kind": "choose", "message": "m", "max": 2**70,
              "group": ["CMP-VM-LNX", "CMP-VM-WIN"]}, fields=("max",)),
    Row("version 2**31 (import)", "POST", IMPORT, 422, "validation-error",
        json=_catalog_changed("components", "CMP-VM-LNX",
                              {"version": 2**31, "summary": "Changed, so a new version."}),
        fields=("version",)),
]  # fmt: skip

# Codes longer than the columns storing them (SQLite kept them, PostgreSQL failed).
LONG_ROWS = [
    Row("delivery centre code of 60 characters", "POST", "/v1/delivery-centres", 422,
        "validation-error", json=_centre("CZ-BRN") | {"code": "C" * 60}, fields=("code",)),
    Row("rule id of 150 characters", "POST", "/v1/rules", 422, "validation-error",
        json={"id": "R-" + "A" * 150, "kind": "requires", "if": "CMP-VM-LNX",
              "then": ["STO-BLOCK-STD"], "message": "m"}, fields=("id",)),
    Row("component code of 150 characters", "POST", "/v1/components", 422, "validation-error",
        json=copied_component(code="CMP-VM-LNX") | {"code": "CMP-" + "A" * 150}, fields=("code",)),
    Row("component family of 150 characters", "POST", "/v1/components", 422,
        "validation-error", json=copied_component(family="f" * 150), fields=("family",)),
]  # fmt: skip

ROWS = [*ID_ROWS, *DATE_ROWS, *NUL_ROWS, *DEPTH_ROWS, *ZIP_ROWS, *NUMBER_ROWS, *LONG_ROWS]


def _counts(database: RolledBackDatabase) -> dict[str, int]:
    """Rows in every table: what a refused request must leave as it was."""
    with database.transaction(write=False) as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_bad_input_is_a_4xx_problem_and_writes_nothing(
    client: TestClient, auth: Auth, database: RolledBackDatabase, row: Row
) -> None:
    made = row.setup(client, auth) if row.setup else {}
    before = _counts(database)
    response = row.send(client, auth, made)
    assert response.status_code == row.status, response.text[:2000]
    if row.status < 400:
        assert _counts(database) == before
        return
    problem = assert_problem(response, row.status, row.slug)
    assert ".py" not in response.text
    named = [error["field"] for error in problem.get("errors", [])]
    for wanted in row.fields:
        assert wanted in named, problem
    assert _counts(database) == before
