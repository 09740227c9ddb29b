"""Form posts as pairs, read once the body is in (the CSRF middleware has already checked
its token): ``application/x-www-form-urlencoded``, what every page's form sends."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi import Request


@dataclass(frozen=True, slots=True)
class Form:
    pairs: tuple[tuple[str, str], ...]

    def one(self, name: str, default: str = "") -> str:
        """The first value of ``name``, with its surrounding spaces removed."""
        for key, value in self.pairs:
            if key == name:
                return value.strip()
        return default

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]

    def raw(self, name: str) -> str:
        """The first value exactly as sent (passwords keep their spaces)."""
        return next((value for key, value in self.pairs if key == name), "")


async def read_form(request: Request) -> Form:
    body = await request.body()
    pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return Form(tuple((key, value.replace("\x00", "")) for key, value in pairs))
