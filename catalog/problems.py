"""Problems found in a catalog: each says where (file, line, field path) and what."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]
PathPart = str | int


def format_path(path: Sequence[PathPart]) -> str:
    """``("service_levels", 0, "availability")`` -> ``service_levels[0].availability``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(document)"


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    file: str  # relative to the catalog directory, with forward slashes
    line: int | None  # 1-based; None when the file has no lines to point at
    path: tuple[PathPart, ...]  # field path inside the file
    message: str
    severity: Severity = field(default="error", compare=False)

    @property
    def field(self) -> str:
        return format_path(self.path)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}: {self.field}: {tag}{self.message}"


class CatalogInvalid(Exception):
    """The catalog has errors; nothing was loaded."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        errors = [problem for problem in self.problems if problem.severity == "error"]
        listed = "\n".join(f"  {problem}" for problem in errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"the catalog has {len(errors)} error(s):\n{listed}{more}")
