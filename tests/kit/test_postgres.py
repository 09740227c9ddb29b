"""The PostgreSQL the suite runs against is there and speaks SQL (later issues build on it)."""

import pytest


@pytest.mark.postgres
def test_postgres_answers(postgres_url: str) -> None:
    import psycopg

    with psycopg.connect(
        postgres_url.replace("postgresql+psycopg://", "postgresql://")
    ) as connection:
        assert connection.execute("select 1 + 1").fetchone() == (2,)
