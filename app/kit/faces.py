"""A domain's public face, loaded on first use (PEP 562).

A domain's ``__init__`` imports the names other domains may use under ``TYPE_CHECKING`` and
lists them in ``__all__``: the type checker and the reader see each name and its module.
At run time nothing is imported up front, because importing any module of a package first
runs the package's ``__init__``: a solver worker imports ``app.quoting.solver_pool`` and a
render worker ``app.documents.render_pool``, and a face that imported its domain's services
would load them, SQLAlchemy and FastAPI into every worker. Instead the face's
``__getattr__`` imports a name's module the first time the name is read, from those same
``TYPE_CHECKING`` imports (read from the face's source, so they are written once)::

    if TYPE_CHECKING:
        from app.audit.service import record
    else:
        __getattr__ = lazy_face(__name__)

    __all__ = ["record"]
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Callable
from pathlib import Path


def lazy_face(package: str) -> Callable[[str], object]:
    """The ``__getattr__`` of ``package``'s face: each name it imports under TYPE_CHECKING,
    imported from its module when first read."""
    face = sys.modules[package]
    origins = type_checking_imports(Path(str(face.__file__)).read_text(encoding="utf-8"))

    def __getattr__(name: str) -> object:
        if name not in origins:
            # Also how `from package import submodule` finds a submodule not yet imported.
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, original = origins[name]
        value = getattr(importlib.import_module(module), original)
        setattr(face, name, value)  # later reads find it without calling this function
        return value

    return __getattr__


def type_checking_imports(source: str) -> dict[str, tuple[str, str]]:
    """Each name bound by a ``from module import name [as alias]`` under a top-level
    ``if TYPE_CHECKING:``, as alias -> (module, name)."""
    origins: dict[str, tuple[str, str]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.module:
                    for alias in statement.names:
                        origins[alias.asname or alias.name] = (statement.module, alias.name)
    return origins


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )
