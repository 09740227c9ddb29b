"""Files posted from pages: the CSRF token is read from the front of the multipart body
(asgi-csrf's own reader fails on python-multipart 0.0.3x) and checked as any form's; only
upload pages take multipart bodies, up to the import limit."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from app.web.csrf import Csrf
from app.web.uploads import is_upload_page, token_first
from tests.support.database import RolledBackDatabase
from tests.web.pages_client import form_token

ZIP = b"PK\x03\x04" + bytes(range(256)) * 4


def _body(*parts: tuple[str, bytes, str | None]) -> bytes:
    out = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--XX\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"
    return out + b"--XX--\r\n"


def _read(body: bytes, chunk: int) -> tuple[str | None, bytes]:
    async def run() -> tuple[str | None, bytes]:
        pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)]
        messages = [{"type": "http.request", "body": piece, "more_body": i < len(pieces) - 1}
                    for i, piece in enumerate(pieces)]  # fmt: skip

        async def receive() -> dict[str, object]:
            return messages.pop(0)

        token, replay = await token_first(b"XX", receive)
        replayed = b""
        while True:
            message = await replay()
            replayed += bytes(message["body"])  # type: ignore[arg-type]
            if not message["more_body"]:
                return token, replayed

    return asyncio.run(run())


@pytest.mark.parametrize("chunk", [1, 7, 10_000])
def test_the_token_is_read_from_the_first_part_and_the_body_replayed_whole(chunk: int) -> None:
    body = _body(("csrftoken", b"abc.def-1", None), ("file", ZIP, "catalog.zip"))
    assert _read(body, chunk) == ("abc.def-1", body)


@pytest.mark.parametrize(
    "parts",
    [
        (("file", ZIP, "catalog.zip"), ("csrftoken", b"abc", None)),  # a file first
        (("note", b"x", None), ("csrftoken", b"abc", None)),  # another field first
        (("csrftoken", b"a" * 500, None),),  # no token is that long
        (("csrftoken", b"abc", "token.txt"),),  # the token as a file
        (),
    ],
)
def test_no_token_first_means_none(parts: tuple[tuple[str, bytes, str | None], ...]) -> None:
    assert _read(_body(*parts), 64)[0] is None


def test_upload_pages_are_those_ending_in_import_outside_the_api() -> None:
    assert is_upload_page("/catalog/import")
    assert is_upload_page("/price-books/EU-EUR/import")
    assert not is_upload_page("/v1/catalog/import")
    assert not is_upload_page("/sign-in")
    assert not is_upload_page("/catalog/import/apply")


async def _echo(request: Request) -> PlainTextResponse:
    form = await request.form(max_part_size=1_048_576)
    upload = form["file"]
    assert not isinstance(upload, str)
    return PlainTextResponse(f"{upload.filename} {len(await upload.read())}")


@pytest.fixture
def uploads(database: RolledBackDatabase) -> TestClient:
    app = Csrf(Starlette(routes=[
        Route("/catalog/import", _echo, methods=["POST"]),
        Route("/sign-in", lambda request: PlainTextResponse(request.scope["csrftoken"]())),
    ]), database)  # fmt: skip
    return TestClient(app)


def _post(client: TestClient, path: str, body: bytes) -> tuple[int, str]:
    answer = client.post(path, content=body,
                         headers={"Content-Type": "multipart/form-data; boundary=XX"})  # fmt: skip
    return answer.status_code, answer.text


def test_a_file_posted_with_its_token_first_reaches_the_page_whole(uploads: TestClient) -> None:
    token = form_token(uploads)
    body = _body(("csrftoken", token.encode(), None), ("file", ZIP, "catalog.zip"))
    assert _post(uploads, "/catalog/import", body) == (200, f"catalog.zip {len(ZIP)}")


@pytest.mark.parametrize("forged", [True, False])
def test_a_file_without_the_right_token_first_is_refused(uploads: TestClient, forged: bool) -> None:
    token = form_token(uploads)
    parts = ((("csrftoken", b"forged", None), ("file", ZIP, "c.zip")) if forged
             else (("file", ZIP, "c.zip"), ("csrftoken", token.encode(), None)))  # fmt: skip
    status, text = _post(uploads, "/catalog/import", _body(*parts))
    assert status == 403 and "This form could not be accepted" in text


def test_other_pages_take_no_files(uploads: TestClient) -> None:
    token = form_token(uploads)
    body = _body(("csrftoken", token.encode(), None), ("file", ZIP, "c.zip"))
    assert _post(uploads, "/sign-in", body)[0] == 403


def test_upload_pages_take_bodies_up_to_the_import_limit(client: TestClient) -> None:
    token = form_token(client)
    big = _body(("csrftoken", token.encode(), None), ("file", b"x" * 3_000_000, "c.zip"))
    status = _post(client, "/catalog/import", big)[0]
    assert status not in (403, 413)  # past the page body limit (1 MiB), within the import one
    assert _post(client, "/sign-in", big)[0] == 413


def test_a_token_equal_to_a_cookie_we_did_not_sign_is_refused(uploads: TestClient) -> None:
    uploads.cookies.set("csrftoken", "made-up")
    body = _body(("csrftoken", b"made-up", None), ("file", ZIP, "c.zip"))
    status, text = _post(uploads, "/catalog/import", body)
    assert status == 403 and "This form could not be accepted" in text


@pytest.mark.parametrize("header", ["forged", None])
def test_a_file_with_a_token_header_is_still_read_from_its_body(
    uploads: TestClient, header: str | None
) -> None:
    """The header htmx sends does not take a multipart post past the body's token (a
    wrong one made asgi-csrf fall back to its failing multipart reader: a 500)."""
    token = form_token(uploads)
    headers = {"Content-Type": "multipart/form-data; boundary=XX",
               "X-CSRFToken": header or token}  # fmt: skip
    wrong = _body(("csrftoken", b"forged", None), ("file", ZIP, "c.zip"))
    answer = uploads.post("/catalog/import", content=wrong, headers=headers)
    assert answer.status_code == 403 and "This form could not be accepted" in answer.text
    elsewhere = uploads.post("/sign-in", content=wrong, headers=headers)
    assert elsewhere.status_code == 403
