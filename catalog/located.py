"""Where a loaded record came from, so any problem found later can point at its file and field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from catalog.defaults import Inherited, origin
from catalog.problems import PathPart, Problem, Severity

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Source:
    file: str  # relative to the catalog directory
    prefix: tuple[PathPart, ...]  # the record's path inside the file: () or (index,)
    inherited: Inherited = ()  # fields the record took from its folder's _defaults.yaml

    def problem(
        self, path: tuple[PathPart, ...], message: str, severity: Severity = "error"
    ) -> Problem:
        """A problem at ``path`` inside this record (or in the defaults file it inherited
        that field from); its line is resolved later."""
        defaults = origin(self.inherited, path)
        if defaults is not None:
            return Problem(defaults, None, path, message, severity)
        return Problem(self.file, None, self.prefix + path, message, severity)


@dataclass(frozen=True, slots=True)
class Located(Generic[T]):
    item: T
    source: Source
