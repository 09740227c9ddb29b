"""YAML reading and writing for catalog-as-code.

Loading is two-speed. Documents are parsed by yaml-rs (a Rust YAML 1.2 parser), which is
about 30x faster than libyaml-based loaders (measured: 0.08 ms against 2.4 ms for a
component file; see benchmarks/RESULTS.md) but forgets positions. Only files that turn out
to have problems are parsed again with ruamel.yaml's round-trip loader, whose nodes remember
their line numbers; ruamel also reports syntax errors and writes the files on export.

Numbers: yaml-rs hands over plain floats, which the models' ``Decimal`` fields turn into
decimals through their shortest repr (pydantic's conversion). That is exact for every
literal of up to 15 significant digits (IEEE 754 doubles carry 15 decimal digits without
loss, DBL_DIG), and the catalog's decimal types
allow no more than 15 digits, so ``0.1`` is exactly one tenth and no amount keeps a binary
float's error. YAML 1.2 rules apply (``NO`` is a string, not false).

Nesting: the native parsers do not raise on a document nested deep enough, they overflow
the stack and take the process with them (yaml-rs past some 10,000 block levels, ruamel past
some 10,000 flow levels). So a line indented (or ``- ``-nested) past ``MAX_INDENT`` columns
is refused before parsing, since every block level takes a column; yaml-rs refuses flow
collections past 256 levels itself; and ruamel, which reports syntax errors, only reads a
text whose brackets could not nest past ``MAX_OPENERS`` levels.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

import yaml_rs
from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.representer import SafeRepresenter

from catalog.problems import PathPart

_SPECIAL_FLOATS = {
    ".inf": Decimal("Infinity"),
    "+.inf": Decimal("Infinity"),
    "-.inf": Decimal("-Infinity"),
    ".nan": Decimal("NaN"),
}


class _DecimalConstructor(SafeConstructor):
    def construct_yaml_float(self, node: ScalarNode) -> Decimal:  # type: ignore[override]
        text = str(self.construct_scalar(node)).replace("_", "").lower()
        return _SPECIAL_FLOATS.get(text) or Decimal(text)


_DecimalConstructor.add_constructor(
    "tag:yaml.org,2002:float", _DecimalConstructor.construct_yaml_float
)


MAX_INDENT = 1_000  # columns of indentation and "- " before a line's content
MAX_OPENERS = 5_000  # "[" and "{" in a text ruamel may parse
_TOO_DEEP = re.compile(rf"^[ \t?:-]{{{MAX_INDENT}}}", re.MULTILINE)
_LINE = re.compile(r"at line (\d+)")


class YamlSyntaxError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _fast_loader() -> YAML:
    yaml = YAML(typ="safe", pure=False)
    yaml.Constructor = _DecimalConstructor
    return yaml


_FAST = _fast_loader()


def parse(text: str) -> Any:
    """Parse one YAML document; syntax errors carry the 1-based line."""
    deep = _TOO_DEEP.search(text)
    if deep is not None:
        line = text.count("\n", 0, deep.start()) + 1
        raise YamlSyntaxError(f"YAML syntax error: nested past {MAX_INDENT} columns", line)
    try:
        return yaml_rs.loads(text, parse_datetime=False)
    except yaml_rs.YAMLDecodeError as error:
        if not _ruamel_can_read(text):  # yaml-rs's own words, then
            found = _LINE.search(str(error))
            reason = str(error).rsplit("\n", 1)[-1]
            at = int(found.group(1)) if found else None
            raise YamlSyntaxError(f"YAML syntax error: {reason}", at) from None
        return parse_slow(text)  # ruamel's message and line are the ones we report


def _ruamel_can_read(text: str) -> bool:
    """Whether ``text`` cannot nest deeper than ruamel reads without crashing: no line
    indented past MAX_INDENT, and too few brackets to nest past MAX_OPENERS."""
    return text.count("[") + text.count("{") <= MAX_OPENERS and _TOO_DEEP.search(text) is None


def parse_slow(text: str) -> Any:
    """Parse with ruamel.yaml alone (floats read as Decimal from their text)."""
    try:
        return _FAST.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or str(error)
        context = f" ({error.context})" if error.context else ""
        raise YamlSyntaxError(f"YAML syntax error: {problem}{context}", line) from None
    except YAMLError as error:
        raise YamlSyntaxError(f"YAML error: {error}", None) from None


def located(text: str) -> Any:
    """The document as ruamel round-trip nodes, which remember their lines (None if broken)."""
    if not _ruamel_can_read(text):
        return None
    try:
        return YAML(typ="rt").load(text)
    except (YAMLError, RecursionError):  # the lines are then left unresolved
        return None


def line_of(document: Any, path: Sequence[PathPart]) -> int | None:
    """1-based line of the deepest node along ``path`` that exists in a ``located`` document."""
    if document is None:
        return None
    node = document
    line: int | None = 1
    for part in path:
        position = _position(node, part)
        if position is None:
            break
        line = position + 1
        node = node[part]
    return line


def _position(node: Any, part: PathPart) -> int | None:
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        if isinstance(part, int) and isinstance(node, list):
            return int(lc.item(part)[0]) if 0 <= part < len(node) else None
        if isinstance(node, dict) and part in node:
            return int(lc.key(part)[0])
    except (KeyError, IndexError, TypeError):
        return None
    return None


def _represent_decimal(representer: SafeRepresenter, value: Decimal) -> ScalarNode:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return representer.represent_scalar(tag, text)


def _represent_str(representer: SafeRepresenter, value: str) -> ScalarNode:
    # Multi-line text (Markdown) reads best as a literal block.
    if "\n" in value and all(line == line.rstrip() for line in value.split("\n")):
        return representer.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return cast(ScalarNode, representer.represent_str(value))


def dump(data: Any) -> str:
    """Serialise plain data (dicts, lists, str, int, bool, Decimal, None) to YAML text."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # keep field order
    yaml.width = 100
    yaml.allow_unicode = True
    yaml.representer.add_representer(Decimal, _represent_decimal)
    yaml.representer.add_representer(str, _represent_str)
    yaml.representer.add_representer(tuple, SafeRepresenter.represent_list)
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()
