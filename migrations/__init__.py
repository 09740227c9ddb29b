"""Alembic migrations for SQLite and PostgreSQL (a package so installs carry them)."""
