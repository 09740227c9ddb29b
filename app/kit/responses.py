"""A tagged JSON answer (components, registry records)."""

from __future__ import annotations

from fastapi.responses import Response

from app.kit.representation import Representation


def tagged(
    view: Representation, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """The representation with its ETag: the very bytes the tag is the hash of."""
    return Response(
        view.content, status_code, {"ETag": view.etag, **(headers or {})},
        media_type="application/json",
    )  # fmt: skip
