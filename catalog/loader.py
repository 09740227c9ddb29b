"""Catalog-as-code loader: a directory of YAML files -> a validated CatalogSnapshot.

Layout (each collection is one file, a directory of files, or both)::

    capabilities.yaml  competencies.yaml  delivery-centres.yaml  price-books.yaml
    offerings.yaml     rules.yaml  (or rules/*.yaml)   tables/*.csv (rows of table rules)
    assurance/*.yaml   (assured combinations: requests and what must hold of their answers)
    components/<family>/<CODE>.yaml                     (one component per file)
    components/[<family>/]_defaults.yaml                 (fields a folder's components share)

A file holds one record (a mapping) or a list of records. Every problem is collected — YAML
syntax, schema, references, consistency — with file, line and field path; a catalog with any
error yields no snapshot at all, so invalid input never half-loads.
"""

from __future__ import annotations

import csv
import gc
import io
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from catalog.assurance import AssuredCombination
from catalog.capabilities import Capability, Competency
from catalog.centres import DeliveryCentre
from catalog.checks import Records, check
from catalog.components import Component
from catalog.defaults import DEFAULTS_FILE, OWN_FIELDS, inherit
from catalog.located import Located, Source
from catalog.offerings import Offering
from catalog.price_books import PriceBook
from catalog.problems import CatalogInvalid, PathPart, Problem
from catalog.rules import Rule
from catalog.snapshot import CatalogSnapshot
from catalog.text import NUL, NUL_MESSAGE, nul_paths
from catalog.yaml_io import YamlSyntaxError, line_of, located, parse


@dataclass(frozen=True, slots=True)
class Collection:
    name: str  # file or directory name in the catalog, e.g. "delivery-centres"
    field: str  # CatalogSnapshot field, e.g. "delivery_centres"
    validate: Callable[[Any], BaseModel]


_RULE = TypeAdapter(Rule)

COLLECTIONS: tuple[Collection, ...] = (
    Collection("capabilities", "capabilities", Capability.model_validate),
    Collection("competencies", "competencies", Competency.model_validate),
    Collection("delivery-centres", "delivery_centres", DeliveryCentre.model_validate),
    Collection("price-books", "price_books", PriceBook.model_validate),
    Collection("components", "components", Component.model_validate),
    Collection("rules", "rules", _RULE.validate_python),
    Collection("offerings", "offerings", Offering.model_validate),
    Collection("assurance", "assurances", AssuredCombination.model_validate),
)
TABLES_DIRECTORY = "tables"
# The escapes of a double-quoted YAML scalar that write a NUL: only a file holding one of
# these has its records searched for the character (the search is no cost to the rest).
_NUL_ESCAPE = re.compile(r"\\(?:0|x00|u0000|U00000000)")


@dataclass(frozen=True, slots=True)
class LoadResult:
    snapshot: CatalogSnapshot | None  # None when there is any error
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.severity == "warning")


def default_catalog_path() -> Path:
    """The default catalog shipped inside the package."""
    return Path(str(resources.files("catalog") / "data"))


@contextmanager
def _collector_paused() -> Iterator[None]:
    # Loading allocates hundreds of thousands of long-lived objects; CPython's cyclic
    # collector would traverse them again and again (a third of the time at 10,000
    # components, measured). Nothing here builds reference cycles worth collecting early.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def validate_catalog(root: Path) -> LoadResult:
    """Load and check everything under ``root``; never raises for bad catalog content."""
    with _collector_paused():
        return _validate(Path(root))


def _validate(root: Path) -> LoadResult:
    if not root.is_dir():
        problem = Problem(str(root), None, (), "not a directory")
        return LoadResult(None, (problem,))
    reader = _Reader(root)
    records = Records()
    files, unexpected = _discover(root)
    reader.problems.extend(unexpected)
    for collection in COLLECTIONS:
        for relative in files[collection.name]:
            for raw, source in reader.records(relative):
                if collection.field == "components" and isinstance(raw, dict):
                    raw, source = reader.with_defaults(raw, source)
                model = reader.validate(collection, raw, source)
                if model is not None:
                    getattr(records, collection.field).append(Located(model, source))
                elif isinstance(raw, dict):
                    _remember_invalid(records, raw)
    problems = [*reader.problems, *check(records)]
    # A bad default is found once per component inheriting it: said once.
    located_problems = dict.fromkeys(reader.locate(problem) for problem in problems)
    return _result(records, sorted(located_problems))


def _remember_invalid(records: Records, raw: dict[str, Any]) -> None:
    code = raw.get("code")
    if isinstance(code, str):
        records.invalid_codes.add(code)
    provides = raw.get("provides")
    if isinstance(provides, dict):
        records.invalid_provides.update(key for key in provides if isinstance(key, str))
    region = raw.get("region")  # a delivery centre's: residency may name it
    if isinstance(region, str):
        records.invalid_regions.add(region)


def load_catalog(root: Path) -> CatalogSnapshot:
    """The snapshot of the catalog under ``root``, or CatalogInvalid listing every error."""
    result = validate_catalog(root)
    if result.snapshot is None:
        raise CatalogInvalid(result.problems)
    return result.snapshot


def load_default_catalog() -> CatalogSnapshot:
    return load_catalog(default_catalog_path())


def _discover(root: Path) -> tuple[dict[str, list[str]], list[Problem]]:
    """One walk of the tree: the YAML files of each collection, and the files that do not
    belong (a misspelt ``capabilites.yaml`` must not be silently ignored)."""
    by_collection: dict[str, list[str]] = {collection.name: [] for collection in COLLECTIONS}
    unexpected: list[Problem] = []
    for directory, folders, names in os.walk(root):
        folders[:] = [folder for folder in folders if not folder.startswith(".")]
        relative_directory = os.path.relpath(directory, root).replace(os.sep, "/")
        prefix = "" if relative_directory == "." else relative_directory + "/"
        top = prefix.split("/", 1)[0]
        for name in names:
            if name.startswith("."):
                continue
            relative = prefix + name
            if name == DEFAULTS_FILE:
                if top != "components":
                    unexpected.append(Problem(relative, None, (), _MISPLACED_DEFAULTS))
                continue  # read with the components of its folder and the folders below
            if not prefix and name.endswith(".yaml") and name[: -len(".yaml")] in by_collection:
                by_collection[name[: -len(".yaml")]].append(relative)
            elif top in by_collection and name.endswith(".yaml"):
                by_collection[top].append(relative)
            elif top == TABLES_DIRECTORY and name.endswith(".csv"):
                continue
            elif name.endswith((".yaml", ".yml", ".csv")):
                unexpected.append(Problem(relative, None, (), _UNEXPECTED))
    for files in by_collection.values():
        # the single file first, then the directory's files in order
        files.sort(key=lambda relative: ("/" in relative, relative))
    return by_collection, unexpected


_UNEXPECTED = (
    "unexpected file: a catalog holds "
    + ", ".join(f"{collection.name}.yaml" for collection in COLLECTIONS)
    + ", folders of that name holding .yaml files, and "
    + f"{TABLES_DIRECTORY}/*.csv"
)


_MISPLACED_DEFAULTS = (
    f"{DEFAULTS_FILE} holds the fields shared by the components of its folder: it belongs "
    "in components/ or a folder below it"
)
_COMPONENT_FIELDS = frozenset(field.alias or name for name, field in Component.model_fields.items())


class _Reader:
    """Reads files, validates records and remembers every problem on the way."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self._located: dict[str, Any] = {}  # file -> round-trip document, for line numbers
        self._defaults: dict[str, dict[str, Any] | None] = {}  # folder -> its defaults

    def with_defaults(self, raw: dict[str, Any], source: Source) -> tuple[dict[str, Any], Source]:
        """A component record on top of the defaults of its folder and the folders above."""
        folders = source.file.split("/")[:-1]  # components, <family>, ...
        layers = []
        for depth in range(1, len(folders) + 1):
            file = "/".join([*folders[:depth], DEFAULTS_FILE])
            layer = self._folder_defaults(file)
            if layer:
                layers.append((file, layer))
        if not layers:
            return raw, source
        merged, inherited = inherit(layers, raw)
        return merged, replace(source, inherited=inherited)

    def _folder_defaults(self, file: str) -> dict[str, Any] | None:
        """The fields ``file`` gives (read once; None when there is no such file), without
        the ones it may not give, each reported once."""
        if file in self._defaults:
            return self._defaults[file]
        self._defaults[file] = None
        if not (self.root / file).is_file():
            return None
        records = list(self.records(file))
        if not records:
            return None
        document, source = records[0]
        if source.prefix or not isinstance(document, dict):
            self.problems.append(Problem(file, 1, (), "expected a mapping of component fields"))
            return None
        layer: dict[str, Any] = {}
        for key, value in document.items():
            if key in OWN_FIELDS:
                message = "a component's own field: it cannot be a folder default"
                self.problems.append(source.problem((key,), message))
            elif key not in _COMPONENT_FIELDS:
                self.problems.append(source.problem((key,), "unknown field"))
            else:
                layer[key] = value
        self._defaults[file] = layer
        return layer

    def _read(self, relative: str) -> str | None:
        try:
            with open(self.root / relative, encoding="utf-8") as file:
                text = file.read()
        except (OSError, UnicodeDecodeError) as error:
            self.problems.append(Problem(relative, None, (), f"cannot read the file: {error}"))
            return None
        if NUL in text:
            line = text.count("\n", 0, text.index(NUL)) + 1
            self.problems.append(Problem(relative, line, (), NUL_MESSAGE))
            # Read on without it: the YAML parser would cut the text short there, and the
            # rest of the file would cascade into problems of its own.
            text = text.replace(NUL, "\N{REPLACEMENT CHARACTER}")
        return text

    def records(self, relative: str) -> Iterator[tuple[Any, Source]]:
        text = self._read(relative)
        if text is None:
            return
        try:
            document = parse(text)
        except YamlSyntaxError as error:
            self.problems.append(Problem(relative, error.line, (), str(error)))
            return
        if document is None:
            return
        escaped = _NUL_ESCAPE.search(text) is not None
        if isinstance(document, dict):
            yield self._checked(document, Source(relative, ()), escaped)
        elif isinstance(document, list):
            for index, item in enumerate(document):
                yield self._checked(item, Source(relative, (index,)), escaped)
        else:
            self.problems.append(
                Problem(relative, 1, (), "expected a mapping or a list of mappings")
            )

    def _checked(self, raw: Any, source: Source, escaped: bool) -> tuple[Any, Source]:
        if escaped:
            self.problems.extend(source.problem(path, NUL_MESSAGE) for path in nul_paths(raw))
        return raw, source

    def validate(self, collection: Collection, raw: Any, source: Source) -> BaseModel | None:
        if isinstance(raw, dict) and collection.field == "rules" and "rows_file" in raw:
            raw = self._with_table_rows(raw, source)
            if raw is None:
                return None
        model, problems = validate_record(collection, raw, source)
        self.problems.extend(problems)
        return model

    def _with_table_rows(self, raw: dict[str, Any], source: Source) -> dict[str, Any] | None:
        """Replace ``rows_file`` by the rows of that CSV file (header row first)."""
        raw = dict(raw)
        name = raw.pop("rows_file")
        if "rows" in raw:
            self.problems.append(source.problem(("rows_file",), "give rows or rows_file, not both"))
            return None
        path = (self.root / str(name)).resolve()
        tables = (self.root / TABLES_DIRECTORY).resolve()
        if tables not in path.parents or path.suffix != ".csv":
            self.problems.append(
                source.problem(("rows_file",), f"must name a .csv file in {TABLES_DIRECTORY}/")
            )
            return None
        if not path.is_file():
            self.problems.append(source.problem(("rows_file",), f"no such file: {name}"))
            return None
        relative = path.relative_to(self.root.resolve()).as_posix()
        text = self._read(relative)
        if text is None:
            return None
        raw["rows"] = self._csv_rows(text, relative, raw.get("columns"))
        return raw

    def _csv_rows(self, text: str, relative: str, columns: Any) -> list[tuple[str, ...]]:
        lines = csv.reader(io.StringIO(text))
        header = next(lines, [])
        names = [column.get("name") for column in columns] if isinstance(columns, list) else []
        if (
            names
            and [cell.strip() for cell in header] != names
            and all(isinstance(column, dict) for column in columns)
        ):
            self.problems.append(
                Problem(relative, 1, (), f"header {header} does not match the columns {names}")
            )
        rows: list[tuple[str, ...]] = []
        for row in lines:
            if not row:
                continue
            cells = tuple(cell.strip() for cell in row)
            if names and len(cells) != len(names):
                self.problems.append(
                    Problem(
                        relative,
                        lines.line_num,
                        (),
                        f"row has {len(cells)} values, the table has {len(names)} columns",
                    )
                )
                continue
            rows.append(cells)
        return rows

    def locate(self, problem: Problem) -> Problem:
        if problem.line is not None or not problem.file.endswith(".yaml"):
            return problem
        # Only files with problems are parsed again, each once, however many problems it has.
        if problem.file not in self._located:
            text = self._read(problem.file)
            self._located[problem.file] = located(text) if text is not None else None
        return replace(problem, line=line_of(self._located[problem.file], problem.path))


def validate_record(
    collection: Collection, raw: Any, source: Source
) -> tuple[BaseModel | None, list[Problem]]:
    """One record against its model: the model, or the problems with their field paths."""
    if not isinstance(raw, dict):
        return None, [source.problem((), "expected a mapping of fields")]
    try:
        return collection.validate(raw), []
    except ValidationError as error:
        tag = raw.get("kind") if collection.field == "rules" else None
        return None, [source.problem(path, message) for path, message in describe(error, tag)]


def describe(error: ValidationError, tag: Any = None) -> list[tuple[tuple[PathPart, ...], str]]:
    """Pydantic's errors as (field path as written in the catalog, plain message) pairs;
    ``tag`` is a discriminated union's tag, which pydantic puts in the path."""
    return [(_clean_loc(detail["loc"], tag), _message(detail)) for detail in error.errors()]


def validate_mapping(data: Any) -> LoadResult:
    """A catalog given as one JSON-like mapping ``{"components": [...], "rules": [...]}``
    (snapshot field names), checked exactly like a directory. Problems name the record as
    ``components[3]`` in place of a file."""
    if not isinstance(data, dict):
        return LoadResult(None, (Problem("(catalog)", None, (), "expected a JSON object"),))
    known = {collection.field: collection for collection in COLLECTIONS}
    problems = [
        Problem("(catalog)", None, (name,), "unknown collection")
        for name in data
        if name not in known
    ]
    records = Records()
    with _collector_paused():
        for field, collection in known.items():
            items = data.get(field, [])
            if not isinstance(items, list):
                problems.append(Problem(field, None, (), "expected a list of records"))
                continue
            for index, raw in enumerate(items):
                source = Source(f"{field}[{index}]", ())
                model, found = validate_record(collection, raw, source)
                problems.extend(found)
                problems.extend(source.problem(path, NUL_MESSAGE) for path in nul_paths(raw))
                if model is not None:
                    getattr(records, field).append(Located(model, source))
                elif isinstance(raw, dict):
                    _remember_invalid(records, raw)
        return _result(records, sorted([*problems, *check(records)]))


def _result(records: Records, problems: list[Problem]) -> LoadResult:
    """A snapshot of the records, only when no problem is an error."""
    if any(problem.severity == "error" for problem in problems):
        return LoadResult(None, tuple(problems))
    snapshot = CatalogSnapshot.model_validate(
        {field: tuple(entry.item for entry in entries) for field, entries in records.items()}
    )
    return LoadResult(snapshot, tuple(problems))


def _clean_loc(loc: Iterable[int | str], tag: Any) -> tuple[PathPart, ...]:
    """Pydantic's error location -> a field path as written in the YAML file."""
    parts = list(loc)
    if tag is not None and parts and parts[0] == tag:
        parts = parts[1:]  # the discriminated union's tag, not a field
    return tuple(part for part in parts if part != "[key]")


_MESSAGES = {
    "extra_forbidden": "unknown field",
    "missing": "required field is missing",
    "finite_number": "must be a finite number",
}


def _message(detail: Any) -> str:
    kind = detail["type"]
    if kind in _MESSAGES:
        return str(_MESSAGES[kind])
    message = str(detail["msg"])
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    value = detail.get("input")
    if (
        isinstance(value, str | int | float)
        and not isinstance(value, bool)
        and len(str(value)) < 60
    ):
        message += f" (got {value!r})"
    elif value is not None and not isinstance(value, dict | list) and len(str(value)) < 60:
        message += f" (got {value})"
    return message[0].lower() + message[1:]
