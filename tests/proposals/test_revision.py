"""The frozen proposal revision as a versioned model: revisions stored before it existed
(tests/fixtures/revisions, schema version 1 without the field) read, write back byte for
byte and hash exactly as they did; a later schema version is refused."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from app.proposals.revision import (
    SCHEMA_VERSION,
    FrozenRevision,
    UnsupportedRevision,
    read_revision,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "revisions"
CASES = sorted(path.stem for path in FIXTURES.glob("*.json") if "." not in path.stem)
STORED = sorted(FIXTURES.glob("*.stored.json"))


def _record(case: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((FIXTURES / f"{case}.json").read_text())
    return record


def _stored(case: str, revision: int) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        (FIXTURES / f"{case}.r{revision}.stored.json").read_text()
    )
    return document


# -- stored documents: read, write back, hash ------------------------------------------------


@pytest.mark.parametrize("path", STORED, ids=lambda path: path.name)
def test_a_stored_revision_reads_and_writes_back_byte_for_byte(path: Path) -> None:
    text = path.read_text()
    document = json.loads(text)
    assert "schema_version" not in document  # stored before the field existed
    frozen = read_revision(document)
    assert frozen.schema_version == 1
    written = frozen.stored()
    assert written.pop("schema_version") == 1
    assert written == document
    assert json.dumps(written) == text  # as SQLite held it, key order and all
    assert read_revision(frozen.stored()) == frozen  # and the model reads its own document


@pytest.mark.parametrize("path", STORED, ids=lambda path: path.name)
def test_a_stored_revision_hashes_as_it_was_hashed(path: Path) -> None:
    case, revision = path.name.split(".")[0], int(path.name.split(".")[1][1:])
    row = _record(case)["revisions"][revision - 1]
    frozen = read_revision(json.loads(path.read_text()))
    assert frozen.content_hash() == row["content_hash"]
    # Stored with its version written down (as revisions are now), it hashes the same.
    assert read_revision(frozen.stored()).content_hash() == row["content_hash"]


def test_amounts_are_decimals_with_the_bundles_currency() -> None:
    frozen = read_revision(_stored("offering_revised", 2))
    line = frozen.internal.lines[0]
    assert isinstance(line.unit_price, Decimal) and line.unit_price == Decimal(
        _stored("offering_revised", 2)["internal"]["lines"][0]["unit_price"]
    )
    assert frozen.public.money(line.monthly).currency == "GBP"
    assert line.cost is not None and line.margin is not None  # kept for roles that see cost
    assert all(line.cost is None and line.margin is None for line in frozen.public.lines)
    assert frozen.public.cost is None and frozen.internal.cost is not None


def test_a_later_schema_version_is_refused_with_a_clear_error() -> None:
    document = {"schema_version": SCHEMA_VERSION + 1, **_stored("accepted", 1)}
    with pytest.raises(UnsupportedRevision, match=r"schema version 2.*reads versions 1 to 1"):
        read_revision(document)
    with pytest.raises(ValidationError):  # the model itself never takes it either
        FrozenRevision.model_validate(document)
    for version in (0, "1", True, None):
        with pytest.raises(UnsupportedRevision, match="schema_version"):
            read_revision({**_stored("accepted", 1), "schema_version": version})


def test_a_document_that_does_not_write_back_the_same_is_refused() -> None:
    for field, value in [("unit_price", "12.5"), ("unit_price", 12.5), ("monthly", "1e3"),
                         ("colour", "blue")]:  # fmt: skip
        document = _stored("accepted", 1)
        document["public"]["lines"][0][field] = value
        with pytest.raises(ValidationError):
            read_revision(document)
    document = _stored("accepted", 1)
    document["public"]["discount_percent"] = "0.0"  # not how a factor is written
    with pytest.raises(ValidationError, match="is not how a factor is written"):
        read_revision(document)
