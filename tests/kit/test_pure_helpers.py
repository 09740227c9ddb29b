"""The shell's pure helpers: merge patch, cursors, preconditions, permissions."""

from __future__ import annotations

import pytest

from app.auth.principal import PERMISSIONS, ROLES, Principal
from app.kit.errors import BadRequest, PreconditionFailed, PreconditionRequired
from app.kit.merge_patch import apply_merge_patch
from app.kit.pagination import decode_cursor, encode_cursor, page_of
from app.kit.preconditions import check_precondition


@pytest.mark.parametrize(
    ("target", "patch", "expected"),
    [  # the examples of RFC 7396, appendix A
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_follows_rfc_7396(target: object, patch: object, expected: object) -> None:
    assert apply_merge_patch(target, patch) == expected


def test_merge_patch_leaves_its_target_untouched() -> None:
    target = {"a": {"b": 1}}
    apply_merge_patch(target, {"a": {"b": 2}})
    assert target == {"a": {"b": 1}}


def test_cursors_round_trip_and_garbage_is_a_bad_request() -> None:
    assert decode_cursor(encode_cursor("CMP-VM-LNX")) == "CMP-VM-LNX"
    assert decode_cursor(None) is None
    for garbage in ("", "not-base64!", encode_cursor("x")[:-3] + "zz"):
        with pytest.raises(BadRequest):
            decode_cursor(garbage)


def test_a_page_has_a_cursor_only_when_more_rows_exist() -> None:
    assert page_of([1, 2], 2, str).next_cursor is None
    page = page_of([1, 2, 3], 2, str)
    assert page.items == [1, 2]
    assert decode_cursor(page.next_cursor) == "2"


def test_preconditions() -> None:
    check_precondition('"a"', '"a"', required=True)
    check_precondition('"x", "a"', '"a"', required=True)
    check_precondition("*", '"a"', required=True)
    check_precondition(None, '"a"', required=False)
    with pytest.raises(PreconditionRequired):
        check_precondition(None, '"a"', required=True)
    with pytest.raises(PreconditionFailed):
        check_precondition('"b"', '"a"', required=True)


def test_only_approvers_assure_and_only_admins_read_the_audit_log() -> None:
    assert [role for role in ROLES if "catalog.assure" in PERMISSIONS[role]] == ["approver"]
    assert [role for role in ROLES if "audit.read" in PERMISSIONS[role]] == ["admin"]
    assert not Principal("d", "delivery", "CZ-BRN").can("delivery.read_all")
    assert not Principal("s", "sales").can("cost.read")
