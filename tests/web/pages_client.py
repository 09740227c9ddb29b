"""Pages through FastAPI's TestClient: accounts made in the test's database, signing in
through the form as a browser does (the CSRF cookie first, then its token in the post),
and posting forms with the token."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import httpx
from fastapi.testclient import TestClient

from app.auth.users import create_user
from app.kit.database import Database

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Person:
    email: str
    password: str
    name: str


def make_user(
    database: Database, role: str, *, centre: str | None = None, name: str | None = None,
    password: str = PASSWORD,
) -> Person:  # fmt: skip
    number = next(_numbers)
    person = Person(f"{role}-{number}@example.com", password, name or f"{role.title()} {number}")
    if role == "delivery":
        centre = centre or "CZ-BRN"
    with database.transaction(write=True) as session:
        create_user(session, email=person.email, name=person.name, role=role,
                    password=password, centre=centre)  # fmt: skip
    return person


def form_token(client: TestClient) -> str:
    """The CSRF token a page's forms carry (a page is read first when the cookie is gone)."""
    if "csrftoken" not in client.cookies:
        client.get("/sign-in")
    return str(client.cookies["csrftoken"])


def post_form(client: TestClient, url: str, data: dict[str, str]) -> httpx.Response:
    """A form post as a page sends it: its CSRF token included; redirects not followed."""
    return client.post(url, data={"csrftoken": form_token(client), **data},
                       follow_redirects=False)  # fmt: skip


def sign_in(
    client: TestClient, person: Person, *, password: str | None = None, next_path: str = "/"
) -> httpx.Response:
    return post_form(client, "/sign-in", {
        "email": person.email, "password": password or person.password, "next": next_path,
    })  # fmt: skip


def signed_in(client: TestClient, person: Person) -> TestClient:
    answer = sign_in(client, person)
    assert answer.status_code == 303, answer.text
    return client
