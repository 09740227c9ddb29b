"""Numbers typed into addresses and forms that are not numbers of ours: "²" passes
``str.isdigit`` but not ``int``, and a number past what a database column holds. Each is
refused or ignored as the page does with any other bad number, never a 500; and a
comment longer than the API's limit is refused on the assurance queue as in the API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.kit.inputs import MAX_WHOLE, whole_number
from app.proposals.links.customer import asked_choice
from tests.support.database import RolledBackDatabase
from tests.web.pages_client import make_user, post_form, signed_in

SUPERSCRIPT_TWO = "²"


@pytest.mark.parametrize(
    ("text", "most", "expected"),
    [("12", MAX_WHOLE, 12), ("0", 5, 0), (SUPERSCRIPT_TWO, MAX_WHOLE, None), ("٣", 9, None),
     ("", 9, None), (None, 9, None), ("-1", 9, None), ("10", 9, None),
     (str(MAX_WHOLE), MAX_WHOLE, MAX_WHOLE), (str(MAX_WHOLE + 1), MAX_WHOLE, None),
     ("9" * 400, MAX_WHOLE, None)],
)  # fmt: skip
def test_whole_numbers_are_ascii_digits_within_bounds(
    text: str | None, most: int, expected: int | None
) -> None:
    assert whole_number(text, most=most) == expected


def test_a_customer_choice_that_is_no_number_is_no_choice() -> None:
    assert asked_choice(SUPERSCRIPT_TWO, []) is None
    assert asked_choice("1", [SUPERSCRIPT_TWO]) is None
    chosen = asked_choice("2", ["3", "1", "3"])
    assert chosen is not None and (chosen.option, chosen.add_ons) == (2, (1, 3))


def test_curation_forms_with_numbers_that_are_not(
    client: TestClient, database: RolledBackDatabase
) -> None:
    signed_in(client, make_user(database, "portfolio"))
    for value in (SUPERSCRIPT_TWO, "9" * 30):
        drafted = post_form(client, "/catalog/components/CMP-VM-LNX/drafts", {"from": value})
        assert drafted.status_code < 500, value
    drafted = post_form(client, "/catalog/components/CMP-VM-LNX/drafts", {"from": "1"})
    assert drafted.status_code == 303
    edit = drafted.headers["location"].split("?")[0]
    saved = post_form(client, edit, {"seen": SUPERSCRIPT_TWO, f"provides-{SUPERSCRIPT_TWO}-key":
                                     "x", "action": "save"})  # fmt: skip
    assert saved.status_code < 500


def test_a_delivery_window_that_is_no_number_is_refused_next_to_its_field(
    client: TestClient, database: RolledBackDatabase
) -> None:
    signed_in(client, make_user(database, "delivery"))
    answer = client.get("/delivery/CZ-BRN", params={"months": SUPERSCRIPT_TWO})
    assert answer.status_code == 422 and "Give a whole number of months" in answer.text


def test_the_good_better_best_choice_ignores_numbers_that_are_not(
    client: TestClient, database: RolledBackDatabase
) -> None:
    signed_in(client, make_user(database, "sales"))
    answer = client.get("/configure/proposal", params={"option": SUPERSCRIPT_TWO,
                                                       "rungs": SUPERSCRIPT_TWO})  # fmt: skip
    assert answer.status_code < 500


def test_the_assurance_queue_refuses_a_comment_longer_than_the_api_takes(
    client: TestClient, database: RolledBackDatabase
) -> None:
    author = make_user(database, "portfolio")
    signed_in(client, author)
    drafted = post_form(client, "/catalog/components/CMP-VM-LNX/drafts", {"from": "1"})
    version = int(drafted.headers["location"].split("/versions/")[1].split("/")[0])
    lifecycle = f"/catalog/components/CMP-VM-LNX/versions/{version}/lifecycle"
    assert post_form(client, lifecycle, {"to": "in_review"}).status_code == 303
    client.cookies.clear()
    signed_in(client, make_user(database, "approver"))
    answer = post_form(client, f"/assurance/CMP-VM-LNX/{version}",
                       {"decision": "draft", "comment": "x" * 2001})  # fmt: skip
    assert answer.status_code == 422 and "at most 2000 characters" in answer.text
    queue = client.get("/assurance")
    assert f"CMP-VM-LNX version {version}" in queue.text  # still waiting: nothing moved
