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
    # Encoded as Starlette's JSONResponse does, and sent as these bytes (see the routers).
    content = json.dumps(
        body, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")
    return Representation(body, content, f'"{hashlib.sha256(content).hexdigest()[:32]}"')
