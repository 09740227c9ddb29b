"""The composition root hands routes what it built, by type: a kind some route wants that
nobody provided is an error when the application is built."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from app.kit import wiring


class Clock:
    def now(self) -> str:
        return "12:00"


class Unprovided:
    pass


def test_a_route_gets_the_part_of_its_kind() -> None:
    app = FastAPI()

    @app.get("/time")
    async def time(clock: Annotated[Clock, Depends(wiring.wired(Clock))]) -> str:
        return clock.now()

    parts = wiring.Wiring({Clock: Clock()})
    wiring.install(app, parts)
    assert TestClient(app).get("/time").json() == "12:00"


def test_a_kind_some_route_wants_must_be_provided() -> None:
    app = FastAPI()

    @app.get("/thing")
    async def thing(_: Annotated[Unprovided, Depends(wiring.wired(Unprovided))]) -> None:
        return None

    with pytest.raises(LookupError, match="Unprovided"):
        wiring.install(app, wiring.Wiring({Clock: Clock()}))


def test_the_application_provides_every_kind_its_routes_want() -> None:
    from app.bootstrap import create_app
    from app.kit.settings import Settings

    app = create_app(Settings(database_url="sqlite:///:memory:"))
    assert app.state.wiring.missing(app) == []
