"""Shared fixtures. PostgreSQL-marked tests skip when no server is reachable, except on CI
(CI=true), where a skip would hide a failure: there they fail instead."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
POSTGRES_URL = os.environ.get(
    "OFFERWRIGHT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def make_catalog(tmp_path: Path) -> Callable[[str], Path]:
    """Copy the small valid base catalog, then lay a broken fixture's files over it."""

    def make(overlay: str | None = None) -> Path:
        target = tmp_path / (overlay or "base")
        shutil.copytree(FIXTURES / "catalogs" / "base", target)
        if overlay is not None:
            shutil.copytree(FIXTURES / "catalogs" / "broken" / overlay, target, dirs_exist_ok=True)
        return target

    return make


@pytest.fixture(scope="session")
def postgres_url() -> str:
    import psycopg

    plain = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        psycopg.connect(plain, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required on CI but unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    return POSTGRES_URL
