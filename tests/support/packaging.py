"""Builds the wheel the way a user's ``pip install .`` does, from a clean copy of the package
sources: an editable install reads files straight from the checkout, so it hides any file the
wheel leaves out. Used by tests/test_packaging.py and by CI (``python -m
tests.support.packaging DIR`` prints the wheel's path)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).parents[2]
# Never package data: the interpreter's caches.
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")


def package_roots() -> list[str]:
    """The top-level packages the wheel ships, as pyproject's package discovery names them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted({str(pattern).split(".")[0].rstrip("*") for pattern in patterns})


def source_files() -> Iterator[str]:
    """Every file of the shipped packages in the source tree (Python or not), as a path
    relative to the checkout, which is also its path inside the wheel."""
    for root in package_roots():
        for path in sorted((ROOT / root).rglob("*")):
            relative = path.relative_to(ROOT)
            cached = "__pycache__" in relative.parts or path.suffix in (".pyc", ".pyo")
            if path.is_file() and not cached:
                yield relative.as_posix()


def build_wheel(target: Path) -> Path:
    """Build the wheel into ``target`` and return its path. The build runs in a copy of
    pyproject.toml, README.md and the packages, so a stale build/ directory or egg-info in
    the checkout cannot fill a gap in the wheel."""
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="offerwright-src-") as scratch:
        source = Path(scratch)
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, source / name)
        for root in package_roots():
            shutil.copytree(ROOT / root, source / root, ignore=IGNORED)
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
             "--wheel-dir", str(target), str(source)],
            check=True,
        )  # fmt: skip
    (wheel,) = target.glob("offerwright-*.whl")
    return wheel


if __name__ == "__main__":
    print(build_wheel(Path(sys.argv[1]).resolve()))
