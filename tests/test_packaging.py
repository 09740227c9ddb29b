"""The wheel holds every file of the packages it ships: templates, stylesheet, catalog data
(tables included), the Alembic environment and its versions. The suite itself runs from an
editable install, which reads the checkout and so cannot notice a file the wheel leaves out
(the stylesheet once was: every PDF route answered 500 from an installed wheel)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.support.packaging import build_wheel, package_roots, source_files


@pytest.fixture(scope="session")
def wheel_files(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The files inside the wheel (one build per test session), its metadata left out."""
    wheel = build_wheel(tmp_path_factory.mktemp("wheel"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    return {name for name in names if not name.split("/")[0].endswith(".dist-info")}


@pytest.mark.slow  # builds a wheel with pip: a few seconds
def test_the_wheel_ships_every_file_of_its_packages(wheel_files: set[str]) -> None:
    expected = set(source_files())
    # Non-Python files are the ones package-data must name; a new folder of them is caught here.
    assert any(not name.endswith(".py") for name in expected)
    missing = sorted(expected - wheel_files)
    assert not missing, f"files the wheel leaves out (pyproject package-data): {missing}"
    extra = sorted(wheel_files - expected)
    assert not extra, f"files in the wheel that the sources do not have: {extra}"


@pytest.mark.slow
def test_the_files_opened_at_run_time_are_among_them(wheel_files: set[str]) -> None:
    """The files the code is known to open, named, so that the comparison above can never
    pass by looking at the wrong tree."""
    from app.documents.fetcher import ASSETS
    from app.kit import api_docs

    root = Path(__file__).parents[1]
    ours = [root / name for name in package_roots()]  # the fonts come from a dependency
    packaged = {
        path.relative_to(root).as_posix()
        for path in ASSETS.values()
        if any(path.is_relative_to(package) for package in ours)
    }
    assert "app/documents/assets/proposal.css" in packaged
    # What /docs and /redoc load, and the licences that must travel with it.
    docs_assets = {
        (api_docs.STATIC / asset).relative_to(root).as_posix() for asset in api_docs.ASSETS
    }
    licences = {
        f"app/kit/static/docs/{folder}/LICENSE" for folder in (api_docs.SWAGGER_UI, api_docs.REDOC)
    }
    assert {name.rsplit("/", 1)[-1] for name in docs_assets} >= {
        "swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js",
    }  # fmt: skip
    opened = packaged | {
        "app/documents/templates/proposal.html",
        "app/documents/templates/delivery_pack.html",
        "catalog/data/components/compute/CMP-VM-LNX.yaml",
        "catalog/data/tables/sap-platform-matrix.csv",
        "migrations/env.py",
        "migrations/script.py.mako",
        "migrations/versions/0001_catalog_tables.py",
    }
    opened |= docs_assets | licences
    assert opened <= wheel_files, sorted(opened - wheel_files)
    assert {"app", "catalog", "pricing", "migrations"} <= set(package_roots())
