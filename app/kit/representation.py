"""A JSON representation and its entity tag, for components and registry records alike.

The tag is a hash of the very bytes the caller receives, so it changes exactly when what
the caller sees changes: never when only fields hidden from it change (a centre's labour
rates, seen by sales), and always when anything shown does (a head's latest version, a
status). Callers who see different fields get different representations, and so
different tags. A writer's If-Match is compared with the tag of the representation it was
sent, computed the same way."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Representation:
    body: dict[str, Any]
    content: bytes  # the JSON sent
    etag: str


def represent(body: dict[str, Any]) -> Representation:
    # Sent as these bytes (see the routers). Keys sorted: PostgreSQL's JSONB gives a stored
    # document's keys back in an order of its own, so the same content read back after a
    # write must encode to the same bytes as the answer to the write did.
    content = json.dumps(
        body, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"),
        sort_keys=True,
    ).encode("utf-8")  # fmt: skip
    return Representation(body, content, f'"{hashlib.sha256(content).hexdigest()[:32]}"')
