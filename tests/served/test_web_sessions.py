"""People signing in to a real ``offerwright serve`` (one API process per core) at once:
a form's CSRF cookie made by one process is accepted by another, and a session started on
one is known to every one (both live in the database, not in a process), so each person
signs in, opens their start page and signs out, whichever process answers each step."""

from __future__ import annotations

import asyncio
import re

import httpx

from tests.support.served import PASSWORD, Served

PEOPLE = 16
_TOKEN = re.compile(r'name="csrftoken" value="([^"]+)"')


async def _visit(url: str) -> list[int]:
    """One person's visit, each step on a new connection (so any process may answer it)."""
    statuses = []
    cookies = httpx.Cookies()

    async def step(method: str, path: str, **arguments: object) -> httpx.Response:
        async with httpx.AsyncClient(base_url=url, cookies=cookies, timeout=60) as client:
            answer = await client.request(method, path, **arguments)  # type: ignore[arg-type]
            cookies.update(answer.cookies)
            statuses.append(answer.status_code)
            return answer

    page = await step("GET", "/sign-in")
    token = _TOKEN.search(page.text)
    assert token is not None
    form = {"email": "sales@served.example", "password": PASSWORD, "csrftoken": token[1]}
    signed_in = await step("POST", "/sign-in", data=form)
    assert signed_in.status_code == 303, (signed_in.status_code, signed_in.text[-600:])
    assert signed_in.headers["location"] == "/"
    home = await step("GET", "/")
    assert "Hello, Served sales" in home.text
    await step("POST", "/sign-out", data={"csrftoken": token[1]})
    gone = await step("GET", "/")
    assert gone.headers["location"].startswith("/sign-in")
    return statuses


async def _everyone(url: str) -> list[list[int]]:
    return list(await asyncio.gather(*(_visit(url) for _ in range(PEOPLE))))


def test_sixteen_people_sign_in_use_and_leave_across_the_server_processes(
    server: Served,
) -> None:
    for statuses in asyncio.run(_everyone(server.url)):
        assert statuses == [200, 303, 200, 303, 303]
