"""Requests no page of ours sends get a clear refusal, never a 500, and never read more than
the body limits allow: bodies over the limit before the CSRF check reads them, multipart
and non-UTF-8 form bodies, and page addresses with parts that are not valid."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.database import RolledBackDatabase
from tests.web.pages_client import form_token, make_user, signed_in

HTML = {"Accept": "text/html"}


def test_a_body_over_the_limit_is_refused_before_the_csrf_check_reads_it(
    client: TestClient,
) -> None:
    form_token(client)  # a cookie: asgi-csrf would read the body to look for the token
    huge = b"email=" + b"a" * (2 * 1_048_576)
    answer = client.post("/sign-in", content=huge,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert answer.status_code == 413


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data; boundary=x", "multipart/form-data;boundary=x", "text/plain", ""],
)
def test_a_post_that_is_no_form_of_ours_is_refused_as_a_page(
    client: TestClient, content_type: str
) -> None:
    form_token(client)
    body = b'--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na\r\n--x--\r\n'
    answer = client.post("/sign-in", content=body, headers={"Content-Type": content_type})
    assert answer.status_code == 403
    assert "This form could not be accepted" in answer.text


def test_a_form_that_is_not_utf8_is_refused_as_a_page(client: TestClient) -> None:
    token = form_token(client)
    body = b"email=\xff\xfe&password=x&csrftoken=" + token.encode()
    answer = client.post("/sign-in", content=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert answer.status_code == 403
    assert "This form could not be accepted" in answer.text


def test_page_addresses_that_are_not_valid_answer_pages(
    client: TestClient, database: RolledBackDatabase
) -> None:
    signed_in(client, make_user(database, "sales"))
    for path in ("/proposals/abc", "/proposals/1/diff?from=a&to=b"):
        answer = client.get(path)
        assert answer.status_code == 422, path
        assert answer.headers["content-type"].startswith("text/html")
        assert "address is not valid" in answer.text
    missing = client.get("/no-such-page", headers=HTML)
    assert missing.status_code == 404 and "There is no page at this address." in missing.text
    # The API keeps its problems, whatever the client accepts.
    api = client.get("/v1/no-such-thing", headers=HTML)
    assert api.headers["content-type"] == "application/problem+json"
