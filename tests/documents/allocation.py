"""A task for a render worker that only allocates memory. It lives alone in this module so
that a spawned worker importing it imports nothing heavy (the solver maps a gigabyte of
address space)."""

from __future__ import annotations


def allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))
