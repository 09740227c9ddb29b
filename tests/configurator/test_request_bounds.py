"""The request's bounds, checked before any model is built: the number of needs is bounded
where the solver still answers in time (measured: 100 needs on a 1,000-component synthetic
catalog configure in 1.3 s on the reference machine; a variant model asks for many)."""

from __future__ import annotations

import pytest

from app.configurator.errors import ConfigurationInvalid
from app.configurator.request import ConfigurationRequest, Limits, Need
from app.configurator.validate import validate_request
from benchmarks.synthetic import generate


def test_two_hundred_needs_are_allowed_and_one_more_is_not() -> None:
    snapshot = generate(1100, seed=1)
    provided = [c.code for c in snapshot.capabilities if snapshot.providers_of(c.code)]
    assert len(provided) > 200
    book = snapshot.price_books[0].code
    validate_request(
        snapshot, ConfigurationRequest(book, 12, tuple(Need(c, 1) for c in provided[:200])),
        Limits(),
    )  # fmt: skip
    with pytest.raises(ConfigurationInvalid) as raised:
        validate_request(
            snapshot, ConfigurationRequest(book, 12, tuple(Need(c, 1) for c in provided[:201])),
            Limits(),
        )  # fmt: skip
    assert [p.message for p in raised.value.problems] == ["at most 200 needs, not 201"]
