"""Web sessions with an explicit clock: idle and absolute ends, the once-a-minute touch,
sign-out, a disabled account; and the sign-in throttle's windows."""

from __future__ import annotations

from datetime import timedelta

from app.auth.sessions import Lifetimes, end_session, resolve_session, start_session, touch_session
from app.auth.throttle import SignInThrottle
from app.auth.users import create_user, disable_user
from app.models import utcnow
from tests.support.database import RolledBackDatabase

SPANS = Lifetimes(idle=timedelta(minutes=30), absolute=timedelta(hours=12))


def _session(database: RolledBackDatabase, email: str = "s@example.com") -> str:
    with database.transaction(write=True) as session:
        user = create_user(session, email=email, name="S", role="sales",
                           password="a long enough password")  # fmt: skip
        return start_session(session, user, SPANS, address="1.2.3.4", user_agent="test")


def test_a_session_ends_after_the_idle_time_unless_used(database: RolledBackDatabase) -> None:
    token = _session(database)
    start = utcnow()
    with database.transaction(write=True) as session:
        live = resolve_session(session, token, SPANS, start + timedelta(minutes=29))
        assert live is not None and live.principal.name == "s@example.com" and live.touch_due
        assert resolve_session(session, token, SPANS, start + timedelta(minutes=31)) is None
        touch_session(session, token, start + timedelta(minutes=29))
        again = resolve_session(session, token, SPANS, start + timedelta(minutes=58))
        assert again is not None
        soon = resolve_session(session, token, SPANS, start + timedelta(minutes=29, seconds=30))
        assert soon is not None and not soon.touch_due  # a click within the minute: no write


def test_a_session_ends_at_its_absolute_end_however_busy(database: RolledBackDatabase) -> None:
    token = _session(database)
    start = utcnow()
    with database.transaction(write=True) as session:
        for minutes in range(20, 12 * 60, 20):
            touch_session(session, token, start + timedelta(minutes=minutes))
        late = start + timedelta(hours=12, seconds=1)
        assert resolve_session(session, token, SPANS, late - timedelta(seconds=2)) is not None
        assert resolve_session(session, token, SPANS, late) is None


def test_sign_out_and_a_disabled_account_end_it(database: RolledBackDatabase) -> None:
    first, second = _session(database, "a@example.com"), _session(database, "b@example.com")
    with database.transaction(write=True) as session:
        end_session(session, first)
        disable_user(session, "b@example.com")
        assert resolve_session(session, first, SPANS) is None
        assert resolve_session(session, second, SPANS) is None
        assert resolve_session(session, "a token nobody was given", SPANS) is None


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_throttle_counts_an_account_per_address_and_each_address() -> None:
    clock = Clock()
    throttle = SignInThrottle(3, 5, window_seconds=60, clock=clock)
    for second in range(3):
        clock.now = float(second)
        assert throttle.wait("a@x.example", "10.0.0.1") == 0
        throttle.failed("a@x.example", "10.0.0.1")
    assert throttle.wait("a@x.example", "10.0.0.1") == 58  # now 2 s: the first leaves at 60
    assert throttle.wait("a@x.example", "10.0.0.2") == 0  # the owner, elsewhere
    assert throttle.wait("b@x.example", "10.0.0.1") == 0  # another account from there
    throttle.failed("b@x.example", "10.0.0.1")
    throttle.failed("c@x.example", "10.0.0.1")
    assert throttle.wait("d@x.example", "10.0.0.1") > 0  # five from the address
    clock.now = 60.5
    assert throttle.wait("a@x.example", "10.0.0.1") == 0  # moving window: one has left
    clock.now = 1000.0
    assert throttle.wait("d@x.example", "10.0.0.1") == 0  # never for good
