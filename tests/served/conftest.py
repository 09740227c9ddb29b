"""One real ``offerwright serve`` process per backend for the whole run (its start-up,
migrations and catalog import cost seconds), shared by the tests that drive it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.served import Served, postgres_schema, served


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def server(request, tmp_path_factory) -> Iterator[Served]:  # type: ignore[no-untyped-def]
    directory = tmp_path_factory.mktemp(f"served-{request.param}")
    # A trickling body is cut off after 8 s rather than the default 30: the same 408, and
    # the suite does not sit out the difference.
    if request.param == "sqlite":
        with served(directory, body_timeout_seconds="8", people=("sales",)) as running:
            yield running
        return
    with (
        postgres_schema(request.getfixturevalue("postgres_url")) as url,
        served(directory, url, body_timeout_seconds="8", people=("sales",)) as running,
    ):
        yield running
