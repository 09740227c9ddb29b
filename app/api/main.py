"""The ASGI application as Uvicorn imports it (``app.api.main:app``), built from settings."""

from app.api.app import create_app

app = create_app()
