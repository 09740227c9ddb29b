"""The ASGI application as Uvicorn imports it (``app.main:app``), built from settings."""

from app.bootstrap import create_app

app = create_app()
