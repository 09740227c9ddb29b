"""The admission gate: slots, a bounded queue, a bounded wait."""

from __future__ import annotations

import threading

import pytest

from app.kit.gate import Busy, Gate


def _hold(gate: Gate, entered: threading.Event, leave: threading.Event) -> threading.Thread:
    def hold() -> None:
        with gate.admitted():
            entered.set()
            leave.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    assert entered.wait(10)
    return thread


def test_a_free_slot_admits_at_once() -> None:
    gate = Gate(slots=2, queue=0, wait=0)
    with gate.admitted(), gate.admitted():
        pass


def test_beyond_the_queue_a_caller_is_refused_without_waiting() -> None:
    gate = Gate(slots=1, queue=0, wait=60)
    leave = threading.Event()
    holder = _hold(gate, threading.Event(), leave)
    with pytest.raises(Busy), gate.admitted():
        pass  # pragma: no cover
    leave.set()
    holder.join()


def test_a_queued_caller_gives_up_after_its_wait_and_leaves_the_queue() -> None:
    gate = Gate(slots=1, queue=1, wait=0.05)
    leave = threading.Event()
    holder = _hold(gate, threading.Event(), leave)
    with pytest.raises(Busy), gate.admitted():
        pass  # pragma: no cover
    assert gate.waiting == 0
    leave.set()
    holder.join()
    with gate.admitted():  # the slot is free again
        pass


def test_a_queued_caller_gets_the_slot_when_it_frees() -> None:
    gate = Gate(slots=1, queue=1, wait=10)
    leave = threading.Event()
    holder = _hold(gate, threading.Event(), leave)
    admitted = threading.Event()

    def queued() -> None:
        with gate.admitted():
            admitted.set()

    waiter = threading.Thread(target=queued)
    waiter.start()
    leave.set()
    waiter.join()
    holder.join()
    assert admitted.is_set()
