"""File uploads from pages (a catalog zip, a price-book sheet): which pages take them, and
the CSRF token read from the front of their multipart body.

asgi-csrf 0.11's own multipart reader fails on python-multipart 0.0.3x (a constructor
argument it passes no longer exists), so the token is read here with python-multipart's
streaming parser and handed to asgi-csrf as its header, which it checks against the
cookie as it checks any form's. The token must come before any file (our forms put it
first): a body is read only up to it, never whole, before the check."""

from __future__ import annotations

import re
from typing import Any

from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import parse_options_header
from starlette.types import Message, Receive

# Pages whose forms post a file: a path ending in /import (the API's are outside the CSRF
# check, under /v1/).
UPLOAD_PAGE = re.compile(r"^/(?!v1/)[A-Za-z0-9/_.-]*/import$")
TOKEN_FIELD = b"csrftoken"
MAX_TOKEN_BYTES = 200


def is_upload_page(path: str) -> bool:
    return UPLOAD_PAGE.match(path) is not None


def boundary_of(content_type: bytes) -> bytes | None:
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data":
        return None
    boundary = options.get(b"boundary")
    return boundary or None


class _Found(Exception):
    pass


class _Refused(Exception):
    pass


class _TokenReader:
    """Callbacks for MultipartParser: the value of the first part if it is the token
    field; anything else first (a file, another field) refuses."""

    def __init__(self) -> None:
        self.header_field = b""
        self.header_value = b""
        self.disposition = b""
        self.value = b""

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_header_field": self._field,
            "on_header_value": self._value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._part_end,
        }

    def _field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def _value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def _header_end(self) -> None:
        if self.header_field.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_field = self.header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        if options.get(b"name") != TOKEN_FIELD or b"filename" in options:
            raise _Refused

    def _data(self, data: bytes, start: int, end: int) -> None:
        self.value += data[start:end]
        if len(self.value) > MAX_TOKEN_BYTES:
            raise _Refused

    def _part_end(self) -> None:
        raise _Found


async def token_first(boundary: bytes, receive: Receive) -> tuple[str | None, Receive]:
    """The CSRF token of a multipart body's first part (None: not there, or not first),
    and a ``receive`` that replays what was read, then goes on."""
    read: list[Message] = []
    reader = _TokenReader()
    parser = MultipartParser(boundary, reader.callbacks())  # type: ignore[arg-type]
    token: str | None = None
    more = True
    try:
        while more:
            message = await receive()
            read.append(message)
            if message["type"] != "http.request":
                break
            parser.write(message.get("body", b""))
            more = bool(message.get("more_body", False))
    except _Found:
        try:
            token = reader.value.decode("ascii")
        except UnicodeDecodeError:
            token = None
    except (_Refused, MultipartParseError):
        token = None

    async def replay() -> Message:
        if read:
            return read.pop(0)
        return await receive()

    return token, replay
