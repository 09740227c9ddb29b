"""Answers built once per catalog revision and served many times.

Every catalog change moves the revision in its own transaction, so an answer built from what
a transaction read at revision N is exactly what any other transaction reading N would
build: it can be kept until the revision moves, with no invalidation beyond "the revision is
another now". Answers are kept encoded (the JSON bytes and their ETag), so a hit costs
neither a query beyond the revision's nor any serialisation."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from app.kit.representation import Representation


class RevisionCache:
    """The encoded answers of the newest revision seen, least recently used dropped past
    ``max_entries``."""

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._revision = -1
        self._entries: OrderedDict[Hashable, Representation] = OrderedDict()

    def get(self, revision: int, key: Hashable) -> Representation | None:
        with self._lock:
            if revision != self._revision:
                return None
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
            return hit

    def put(self, revision: int, key: Hashable, encoded: Representation) -> None:
        """Keep ``encoded`` as the answer at ``revision``; a newer revision drops every
        answer of the older one, an answer of an older revision is not kept."""
        with self._lock:
            if revision > self._revision:
                self._revision = revision
                self._entries.clear()
            if revision == self._revision:
                self._entries[key] = encoded
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
