"""Uploaded catalogs (a zipped directory or one JSON object): unpacked safely and validated
whole, every problem reported, outside any transaction (a big catalog takes a minute to
validate, and no writer waits for that), then imported in one short write transaction."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy.orm import Session

from app.auth import Principal
from app.kit.database import Database, released
from app.kit.errors import FieldProblem, Invalid, MalformedJson, UnsupportedMediaType
from app.portfolio.catalog.service import import_snapshot
from app.portfolio.changes import CatalogChange, CatalogGate
from catalog import LoadResult, Problem, validate_catalog, validate_mapping

MAX_FILES = 100_000
MAX_UNPACKED_BYTES = 1_073_741_824  # a zip bomb stops here
# Entry names are checked before anything is written, so an archive either unpacks as named
# or not at all: at most 16 folders deep and 200 bytes a name (the file system allows 255 a
# name and 4,096 a path, the temporary folder included), 1,024 bytes in all.
MAX_DEPTH = 16
MAX_NAME_BYTES = 200
MAX_PATH_BYTES = 1_024


@dataclass(frozen=True, slots=True)
class Upload:
    media_type: str
    body: bytes


def import_upload(
    database: Database, session: Session, principal: Principal, upload: Upload, gate: CatalogGate
) -> dict[str, Any]:
    """Validate ``upload`` with ``session``'s connection given back, then import it: as it
    is for an admin (trusted: the files' statuses kept, the assured combinations run after
    and reported), through the catalog gate for anyone else, whose import puts its
    registries live at once (a rule it changes must not break what holds today)."""
    with released(session):
        result = _validate(upload)
    if result.snapshot is None:
        raise Invalid(
            f"the catalog has {len(result.errors)} error(s); nothing was imported",
            [_field_problem(problem) for problem in result.errors],
        )
    if principal.role == "admin":
        with database.transaction(write=True) as writing:
            return import_snapshot(writing, principal, result.snapshot, trusted=True).as_dict()
    view = gate.apply(principal, CatalogChange.import_catalog(result.snapshot))
    assert view is not None  # an import answers its report
    return dict(view.body)


def _field_problem(problem: Problem) -> FieldProblem:
    return FieldProblem(problem.field, problem.message, problem.file, problem.line)


def _validate(upload: Upload) -> LoadResult:
    if upload.media_type == "application/json":
        try:
            data = json.loads(upload.body)
        except (ValueError, UnicodeDecodeError) as error:
            raise MalformedJson(f"the catalog is not valid JSON: {error}") from error
        except RecursionError as error:
            raise MalformedJson("the catalog is nested too deeply") from error
        return validate_mapping(data)
    if upload.media_type in ("application/zip", "application/x-zip-compressed"):
        with tempfile.TemporaryDirectory(prefix="offerwright-import-") as directory:
            root = _unzip(upload.body, Path(directory))
            return validate_catalog(root)
    raise UnsupportedMediaType("send the catalog as application/zip or application/json")


def _unzip(data: bytes, target: Path) -> Path:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise Invalid(f"not a zip archive: {error}") from error
    except UnicodeDecodeError as error:  # a name flagged UTF-8 that is not
        raise Invalid(f"an entry's name is not valid UTF-8: {error.reason}") from error
    with archive:
        members = [member for member in archive.infolist() if not member.is_dir()]
        if len(members) > MAX_FILES:
            raise Invalid(f"the archive holds more than {MAX_FILES} files")
        if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
            raise Invalid(f"the archive unpacks to more than {MAX_UNPACKED_BYTES} bytes")
        paths = _entry_paths(members)
        for member, parts in zip(members, paths, strict=True):
            destination = target.joinpath(*parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, open(destination, "wb") as sink:
                sink.write(source.read())
    return _catalog_root(target)


def _entry_paths(members: list[zipfile.ZipInfo]) -> list[tuple[str, ...]]:
    """Each file's path as parts, once every name is known to unpack as written: relative,
    not too long or deep, and no name both a file and a folder or two files (which would
    fail half-way, or let the last one silently win)."""
    problems: list[FieldProblem] = []

    def refuse(name: str, message: str) -> None:
        problems.append(FieldProblem("(archive entry)", message, name))

    paths: list[tuple[str, ...]] = []
    for member in members:
        name = member.filename
        path = PurePosixPath(name)
        parts = path.parts
        paths.append(parts)
        if path.is_absolute() or ".." in parts or "\\" in name:
            refuse(name, "unsafe path: absolute, or reaching out of the archive")
        elif len(parts) > MAX_DEPTH:
            refuse(name, f"nested {len(parts) - 1} folders deep, more than {MAX_DEPTH - 1}")
        elif len(name.encode()) > MAX_PATH_BYTES:
            refuse(name, f"the path is longer than {MAX_PATH_BYTES} bytes")
        elif any(len(part.encode()) > MAX_NAME_BYTES for part in parts):
            refuse(name, f"a file or folder name is longer than {MAX_NAME_BYTES} bytes")
    if not problems:
        files: set[tuple[str, ...]] = set()
        folders = {parts[:end] for parts in paths for end in range(1, len(parts))}
        for member, parts in zip(members, paths, strict=True):
            if parts in files:
                refuse(member.filename, "the archive holds this file twice")
            elif parts in folders:
                refuse(member.filename, "the archive holds a file and a folder of this name")
            files.add(parts)
    if problems:
        raise Invalid(
            f"the archive cannot be unpacked as named ({len(problems)} entr"
            f"{'y' if len(problems) == 1 else 'ies'}); nothing was imported",
            problems,
        )
    return paths


def _catalog_root(root: Path) -> Path:
    """A zip of the catalog folder itself holds one top directory: descend into it."""
    entries = [entry for entry in root.iterdir() if not entry.name.startswith("__MACOSX")]
    if len(entries) == 1 and entries[0].is_dir() and not (root / "components").exists():
        return entries[0]
    return root
